"""Evaluation metrics for the chest X-ray classifier, in plain numpy.

Why a hand-written module instead of scikit-learn/scipy: the numbers in a model report
(sensitivity with confidence intervals, AUROC, calibration) must be computed identically on
the training workstation, in CI and next to the converted edge model, where only numpy is
installed. Every function here is small, pure and deterministic (bootstrap resampling takes an
explicit seed), undefined quantities such as 0/0 come back as ``nan`` rather than raising or
warning, and :func:`summarize` turns everything into a JSON-safe dict (``nan`` -> ``None``)
so a report can be written with ``json.dumps(..., allow_nan=False)``.

Conventions: ``y_true`` holds integer class indices ``0..n_classes-1``; ``probs`` is an
``(n, n_classes)`` array of class probabilities; in a confusion matrix rows are the true class
and columns the predicted class.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

_Z95 = 1.959963984540054
NAN = float("nan")


# --------------------------------------------------------------------------- helpers


def _ratio(num: float, den: float) -> float:
    """num/den as a Python float, or nan when the denominator is zero (no warning)."""
    return float(num) / float(den) if den else NAN


def _labels(y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """Validate integer class labels (1-D) and return them as int64."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {arr.shape}")
    if arr.size and arr.dtype.kind == "f" and not np.all(np.mod(arr, 1) == 0):
        raise ValueError("labels must be integer class indices")
    arr = arr.astype(np.int64, copy=False)
    if n_classes is not None and arr.size and (arr.min() < 0 or arr.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes - 1}]")
    return arr


def _probs(probs: np.ndarray, n: int | None = None) -> np.ndarray:
    """Validate an (n, n_classes) probability/score matrix."""
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"probs must be 2-D (n, n_classes), got shape {p.shape}")
    if n is not None and p.shape[0] != n:
        raise ValueError(f"probs has {p.shape[0]} rows but there are {n} labels")
    return p


def to_jsonable(obj: Any) -> Any:
    """Recursively convert numpy types to Python ones, tuples to lists and nan/inf to None."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        f = float(obj)
        return f if math.isfinite(f) else None
    return obj


# --------------------------------------------------------------------------- proportions


def wilson_interval(successes: int, total: int, z: float = _Z95) -> tuple[float, float]:
    """Wilson score confidence interval for a binomial proportion (95% by default).

    Unlike the normal (Wald) interval it stays inside [0, 1] and behaves at 0/n and n/n,
    which matters for small per-class counts. ``total == 0`` gives ``(nan, nan)``.
    """
    if total <= 0:
        return (NAN, NAN)
    if successes < 0 or successes > total:
        raise ValueError(f"successes={successes} must lie in [0, total={total}]")
    n = float(total)
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    lo = 0.0 if successes == 0 else max(0.0, centre - half)  # exact ends; no round-off
    hi = 1.0 if successes == total else min(1.0, centre + half)
    return (lo, hi)


def _ci(successes: int, total: int) -> list[float]:
    return list(wilson_interval(successes, total))


# --------------------------------------------------------------------------- confusion matrix


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) int64 count matrix; rows = true class, columns = predicted."""
    t = _labels(y_true, n_classes)
    p = _labels(y_pred, n_classes)
    if t.shape != p.shape:
        raise ValueError(f"y_true {t.shape} and y_pred {p.shape} differ in length")
    counts = np.bincount(t * n_classes + p, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes).astype(np.int64)


def per_class_metrics(cm: np.ndarray, class_names: list[str]) -> list[dict]:
    """One-vs-rest counts and rates for every class of a confusion matrix.

    Each dict has ``class``, ``support`` (true count), ``tp``, ``fn``, ``fp``, ``tn``,
    ``sensitivity`` (recall), ``specificity``, ``ppv`` (precision), ``npv`` and ``f1``, plus
    Wilson intervals ``sensitivity_ci``, ``specificity_ci`` and ``ppv_ci`` as ``[lo, hi]``.
    Rates whose denominator is zero are ``nan`` (their interval ``[nan, nan]``).
    """
    cm = np.asarray(cm, dtype=np.int64)
    k = len(class_names)
    if cm.shape != (k, k):
        raise ValueError(f"confusion matrix shape {cm.shape} does not match {k} class names")
    total = int(cm.sum())
    rows = cm.sum(axis=1)
    cols = cm.sum(axis=0)
    out: list[dict] = []
    for i, name in enumerate(class_names):
        tp = int(cm[i, i])
        fn = int(rows[i]) - tp
        fp = int(cols[i]) - tp
        tn = total - tp - fn - fp
        out.append(
            {
                "class": name,
                "support": tp + fn,
                "tp": tp,
                "fn": fn,
                "fp": fp,
                "tn": tn,
                "sensitivity": _ratio(tp, tp + fn),
                "sensitivity_ci": _ci(tp, tp + fn),
                "specificity": _ratio(tn, tn + fp),
                "specificity_ci": _ci(tn, tn + fp),
                "ppv": _ratio(tp, tp + fp),
                "ppv_ci": _ci(tp, tp + fp),
                "npv": _ratio(tn, tn + fn),
                "f1": _ratio(2 * tp, 2 * tp + fp + fn),
            }
        )
    return out


def balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> float:
    """Mean recall over the classes present in ``y_true`` (nan if there are no cases)."""
    cm = confusion_matrix(y_true, y_pred, n_classes)
    support = cm.sum(axis=1)
    present = support > 0
    if not present.any():
        return NAN
    return float(np.mean(np.diag(cm)[present] / support[present]))


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of exact label matches (nan if there are no cases)."""
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true {t.shape} and y_pred {p.shape} differ in shape")
    return float(np.mean(t == p)) if t.size else NAN


# --------------------------------------------------------------------------- ROC / AUROC


def _binary(y_true_binary: np.ndarray) -> np.ndarray:
    y = np.asarray(y_true_binary)
    if y.ndim != 1:
        raise ValueError(f"binary labels must be 1-D, got shape {y.shape}")
    return y.astype(bool)  # nonzero / True = positive


def roc_curve(
    y_true_binary: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ROC curve points ``(fpr, tpr, thresholds)``; a case is positive when score >= threshold.

    One point per distinct score (tied scores move the curve diagonally, which is what makes
    the trapezoidal area equal the Mann-Whitney AUROC), preceded by ``(0, 0)`` at threshold
    ``+inf``; the last point is ``(1, 1)``. If a class is absent its rate is all ``nan``.
    """
    y = _binary(y_true_binary)
    s = np.asarray(scores, dtype=np.float64)
    if s.shape != y.shape:
        raise ValueError(f"scores {s.shape} and labels {y.shape} differ in shape")
    order = np.argsort(-s, kind="stable")
    s_sorted = s[order]
    y_sorted = y[order]
    # index of the last element of each run of equal scores
    last = np.flatnonzero(np.r_[s_sorted[1:] != s_sorted[:-1], True]) if s.size else np.array([], int)
    tps = np.cumsum(y_sorted)[last].astype(np.float64)
    fps = (last + 1) - tps
    tps = np.r_[0.0, tps]
    fps = np.r_[0.0, fps]
    thresholds = np.r_[np.inf, s_sorted[last]]
    n_pos = float(y.sum())
    n_neg = float(y.size - y.sum())
    tpr = tps / n_pos if n_pos else np.full_like(tps, np.nan)
    fpr = fps / n_neg if n_neg else np.full_like(fps, np.nan)
    return fpr, tpr, thresholds


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks with ties given their average rank (scipy.stats.rankdata 'average')."""
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)  # rank of the last member of each tie group
    return (upper - (counts - 1) / 2.0)[inverse.reshape(-1)]


def auroc(y_true_binary: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve as the Mann-Whitney U statistic, ties counted as 1/2.

    Equals P(score of a random positive > score of a random negative) + 0.5 P(tie).
    ``nan`` when only one class is present.
    """
    y = _binary(y_true_binary)
    s = np.asarray(scores, dtype=np.float64)
    if s.shape != y.shape:
        raise ValueError(f"scores {s.shape} and labels {y.shape} differ in shape")
    n_pos = int(y.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return NAN
    rank_sum = float(_average_ranks(s)[y].sum())
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def _auroc_per_class(y_true: np.ndarray, probs: np.ndarray) -> list[float]:
    y = _labels(y_true)
    p = _probs(probs, y.size)
    return [auroc(y == k, p[:, k]) for k in range(p.shape[1])]


def macro_auroc(y_true: np.ndarray, probs: np.ndarray) -> float:
    """One-vs-rest AUROC averaged over classes that have both positives and negatives.

    With two classes this is exactly ``auroc(y_true == 1, probs[:, 1])`` (computed that way
    so float round-off in ``1 - p`` cannot create or break ties).
    """
    y = _labels(y_true)
    p = _probs(probs, y.size)
    if p.shape[1] == 2:
        return auroc(y == 1, p[:, 1])
    vals = [v for v in _auroc_per_class(y, p) if not math.isnan(v)]
    return float(np.mean(vals)) if vals else NAN


# --------------------------------------------------------------------------- bootstrap


def bootstrap_ci(
    y_true: np.ndarray,
    probs: np.ndarray,
    statistic: Callable[[np.ndarray, np.ndarray], float],
    n_boot: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> tuple[float, float]:
    """Percentile bootstrap ``(1 - alpha)`` interval of ``statistic(y_true, probs)``.

    Cases are resampled with replacement (all resample indices drawn up front from
    ``np.random.default_rng(seed)``, so the result is deterministic); resamples where the
    statistic is nan (e.g. AUROC with one class) are skipped. ``(nan, nan)`` if none is valid.
    """
    y = np.asarray(y_true)
    p = np.asarray(probs)
    n = y.shape[0]
    if p.shape[0] != n:
        raise ValueError(f"probs has {p.shape[0]} rows but there are {n} labels")
    if n == 0 or n_boot <= 0:
        return (NAN, NAN)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha={alpha} must lie in (0, 1)")
    rng = np.random.default_rng(seed)
    # Draw in chunks so memory stays bounded for large n; the stream is deterministic.
    chunk = max(1, min(n_boot, 4_000_000 // n))
    values = np.empty(n_boot, dtype=np.float64)
    done = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        while done < n_boot:
            m = min(chunk, n_boot - done)
            idx = rng.integers(0, n, size=(m, n))
            for j in range(m):
                values[done + j] = statistic(y[idx[j]], p[idx[j]])
            done += m
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (NAN, NAN)
    lo, hi = np.quantile(values, [alpha / 2.0, 1.0 - alpha / 2.0])
    return (float(lo), float(hi))


# --------------------------------------------------------------------------- calibration


def _bin_index(conf: np.ndarray, n_bins: int) -> np.ndarray:
    """Equal-width bins over [0, 1]: bin b holds confidences in (b/n, (b+1)/n]; 0 goes to bin 0."""
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    return np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)


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
    edges = np.linspace(0.0, 1.0, n_bins + 1)
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


# --------------------------------------------------------------------------- reports


def summarize(
    y_true: np.ndarray,
    probs: np.ndarray,
    class_names: list[str],
    n_boot: int = 1000,
    seed: int = 0,
) -> dict:
    """Every metric for one model on one labelled set, as a JSON-serialisable dict.

    Predictions are ``argmax(probs)``. Intervals: Wilson for accuracy, percentile bootstrap
    (same ``seed``, hence the same resamples) for balanced accuracy and macro AUROC. All nan
    values are returned as ``None`` so ``json.dumps(..., allow_nan=False)`` succeeds.
    """
    k = len(class_names)
    y = _labels(y_true, k)
    p = _probs(probs, y.size)
    if p.shape[1] != k:
        raise ValueError(f"probs has {p.shape[1]} columns but there are {k} class names")
    y_pred = p.argmax(axis=1) if y.size else np.zeros(0, dtype=np.int64)
    cm = confusion_matrix(y, y_pred, k)

    def bal_acc(yt: np.ndarray, pr: np.ndarray) -> float:
        return balanced_accuracy(yt, pr.argmax(axis=1), k)

    report = {
        "n": int(y.size),
        "accuracy": accuracy(y, y_pred),
        "accuracy_ci": list(wilson_interval(int(np.trace(cm)), int(y.size))),
        "balanced_accuracy": balanced_accuracy(y, y_pred, k),
        "balanced_accuracy_ci": list(bootstrap_ci(y, p, bal_acc, n_boot=n_boot, seed=seed)),
        "macro_auroc": macro_auroc(y, p),
        "macro_auroc_ci": list(bootstrap_ci(y, p, macro_auroc, n_boot=n_boot, seed=seed)),
        "auroc_per_class": dict(zip(class_names, _auroc_per_class(y, p))),
        "ece": expected_calibration_error(y, p),
        "confusion_matrix": cm.tolist(),
        "per_class": per_class_metrics(cm, class_names),
        "reliability": reliability_bins(y, p),
    }
    return to_jsonable(report)


def agreement(probs_a: np.ndarray, probs_b: np.ndarray) -> dict:
    """How closely two models' outputs on the same inputs agree (e.g. float vs. int8 TFLite).

    Returns ``class_agreement`` (fraction of equal argmax), ``max_abs_prob_error``,
    ``mean_abs_prob_error`` and ``flipped`` (indices whose argmax differs). Values are
    Python floats/ints; with no rows the floats are nan.
    """
    a = _probs(probs_a)
    b = _probs(probs_b)
    if a.shape != b.shape:
        raise ValueError(f"probability arrays differ in shape: {a.shape} vs {b.shape}")
    if a.shape[0] == 0:
        return {
            "class_agreement": NAN,
            "max_abs_prob_error": NAN,
            "mean_abs_prob_error": NAN,
            "flipped": [],
        }
    diff = np.abs(a - b)
    same = a.argmax(axis=1) == b.argmax(axis=1)
    return {
        "class_agreement": float(same.mean()),
        "max_abs_prob_error": float(diff.max()),
        "mean_abs_prob_error": float(diff.mean()),
        "flipped": [int(i) for i in np.flatnonzero(~same)],
    }
