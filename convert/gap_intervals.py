"""How sure the gate's per-class sensitivity change is: a paired 95% interval of each class's sensitivity, the .tflite
file's minus the Keras model's, on the same test films (Newcombe's method 10, as cxr-compare gives it). report.md's
"Δ sens." was a bare "+0.0" on 9 films a class, which read as "quantization cost nothing", where those films leave
room for about 18 to 30 points either way (no flips); a ship decision on "within 1 point" needs the room as well as the point."""

from __future__ import annotations

import numpy as np

from convert.intervals import paired_difference
from edge.figures import kept_as_shown


def shown_end(v: float) -> str:
    """An end of such an interval as report.md and the terminal write it ('+3.4')."""
    return f"{v:+.1f}"


def sensitivity_gap_intervals(y: np.ndarray, reference_probs: np.ndarray, probs: np.ndarray,
                              classes: list[str]) -> dict[str, list[float] | None]:
    """``<class>`` -> [low, high] of the file's sensitivity minus Keras's in percentage points (2 decimals, more where fewer would be shown otherwise), each
    model labelling a film by its most probable class, as the gate's own figures do; None for a class with no test
    film. Paired: a film both models get right or both miss narrows it, so it is what the flips leave open."""
    return answer_gap_intervals(y, np.asarray(reference_probs).argmax(1), np.asarray(probs).argmax(1), classes)


def answer_gap_intervals(y: np.ndarray, reference_labels: np.ndarray, labels: np.ndarray,
                         classes: list[str]) -> dict[str, list[float] | None]:
    """As :func:`sensitivity_gap_intervals`, of the answers each model gave (``reference_labels``, ``labels``: class
    indices), so that a file judged under its stored rule (convert.gate.gate_under_rule: each model at its own
    threshold) gets the same paired interval from the same paired counts: its worst-class line had a bare point."""
    y = np.asarray(y)
    right_ref = np.asarray(reference_labels) == y
    right_file = np.asarray(labels) == y
    out: dict[str, list[float] | None] = {}
    for k, c in enumerate(classes):
        on = y == k
        if not on.any():
            out[c] = None
            continue
        a, b = right_ref[on], right_file[on]
        lo, hi = paired_difference(int(np.sum(a & b)), int(np.sum(b & ~a)), int(np.sum(a & ~b)), int(np.sum(~a & ~b)))
        out[c] = [kept_as_shown(100 * v, shown_end) for v in (lo, hi)]
    return out
