"""Evaluation metrics for the chest X-ray classifier, in plain numpy: counts and proportions.

Sibling modules: :mod:`convert.roc` (ROC, AUROC), :mod:`convert.reliability` (calibration),
:mod:`convert.summary` (bootstrap intervals and the whole report for one model).

Why a hand-written module instead of scikit-learn/scipy: the numbers in a model report
(sensitivity with confidence intervals, AUROC, calibration) must be computed identically on
the training workstation, in CI and next to the converted edge model, where only numpy is
installed. Every function here is small, pure and deterministic (bootstrap resampling takes an
explicit seed), undefined quantities such as 0/0 come back as ``nan`` rather than raising or
warning, and :func:`convert.summary.summarize` turns everything into a JSON-safe dict (``nan`` -> ``None``)
so a report can be written with ``json.dumps(..., allow_nan=False)``.

Conventions: ``y_true`` holds integer class indices ``0..n_classes-1``; ``probs`` is an
``(n, n_classes)`` array of class probabilities; in a confusion matrix rows are the true class
and columns the predicted class.
"""

from __future__ import annotations

import math

import numpy as np

from edge.figures import counted
from edge.jsonable import to_jsonable  # noqa: F401  one function for report.json and edge-classify --info
from edge.shares import wilson_interval  # noqa: F401  one formula for the reports and the device

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
    if not np.isfinite(p).all():
        # NaN ranked first in the AUROC and last on the ROC curve, and picked thresholds that missed their target
        bad = int((~np.isfinite(p)).any(axis=1).sum())
        raise ValueError(f"the model gave {bad} of {counted(p.shape[0], 'film')} no finite probabilities (NaN or "
                         "infinity): its weights or its conversion are broken; train or convert it again")
    return p


# --------------------------------------------------------------------------- proportions


def beta_interval(a: int, b: int, level: float = 0.95) -> tuple[float, float]:
    """The central ``level`` interval of a Beta(a, b) distribution, for whole a, b >= 1.

    For whole numbers its distribution function is a binomial tail, I_x(a, b) = P(Binomial(a + b - 1, x)
    >= a), so no special-function library is needed; each end is found by bisection.
    """
    if a < 1 or b < 1:
        raise ValueError(f"Beta({a}, {b}): both must be whole numbers of at least 1")
    m = a + b - 1
    j = np.arange(a, m + 1)
    log_comb = np.array([math.lgamma(m + 1) - math.lgamma(k + 1) - math.lgamma(m - k + 1) for k in j])

    def cdf(x: float) -> float:
        if x <= 0.0:
            return 0.0
        if x >= 1.0:
            return 1.0
        return float(np.exp(log_comb + j * math.log(x) + (m - j) * math.log1p(-x)).sum())

    def quantile(q: float) -> float:
        lo, hi = 0.0, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if cdf(mid) < q else (lo, mid)
        return (lo + hi) / 2

    tail = (1.0 - level) / 2
    return quantile(tail), quantile(1.0 - tail)


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
    Wilson intervals ``sensitivity_ci``, ``specificity_ci``, ``ppv_ci`` and ``npv_ci`` as ``[lo, hi]``.
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
                "npv_ci": _ci(tn, tn + fn),
                "f1": _ratio(2 * tp, 2 * tp + fp + fn),
            }
        )
    return out


def sensitivities(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> list[float | None]:
    """Each class's recall: the share of its cases given its label (None for a class with no cases)."""
    cm = confusion_matrix(y_true, y_pred, n_classes)
    support = cm.sum(axis=1)
    return [float(cm[k, k] / support[k]) if support[k] else None for k in range(n_classes)]


def balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> float:
    """Mean recall over the classes present in ``y_true``; nan where fewer than two classes have films.

    With films of one class only, the 'mean' is that class's sensitivity, and a model that gives every film that
    class scores 1.0: report.json said ``balanced_accuracy: 1.0`` of a model that answers COVID to everything, and a
    script checking ``> 0.8`` passed it. Balanced accuracy measures telling classes apart, which needs two."""
    present = [s for s in sensitivities(y_true, y_pred, n_classes) if s is not None]
    return float(np.mean(present)) if len(present) >= 2 else NAN


def one_class_reason(present: list[str]) -> str | None:
    """Why a set's balanced accuracy is null (report.json's ``balanced_accuracy_no_value``), else None."""
    if len(present) != 1:
        return None
    return (f"one class present ({present[0]} films only): balanced accuracy needs films of two classes; "
            f"see per_class for {present[0]} sensitivity")


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of exact label matches (nan if there are no cases)."""
    t = np.asarray(y_true)
    p = np.asarray(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true {t.shape} and y_pred {p.shape} differ in shape")
    return float(np.mean(t == p)) if t.size else NAN


# --------------------------------------------------------------------------- agreement


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
