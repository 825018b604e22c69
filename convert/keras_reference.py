"""The Keras model's answers on the test split: the reference each .tflite is gated against (convert.gate), its
calibration before and after temperature scaling, and the warnings of what a gate's pass is worth (no signal in
cxr-train's validation answers, one answer for every film, an interval to chance) said before any file is scored."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from convert.chance import chance_line
from convert.gate import calibration_line, no_signal_line, one_class_line
from convert.reliability import expected_calibration_error
from convert.summary import summarize


def keras_reference(run: dict, model: Any, x_test: np.ndarray, y_test: np.ndarray, classes: list[str], temperature: float,
                    n_boot: int, log: Callable[[str], None]) -> tuple[np.ndarray, dict, list[str], str | None, dict]:
    """(the Keras model's calibrated probabilities on the test films, their summary, the chance warnings for stderr,
    report.md and report.json, cxr-train's warning of its probabilities or None, report.json's calibration); the
    warnings are logged here, once, the chance warnings' last saying what the gate's pass is then worth."""
    from edge.model import softmax
    from train.calibration import nll
    from train.fit import logits_of

    chance_warnings = [flat] if (flat := no_signal_line(run)) is not None else []  # stderr, report.md, report.json
    ref_logits = logits_of(model, x_test)
    ref_probs = softmax(ref_logits, temperature)
    reference = summarize(y_test, ref_probs, classes, n_boot=n_boot)
    if (one := one_class_line(ref_probs, classes)) is not None:
        chance_warnings.append(one)
    elif (near := chance_line(reference, "the test films")) is not None:  # nearly one answer, or an interval to chance
        chance_warnings.append(f"the Keras model: {near}")
    if chance_warnings:  # what the gate's pass is worth, said once after them
        chance_warnings[-1] += "; a gate that passes says only that quantization kept the model as it was"
    if (sharp := calibration_line(run)) is not None:  # of its probabilities, not of the gate: after that sentence
        chance_warnings.append(f"cxr-train found that {sharp}")  # and in each file's card (convert.card)
    for line in chance_warnings:
        log(f"warning: {line}")
    calibration = {"temperature": temperature, "fitted_on": "validation split",
                   "test_ece_before": expected_calibration_error(y_test, softmax(ref_logits, 1.0)),
                   "test_ece_after": reference["ece"],
                   "test_nll_before": nll(ref_logits, y_test, 1.0), "test_nll_after": nll(ref_logits, y_test, temperature)}
    return ref_probs, reference, chance_warnings, sharp, calibration
