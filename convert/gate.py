"""The gate: how a quantized file compares with the Keras model it came from.

Both are scored on the same frozen test images: overall accuracy may drop at most ``max_drop``
points and no class's sensitivity more than ``max_class_drop`` points (a quantized model that
trades COVID sensitivity for Normal specificity can keep its accuracy and still be unsafe).
``cxr-convert --auto`` keeps the smallest file that passes (choose_smallest).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from convert.metrics import agreement, to_jsonable
from edge.decision import describe, fmt_threshold, labels_for
from edge.figures import counted, fixed, kept_as_shown, listed
from edge.atomic import write_bytes


def points_text(v: float) -> str:
    """'1 point', '2 points', '0.5 points': a limit as given (limit_text), never rounded onto another."""
    return f"{limit_text(v)} point" + ("" if v == 1 else "s")


def limit_text(v: float) -> str:
    """A limit as the user gave it ('2', '0.5', '1.9999999'): ':g' kept 6 digits, and a drop of 2.0 points beside a
    limit of 1.9999999 read "fell 2.0 points (limit 2)", a file failed for lying at its limit."""
    return f"{v:.15g}"


_and = listed


def resolution_note(counts: dict[str, int], max_class_drop: float, max_drop: float | None = None) -> str | None:
    """One sentence when a class has so few test films that one film changing class moves its
    sensitivity by more than the gate allows (100/n > max_class_drop points), or (``max_drop``) the
    test split so few that one film moves accuracy by more than its limit (under 100 films at 1 point,
    where the note spoke of the classes alone): the gate then fails on a single film, which chance
    alone can move. The gate itself is unchanged."""
    small = {c: n for c, n in counts.items() if n > 0 and 100 / n > max_class_drop + 1e-9}
    total = sum(counts.values())
    few = max_drop is not None and total > 0 and 100 / total > max_drop + 1e-9
    if not small and not few:
        return None
    each = _and([f"{c} sensitivity by {100 / n:.1f} points ({counted(n, 'test film')})" for c, n in small.items()])
    accuracy = f"accuracy by {100 / total:.1f} points ({counted(total, 'test film')})" if few else ""
    moved = (f"{each}, more than the gate allows a class ({points_text(max_class_drop)})" if small else "")
    if few:
        moved += f"{', and ' if small else ''}{accuracy}, more than it allows accuracy ({points_text(max_drop)})"
    return (f"one film moves {moved}: the gate fails if the quantized file misses a single film more, so its pass "
            "or fail says little until the test split has more films")


def gate(reference: dict, candidate: dict, max_drop: float, max_class_drop: float) -> dict:
    """Pass/fail of a quantized model against its float reference, with reasons (points = %)."""
    reasons = []
    drop = 100 * (reference["accuracy"] - candidate["accuracy"])
    if drop > max_drop + 1e-9:
        reasons.append(f"accuracy fell {_points(drop, max_drop)} points (limit {limit_text(max_drop)})")
    for ref, cand in zip(reference["per_class"], candidate["per_class"]):
        if ref["sensitivity"] is None or cand["sensitivity"] is None:
            continue
        d = 100 * (ref["sensitivity"] - cand["sensitivity"])
        if d > max_class_drop + 1e-9:
            reasons.append(f"{ref['class']} sensitivity fell {_points(d, max_class_drop)} points (limit {limit_text(max_class_drop)})")
    return {"passed": not reasons, "reasons": reasons}


def answers_under(y: np.ndarray, probs: np.ndarray, classes: list[str], rule: tuple[int, float]) -> dict:
    """Accuracy and each class's sensitivity of the answers a rule gives: what :func:`gate` reads."""
    from convert.metrics import accuracy, sensitivities
    from edge.decision import labels_for

    given = labels_for(probs, rule)
    return to_jsonable({"accuracy": accuracy(y, given), "per_class": [
        {"class": c, "sensitivity": v} for c, v in zip(classes, sensitivities(y, given, len(classes)))]})


