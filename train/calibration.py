"""Temperature scaling (Guo et al., 2017, "On Calibration of Modern Neural Networks").

Why it lives here, in plain numpy: the temperature is fitted once on held-out validation
logits when a model is converted, stored in the model file's metadata, and applied on the
device as ``softmax(logits / T)``. A single scalar keeps the argmax (so accuracy is unchanged)
while fixing over-/under-confidence, and fitting it needs nothing beyond numpy: the NLL is a
convex function of 1/T, hence unimodal in log T, so a deterministic golden-section search on
log T finds the optimum without scipy or autodiff.
"""

from __future__ import annotations

import math

import numpy as np

# fit_temperature's bounds, kept in edge so that the device can tell a temperature edited by hand from a fitted one
from edge.temperature_range import HIGHEST_TEMPERATURE, LOWEST_TEMPERATURE

_INV_PHI = (math.sqrt(5.0) - 1.0) / 2.0  # 1/golden ratio ~ 0.618
NO_SIGNAL = 0.01  # nats a film: information_gain below it says the model has learnt nothing usable


def _check_temperature(temperature: float) -> None:
    if not (temperature > 0.0 and math.isfinite(temperature)):
        raise ValueError(f"temperature must be a positive finite number, got {temperature}")


def _log_softmax(logits: np.ndarray, temperature: float) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Numerically stable softmax of ``logits / temperature`` over the last axis."""
    _check_temperature(temperature)
    z = np.asarray(logits, dtype=np.float64) / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _validate(logits: np.ndarray, y_true: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y_true)
    if z.ndim != 2:
        raise ValueError(f"logits must be 2-D (n, n_classes), got shape {z.shape}")
    if y.ndim != 1 or y.shape[0] != z.shape[0]:
        raise ValueError(f"y_true must be 1-D with {z.shape[0]} labels, got shape {y.shape}")
    y = y.astype(np.int64, copy=False)
    if y.size and (y.min() < 0 or y.max() >= z.shape[1]):
        raise ValueError(f"labels must lie in [0, {z.shape[1] - 1}]")
    return z, y


def nll(logits: np.ndarray, y_true: np.ndarray, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the true labels under ``softmax(logits / T)``."""
    _check_temperature(temperature)
    z, y = _validate(logits, y_true)
    if y.size == 0:
        return float("nan")
    logp = _log_softmax(z, temperature)
    return float(-logp[np.arange(y.size), y].mean())


FEW_VALIDATION_FILMS = 20


def unconstrained_note(logits: np.ndarray, y_true: np.ndarray, temperature: float) -> str | None:
    """Why the temperature fitted on these validation answers is no calibration, or None.

    When every validation film is right, every sharpening lowers their NLL: the fit runs towards
    its lower bound and stops wherever the NLL underflows, and the device's probabilities come out
    near 0 or 1 whatever the film. A few wrong films can leave it at that bound too, and a handful
    of films cannot fix one number for all. (A model without signal is information_gain's case.)"""
    z, y = _validate(logits, y_true)
    if y.size < 2 or np.unique(y).size < 2:
        return None  # fit_temperature left the model alone (T = 1)
    if not np.any(z.argmax(1) != y):
        return (f"the model got all {y.size} validation films right, so calibration had no wrong answer to weigh "
                f"against sharpening its probabilities (temperature {temperature:.2g}): expect answers near 0 or 1 "
                "whatever the film. Calibration needs validation films it gets wrong: more, or harder, films")
    # with no signal, even the sharpest temperature leaves the answers near the class shares, as cxr-train's
    # no-signal warning says: "expect probabilities near 0 or 1" beside it contradicted it
    if temperature <= LOWEST_TEMPERATURE * 1.01 and information_gain(z, y, temperature) >= NO_SIGNAL:
        return (f"the calibration temperature ran to its lower bound ({LOWEST_TEMPERATURE:g}) on {y.size} validation "
                "films: the answers were sharpened as far as the fit may, so expect probabilities near 0 or 1. "
                "Calibration needs more validation films")
    if y.size < FEW_VALIDATION_FILMS:
        return (f"the calibration temperature ({temperature:.2g}) was fitted on only {y.size} validation films: "
                "expect the probabilities to be rough")
    return None


def fit_temperature(
    logits: np.ndarray,
    y_true: np.ndarray,
    bounds: tuple[float, float] = (LOWEST_TEMPERATURE, HIGHEST_TEMPERATURE),
) -> float:
    """Temperature T in ``bounds`` minimising the NLL of held-out ``logits``.

    Golden-section search over log T (60 iterations; the bracket shrinks by 0.618**60, far
    below float precision of T). Returns 1.0, i.e. "leave the model alone", when there are
    fewer than 2 samples or only one class is present, since T would then run to a bound.
    Raises ValueError for logits that are not all finite: no temperature minimises a nan NLL.
    """
    lo, hi = float(bounds[0]), float(bounds[1])
    if not (0.0 < lo < hi and math.isfinite(hi)):
        raise ValueError(f"bounds must satisfy 0 < lo < hi < inf, got {bounds}")
    z, y = _validate(logits, y_true)
    if not np.isfinite(z).all():  # every NLL would be nan, and the search would end at its upper bound as if fitted
        bad = int((~np.isfinite(z)).any(axis=1).sum())
        raise ValueError(f"the model gave {bad} of {y.size} validation films logits that are not finite (NaN or "
                         "infinity), so no calibration temperature can be fitted: its weights are broken; train it again")
    if y.size < 2 or np.unique(y).size < 2:
        return 1.0

    def f(log_t: float) -> float:
        return nll(z, y, math.exp(log_t))

    a, b = math.log(lo), math.log(hi)
    c = b - _INV_PHI * (b - a)
    d = a + _INV_PHI * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(60):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - _INV_PHI * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + _INV_PHI * (b - a)
            fd = f(d)
    return float(math.exp((a + b) / 2.0))


def information_gain(logits: np.ndarray, y_true: np.ndarray, temperature: float) -> float:
    """Nats per film by which the calibrated answers beat knowing only how common each class is.

    About 0 means the model carries no signal on these films: calibration then flattens its
    answers towards the class shares, whatever the film (a run stopped too early, or labels
    the films do not show), and cxr-train says so rather than leave a useless model to be used.
    """
    z, y = _validate(logits, y_true)
    if y.size == 0:
        return float("nan")
    share = np.bincount(y, minlength=z.shape[1]) / y.size
    return float(-np.log(share[y]).mean() - nll(z, y, temperature))
