"""report.md's words on temperature scaling: what the temperature, fitted on the validation split, did to the
Keras model's calibration on the test split, and a verdict only where both measures agree on enough films."""

from __future__ import annotations

from convert.report_text import ECE_MIN_FILMS

_CAL_MEASURES = (("nll", "negative log-likelihood"), ("ece", "expected calibration error"))


def calibration_worse(cal: dict, fell: bool = False) -> str:
    """'negative log-likelihood 0.624 → 0.806' for each test figure the temperature raised (``fell``: lowered), or ''."""
    sign = -1 if fell else 1
    return ", ".join(f"{name} {cal[f'test_{key}_before']:.3f} → {cal[f'test_{key}_after']:.3f}" for key, name in _CAL_MEASURES
                     if sign * (cal[f"test_{key}_after"] - cal[f"test_{key}_before"]) > 1e-3)


def calibration_verdict(cal: dict, n: int) -> list[str]:
    """What the temperature did on the test split, in bold only where both measures say it made calibration
    worse on enough films: ECE 0.278 → 0.200 with NLL 0.422 → 0.439 on 18 films was called worse, in bold."""
    worse, better = calibration_worse(cal), calibration_worse(cal, fell=True)
    if not worse:
        return []
    rose = sum(cal[f"test_{key}_after"] - cal[f"test_{key}_before"] > 1e-3 for key, _ in _CAL_MEASURES)
    if n < ECE_MIN_FILMS or better or rose < len(_CAL_MEASURES):
        why = (f"on {n} test films, under {ECE_MIN_FILMS}: too few to judge calibration" if n < ECE_MIN_FILMS
               else "the two measures disagree" if better else "the other measure moved by less than 0.001")
        return [f"On the test split the temperature raised {worse}" + (f" and lowered {better}" if better else "")
                + f": no verdict ({why}).", ""]
    return [f"**On the test split the temperature made calibration worse** ({worse}). It was fitted on the "
            "validation films, which are few or unlike the test films; trust the probabilities less than the "
            "validation split suggested, and the labels (ranking) as much as the tables above say.", ""]


def temperature_lines(cal: dict | None, n: int) -> list[str]:
    """The paragraph under "Calibration and ROC" (report.calibration; none: no lines), then its verdict on
    ``n`` test films."""
    if not cal:
        return []
    return [f"Temperature scaling (T = {cal['temperature']:.2f}, fitted on the {cal['fitted_on']}) on the test split, "
            "the Keras model's figures (each .tflite's own ECE is in its section above): "
            f"expected calibration error {cal['test_ece_before']:.3f} → {cal['test_ece_after']:.3f}, "
            f"negative log-likelihood {cal['test_nll_before']:.3f} → {cal['test_nll_after']:.3f}. "
            "The device applies the same temperature (it travels in the .tflite).", "", *calibration_verdict(cal, n)]