def gate_under_rule(plain: dict, y: np.ndarray, reference_probs: np.ndarray, probs: np.ndarray, classes: list[str],
                    rule: tuple[int, float], target: float, reference_val: tuple[np.ndarray, np.ndarray],
                    max_drop: float, max_class_drop: float) -> dict:
    """The gate of a file that carries a rule (``rule``: class k at threshold t, chosen through the
    file on the validation split for ``target`` sensitivity), judged on the answers the device gives.
    The Keras model gets its own threshold, chosen the same way on the same films (``reference_val``:
    their labels and its probabilities), since quantization moves the probabilities and with them
    the threshold the target needs; both are then scored on the test films. ``plain``: the gate on
    the most probable class, which must pass as well."""
    from convert.gap_intervals import answer_gap_intervals
    from convert.roc import threshold_for_sensitivity

    k, t = rule
    y_val, p_val = reference_val
    reference_rule = (k, float(threshold_for_sensitivity(np.asarray(y_val) == k, p_val[:, k], target)))
    keras, device = answers_under(y, reference_probs, classes, reference_rule), answers_under(y, probs, classes, rule)
    under = gate(keras, device, max_drop, max_class_drop)
    why = [f"under its rule ({describe(rule, classes)}; Keras's for the same sensitivity: p >= "
           f"{fmt_threshold(reference_rule[1])}): {r}" for r in under["reasons"]]
    # the paired interval of each class's change under the rules, as the plain gate's delta holds it (gap_intervals)
    paired = answer_gap_intervals(y, labels_for(reference_probs, reference_rule), labels_for(probs, rule), classes)
    return {"passed": plain["passed"] and under["passed"], "reasons": plain["reasons"] + why,
            "under_rule": {"passed": under["passed"], "keras_threshold": reference_rule[1], "keras": keras, "file": device,
                           "sensitivity_points_ci": paired}}


def _points(drop: float, limit: float) -> str:
    """A drop over its limit with the decimals that show it over: 2.22 for a limit of 2.2, not 2.2; 2.00004 for a limit
    of 2, where 4 decimals at most gave "fell 2.0000 points (limit 2)" (the gate fails a drop over limit + 1e-9)."""
    digits = 1
    while digits < 10 and float(f"{drop:.{digits}f}") <= limit:
        digits += 1
    return f"{drop:.{digits}f}"


def change_text(v: float | None, limit: float | None = None) -> str:
    """A change in points as report.md's summary table writes it, '+0.0' or '-2.0'; a drop over ``limit`` with the
    decimals that show it over ('-2.04' for a limit of 2): '-2.0' beside FAILED read as a file within the limit; a drop
    within it with the decimals that show it within ('-1.96' for a limit of 1.96, not '-2.0' beside "passed")."""
    if v is None:
        return "n/a"
    if limit is not None and -v > limit + 1e-9:
        return "-" + _points(-v, limit)
    text, digits = f"{v:+.1f}", 1
    while limit is not None and v < 0 and -float(text) > limit and digits < 10:  # within it: -1.96 for a limit of 1.96
        digits += 1  # was '-2.0' beside "passed", a drop over the limit to a reader
        text = f"{v:+.{digits}f}"
    return text


def kept_decimals(v: float, limit: float | None = None) -> float:
    """A change in points rounded to 2 decimals, or to more where report.md and the terminal, reading the stored figure,
    would show other digits than the change itself (change_text): report.json held -1.0 for a drop of 1.003 points
    beside FAILED, and report.md, reading it, wrote "-1.0" where the reason said 1.003; -3.85 for 3.846 was shown
    "-3.9" where the reason said 3.8."""
    return kept_as_shown(v, lambda x: change_text(x, limit))


