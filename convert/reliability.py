"""Calibration: reliability-diagram bins and expected calibration error (top label)."""

from __future__ import annotations

import numpy as np

from convert.metrics import NAN, _labels, _probs, _ratio


def _edges(n_bins: int) -> np.ndarray:
    """The bin edges b/n, each the float nearest it: np.linspace's are not always (its 7th of 12 is one step
    above 7/12), and a confidence of exactly 7/12 then fell in the bin above the one its edge closes."""
    return np.arange(n_bins + 1) / n_bins


def _bin_index(conf: np.ndarray, n_bins: int) -> np.ndarray:
    """Equal-width bins over [0, 1]: bin b holds confidences in (b/n, (b+1)/n]; 0 goes to bin 0."""
    return np.clip(np.searchsorted(_edges(n_bins), conf, side="left") - 1, 0, n_bins - 1)


def reliability_bins(y_true: np.ndarray, probs: np.ndarray, n_bins: int = 15) -> list[dict]:
    """Per confidence bin: ``lo``, ``hi``, ``count``, mean ``confidence`` and ``accuracy``.

    Confidence is the top-label probability and accuracy whether that label is correct;
    empty bins have ``nan`` confidence and accuracy. This is the data behind a reliability
    diagram and :func:`expected_calibration_error`.
    """
    if n_bins < 1:
        raise ValueError("n_bins must be >= 1")
    y = _labels(y_true)
    p = _probs(probs, y.size)
    conf = p.max(axis=1) if y.size else np.zeros(0)
    correct = (p.argmax(axis=1) == y).astype(np.float64) if y.size else np.zeros(0)
    b = _bin_index(conf, n_bins)
    count = np.bincount(b, minlength=n_bins)
    conf_sum = np.bincount(b, weights=conf, minlength=n_bins)
    acc_sum = np.bincount(b, weights=correct, minlength=n_bins)
    edges = _edges(n_bins)
    return [
        {
            "lo": float(edges[i]),
            "hi": float(edges[i + 1]),
            "count": int(count[i]),
            "confidence": _ratio(conf_sum[i], count[i]),
            "accuracy": _ratio(acc_sum[i], count[i]),
        }
        for i in range(n_bins)
    ]


def expected_calibration_error(y_true: np.ndarray, probs: np.ndarray, n_bins: int = 15) -> float:
    """Top-label ECE (Guo et al. 2017): sum over bins of (count/n) * |accuracy - confidence|."""
    bins = reliability_bins(y_true, probs, n_bins)
    n = sum(b["count"] for b in bins)
    if n == 0:
        return NAN
    return float(
        sum(b["count"] * abs(b["accuracy"] - b["confidence"]) for b in bins if b["count"]) / n
    )
