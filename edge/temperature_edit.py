"""Whether a model file's calibration temperature was changed since it was converted, told by its self-test.

The self-test's reference probabilities (edge.selftest) were computed with the temperature the file was converted
with. A temperature edited by hand inside the range a fit can give (1.0 -> 0.2: every answer reads over-confident)
passes edge.temperature_range, and the self-test then failed with "this device decodes, preprocesses or runs the model
otherwise": the device was blamed, and the user sent to reinstall Pillow. Probabilities are softmax(logits / T), so
the device's answers, re-scaled by T_now / T_then, give the reference ones again when only T changed, and nothing
else a device does wrong gives them so (pure numpy: the device has no more)."""

from __future__ import annotations

import numpy as np

from edge.temperature_range import HIGHEST_TEMPERATURE, LOWEST_TEMPERATURE

_SAME = 0.1  # a temperature within 10% of the metadata's is not said to be another one
_STEPS = 4001  # log-spaced trials over the range a fit gives: each within 0.15% of the next
# how near the re-scaled answers must come: the same weights give the converting machine's probabilities to about 1e-6,
# a device's own differences are no one scale, and a few reference films of nearly one probability (a tiny model) fit
# any nudge away from the middle to within 0.0024
_EXACT = 1 / 20  # of the file's tolerance


def converted_temperature(got: np.ndarray, want: np.ndarray, temperature: float, tolerance: float) -> float | None:
    """The temperature the file's reference probabilities ``want`` were computed with, where the device's ``got``
    (computed with the metadata's ``temperature``) match them within a twentieth of ``tolerance`` (as the same
    weights do) only when re-scaled to it, and it is more than 10% away from ``temperature``; else None (the
    self-test failed for another reason, or passed)."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    if got.shape != want.shape or got.ndim != 2 or got.shape[1] < 2 or not np.isfinite(got).all():
        return None
    logits = np.log(np.clip(got, 1e-300, 1.0)) * temperature  # the logits, up to a constant a film
    best, best_off = None, np.inf
    for then in np.geomspace(LOWEST_TEMPERATURE, HIGHEST_TEMPERATURE, _STEPS):
        z = logits / then
        p = np.exp(z - z.max(axis=1, keepdims=True))
        off = float(np.max(np.abs(p / p.sum(axis=1, keepdims=True) - want)))
        if off < best_off:
            best, best_off = float(then), off
    if best is None or best_off > tolerance * _EXACT or abs(np.log(best / temperature)) <= np.log1p(_SAME):
        return None
    return best