def deltas(reference: dict, candidate: dict, scored: tuple | None = None, limits: dict | None = None) -> dict:
    """Change against the reference in points (candidate - reference) x 100; with ``scored`` (the test labels, the
    reference's and the candidate's probabilities), each class's sensitivity change with its paired 95% interval
    (convert.gap_intervals), since a point change on few films says little of what quantization costs. ``limits``:
    the gate's max_drop and max_class_drop, so a drop over one keeps the decimals that show it over (kept_decimals)."""
    limits = limits or {}

    def pts(a, b, limit=None):
        return None if a is None or b is None else kept_decimals(100 * (b - a), limit)

    paired = {}
    if scored is not None:
        from convert.gap_intervals import sensitivity_gap_intervals

        paired = {"sensitivity_points_ci": sensitivity_gap_intervals(*scored, [r["class"] for r in reference["per_class"]])}
    return {
        "accuracy_points": pts(reference["accuracy"], candidate["accuracy"], limits.get("max_drop")),
        "balanced_accuracy_points": pts(reference["balanced_accuracy"], candidate["balanced_accuracy"]),
        "sensitivity_points": {r["class"]: pts(r["sensitivity"], c["sensitivity"], limits.get("max_class_drop"))
                               for r, c in zip(reference["per_class"], candidate["per_class"])},
        "specificity_points": {r["class"]: pts(r["specificity"], c["specificity"])
                               for r, c in zip(reference["per_class"], candidate["per_class"])},
        **paired,
    }


def flip_probability(p: float) -> float:
    """A flipped film's probability as report.json keeps it: to 4 decimals, more where report.md's 3 or 4
    (convert.flips) would read otherwise than ``p`` itself: 0.100456 kept as 0.1005 read 0.101."""
    return kept_as_shown(p, lambda v: f"{fixed(v, 3)} {fixed(v, 4)}", 4)


def compare(reference_probs: np.ndarray, probs: np.ndarray, y: np.ndarray, files: list[str],
            classes: list[str]) -> dict:
    """Agreement with the reference model and the list of images whose class flipped."""
    ag = agreement(reference_probs, probs)
    flipped = []
    for i in ag["flipped"]:
        # each side's class from its own probabilities: rounded to 4 decimals, a near tie (0.49996 against
        # 0.50004) went to the first class, and a film the file made wrong was listed as still wrong
        top = np.sort(probs[i])[::-1]
        flipped.append({"file": files[i], "true": classes[int(y[i])],
                        "reference": {c: flip_probability(float(p)) for c, p in zip(classes, reference_probs[i])},
                        "quantized": {c: flip_probability(float(p)) for c, p in zip(classes, probs[i])},
                        "reference_label": classes[int(np.argmax(reference_probs[i]))],
                        "quantized_label": classes[int(np.argmax(probs[i]))],
                        "quantized_tie": bool(len(top) > 1 and top[0] == top[1])})
    return to_jsonable({**{k: v for k, v in ag.items() if k != "flipped"}, "flipped": flipped})


def no_signal_line(run: dict) -> str | None:
    """What to say when cxr-train found the model's validation answers no better than the class
    shares (run.json's information gain): a gate that passes then proves nothing worth having."""
    from train.calibration import NO_SIGNAL

    v = run.get("validation", {})
    if "no_signal" in v:  # the probabilities, and the answers as well (train.validation_notes.no_signal)
        return ("cxr-train found that this model's answers on the validation films tell no more than how common each "
                "class is") if v["no_signal"] else None
    if v.get("information_gain", 1.0) >= NO_SIGNAL:
        return None
    # cxr-edge 0.37.0 and before recorded the information gain alone, which a model whose answers do tell the classes
    # apart also has where one temperature cannot match lopsided class shares: said of what was measured
    return ("cxr-train found that this model's probabilities on the validation films tell no more than how common each "
            "class is (its run.json, written before cxr-edge 0.38.0, does not say whether its answers still tell the "
            "classes apart: see the balanced accuracy below)")


def calibration_line(run: dict) -> str | None:
    """What cxr-train warned of the model's probabilities, in the words report.md, the model file's card and
    edge-classify say it (model metadata: calibration_warning), else None: the warnings "expect answers near 0 or 1"
    and "go by its answers, not by its probabilities" stopped at cxr-train's stderr and run.json, and the demo model's
    device printed 1.0000 for any film with no word of it (hunt 58, M1). A run.json written before cxr-train kept
    them (no temperature_note, no probabilities_note) gives None: nothing is said that was not found."""
    from train.calibration import LOWEST_TEMPERATURE

    v = run.get("validation") if isinstance(run.get("validation"), dict) else {}
    t = run.get("temperature")
    if not isinstance(t, (int, float)) or v.get("no_signal"):  # no_signal_line says what there is to say
        return None
    if v.get("probabilities_note"):
        return (f"this model's probabilities fit its validation films no better than how common each class is "
                f"(calibration temperature {t:.3g}): go by its answers, not by its probabilities as chances")
    if not v.get("temperature_note"):
        return None
    val = (run.get("counts") or {}).get("val") if isinstance(run.get("counts"), dict) else None
    n = sum(val.values()) if isinstance(val, dict) and all(isinstance(c, int) for c in val.values()) else None
    if v.get("accuracy") == 1.0 and n:
        why = f"all {n} validation films right"
    elif t <= LOWEST_TEMPERATURE * 1.01:
        why = "the lowest the fit allows" + (f", on {n} validation films" if n else "")
    else:  # too few validation films for one temperature: rough, not sharpened
        return None
    return (f"this model's probabilities were sharpened to near 0 or 1 (temperature {t:.2g}, {why}): read 1.0000 as "
            "its answer, not as certainty")


def one_class_line(probs: np.ndarray, classes: list[str]) -> str | None:
    """What to say when the model gives every test film one class: its intervals come out zero-wide
    (balanced accuracy '25.0 (25.0-25.0)'), which reads as certainty rather than uselessness."""
    given = probs.argmax(1)
    if len(given) < 2 or len(set(given.tolist())) > 1:
        return None
    return (f"the Keras model gives every one of the {len(given):,} test films the same class ({classes[int(given[0])]}): "
            "its figures say nothing of telling the classes apart")


def choose_smallest(report: dict, modes: list[str], run_dir: Path, log: Callable[[str], None] = print,
                    before: str | None = None) -> dict:
    """cxr-convert --auto: keep the smallest mode that passes the gate as model.tflite; say (``log``)
    why smaller ones lost, and whether model.tflite changed from ``before`` (the mode it was; None: none):
    "kept fp32" read as no change where the device's file had just gone from int8 to fp32.

    int8-full is tried only after int8: it saves under 1 KB and brings back the output grid whose
    exact ties argmax gives to the first class.
    """
    def rank(m: str) -> tuple[int, bool]:
        like = "int8" if m == "int8-full" and "int8" in modes else m
        return report["models"][like]["size_bytes"], m == "int8-full"

    by_size = sorted(modes, key=rank)
    rejected = []
    for m in by_size:
        g = report["models"][m]["gate"]
        if g["passed"]:
            write_bytes(run_dir / "model.tflite", (run_dir / f"model_{m}.tflite").read_bytes())
            what = (f"kept {m} as model.tflite" if m == before else f"chose {m} as model.tflite" if before is None
                    else f"model.tflite is now {m}, no longer {before}")
            log(f"--auto: {what}" + (f" (rejected: {', '.join(r['mode'] for r in rejected)})" if rejected else ""))
            return {"selected": m, "file": "model.tflite", "rejected": rejected, "before": before}
        rejected.append({"mode": m, "reasons": g["reasons"]})
    log("--auto: no mode passed the gate; model.tflite not written")
    return {"selected": None, "rejected": rejected, "before": before}
