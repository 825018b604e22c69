"""Every metric for one model on one labelled set, with its intervals, as JSON-safe data."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from convert.metrics import (NAN, _labels, _probs, accuracy, balanced_accuracy, confusion_matrix, one_class_reason,
                             per_class_metrics, to_jsonable, wilson_interval)
from convert.intervals import auroc_interval, macro_auroc_interval, mean_of_proportions
from convert.reliability import expected_calibration_error, reliability_bins
from convert.roc import _auroc_per_class, macro_auroc
from edge.decision import labels_for
from edge.figures import listed

ECE_BINS = 15  # equal-width bins of the top class's probability; report.md says so beside the figure
# --n-boot's ceiling (cxr-evaluate, cxr-compare): 1000x the default, some hours on a large set; 99999999999999999999
# failed "unexpected ValueError: Maximum allowed dimension exceeded" once the films were read and scored, and where no
# resample was drawn the report said that many were
MAX_RESAMPLES = 1_000_000


def bootstrap_ci(
    y_true: np.ndarray,
    probs: np.ndarray,
    statistic: Callable[[np.ndarray, np.ndarray], float],
    n_boot: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> tuple[float, float]:
    """Percentile bootstrap ``(1 - alpha)`` interval of ``statistic(y_true, probs)``.

    Cases are resampled with replacement within each class (a stratified bootstrap: every resample
    has as many films of each class as the set). The statistics here are class-conditional
    (balanced accuracy, AUROC, per-class differences), and a plain bootstrap of a small set draws
    resamples without a class: with 2 COVID films, both missed, one resample in 20 has none and
    scores the Normal films alone, which put 100% inside the interval of a model that found no
    COVID film. Indices come from ``np.random.default_rng(seed)``, so the result is deterministic;
    resamples where the statistic is nan are skipped. ``(nan, nan)`` if none is valid. Each class's
    cases are drawn from in the order of their ``probs`` rows (content_order), not the order given:
    that is the order the files were read in, so the same films and answers, renamed or reached
    through another layout, would otherwise get other resamples and another interval.
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
    members = [content_order(np.flatnonzero(y == c), p) for c in np.unique(y)]
    # Draw in chunks so memory stays bounded for large n; the stream is deterministic.
    chunk = max(1, min(n_boot, 4_000_000 // n))
    values = np.empty(n_boot, dtype=np.float64)
    done = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        while done < n_boot:
            m = min(chunk, n_boot - done)
            idx = np.concatenate([c[rng.integers(0, len(c), size=(m, len(c)))] for c in members], axis=1)
            for j in range(m):
                values[done + j] = statistic(y[idx[j]], p[idx[j]])
            done += m
    values = values[~np.isnan(values)]
    if values.size == 0:
        return (NAN, NAN)
    lo, hi = np.quantile(values, [alpha / 2.0, 1.0 - alpha / 2.0])
    return (float(lo), float(hi))


def content_order(idx: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``idx`` ordered by the content of ``rows[idx]`` (each row's values, the first column first).

    Rows that tie are equal in every value, so which of them comes first changes no resample: the
    order depends on the cases' values alone. A row of several columns (cxr-compare's true label
    and both models' answers) moves as one, so paired cases stay paired."""
    flat = rows[idx].reshape(len(idx), -1)
    return idx[np.lexsort(flat.T[::-1])] if flat.shape[1] else idx


def summarize(
    y_true: np.ndarray,
    probs: np.ndarray,
    class_names: list[str],
    n_boot: int = 1000,
    seed: int = 0,
    rule: tuple[int, float] | None = None,
) -> dict:
    """Every metric for one model on one labelled set, as a JSON-serialisable dict.

    Predictions are ``argmax(probs)``, or with ``rule`` (class index, threshold) what the device
    gives under edge.decision (that class whenever its probability reaches the threshold).
    Intervals: Wilson for accuracy, stratified percentile bootstrap (``seed``) for balanced accuracy,
    Newcombe's score interval for the macro AUROC (convert.intervals.macro_auroc_interval: the bootstrap
    held the true AUROC in 51% of its intervals with 2 films of a class). Where a class's films are all
    right or all wrong, no resample varies that class and the bootstrap is too narrow (44 films all right gave
    100-100, as if 44 films proved perfection): balanced accuracy then gets the MOVER interval
    of the classes' Wilson intervals (convert.intervals). A set of one class has no balanced accuracy: it and
    its interval are None and ``balanced_accuracy_no_value`` says why (that class's sensitivity is in per_class). Where a class present has a single
    film, its rank alone decides its AUROC: the macro AUROC then gets no interval, and
    ``macro_auroc_no_interval`` says why (auroc_no_interval; each class's too, ``auroc_per_class_no_interval``).
    All nan values are returned as ``None`` so ``json.dumps(..., allow_nan=False)`` succeeds.

    ``classes_present`` names the classes the set has films of; the PPV, NPV and F1 that their
    absence fixes are ``None`` (only_meaningful).
    """
    k = len(class_names)
    y = _labels(y_true, k)
    p = _probs(probs, y.size)
    if p.shape[1] != k:
        raise ValueError(f"probs has {p.shape[1]} columns but there are {k} class names")
    y_pred = labels_for(p, rule) if y.size else np.zeros(0, dtype=np.int64)
    cm = confusion_matrix(y, y_pred, k)

    def bal_acc(yt: np.ndarray, pr: np.ndarray) -> float:
        return balanced_accuracy(yt, labels_for(pr, rule), k)

    present = np.flatnonzero(cm.sum(axis=1))
    right, films = np.diag(cm)[present], cm.sum(axis=1)[present]
    # One class alone has no balanced accuracy (metrics.balanced_accuracy): its sensitivity, in per_class, is the figure.
    # A class the bootstrap cannot vary: the MOVER interval of the classes' Wilson intervals.
    if len(present) < 2:
        ba_ci = (NAN, NAN)
    elif np.any((right == 0) | (right == films)):
        ba_ci = mean_of_proportions(right.tolist(), films.tolist())
    else:
        ba_ci = bootstrap_ci(y, p, bal_acc, n_boot=n_boot, seed=seed)
    no_ci = auroc_no_interval(y, class_names)
    aucs = _auroc_per_class(y, p)
    report = {
        "n": int(y.size),
        "accuracy": accuracy(y, y_pred),
        "accuracy_ci": list(wilson_interval(int(np.trace(cm)), int(y.size))),
        "balanced_accuracy": balanced_accuracy(y, y_pred, k),
        "balanced_accuracy_ci": list(ba_ci),
        "macro_auroc": macro_auroc(y, p),
        "macro_auroc_ci": [None, None] if no_ci else list(macro_auroc_interval(aucs, films_of(y, k))),
        "auroc_per_class": dict(zip(class_names, aucs)),
        "auroc_per_class_ci": auroc_per_class_ci(y, p, class_names),  # a formula, no resampling: every table has it
        "ece": expected_calibration_error(y, p, ECE_BINS),
        "ece_bins": ECE_BINS,
        "confusion_matrix": cm.tolist(),
        "classes_present": [class_names[i] for i in present],
        "per_class": only_meaningful(per_class_metrics(cm, class_names), len(present)),
        "reliability": reliability_bins(y, p, ECE_BINS),
    }
    if why := one_class_reason([class_names[i] for i in present]):  # null, and why, where a script reads it
        report["balanced_accuracy_no_value"] = why
    if no_ci:  # a reader of report.json sees why the interval is null, as report.md says
        report["macro_auroc_no_interval"] = no_ci["macro"]
        report["auroc_per_class_no_interval"] = {c: why for c, why in no_ci.items() if c != "macro"}
    if rule is not None:
        report["rule"] = {"class": class_names[rule[0]], "threshold": float(rule[1])}
    return to_jsonable(report)


def shown_figure(summary: dict) -> tuple[float | None, list]:
    """A set's one figure with its interval, as report.md shows it: balanced accuracy, or for films of one class
    that class's sensitivity (report.json then holds no balanced accuracy: summarize)."""
    present = summary.get("classes_present")
    row = [r for r in summary.get("per_class") or [] if present is not None and len(present) == 1 and r["class"] == present[0]]
    if row:
        return row[0]["sensitivity"], row[0]["sensitivity_ci"]
    return summary["balanced_accuracy"], summary["balanced_accuracy_ci"]


NOT_MEANINGFUL = ("ppv", "ppv_ci", "npv", "npv_ci", "f1")


def only_meaningful(rows: list[dict], n_present: int) -> list[dict]:
    """per_class_metrics' rows with PPV, NPV and F1 set to None where the mix of films fixes them.

    A class with no films here has every answer of its own wrong (PPV 0, F1 0) and every other
    answer right (NPV 100) whatever the model does; with films of one class only, that class's
    answers are all right (PPV 100) and 'not this class' always wrong (NPV 0). Such figures read
    like a verdict on the model and are none. Sensitivity and specificity stay: each is a share of
    real films (a class's specificity on films of other classes is how often they were not called it), except the
    specificity of a class with no films where one class alone has films: it is that class's sensitivity again, or
    its complement's share, and a table gave a 'specificity 74.5' to Normal on 51 COVID films and none of Normal."""
    def blank(r: dict) -> dict:
        out = {**r, **{k: ([None, None] if k.endswith("_ci") else None) for k in NOT_MEANINGFUL}}
        return {**out, "specificity": None, "specificity_ci": [None, None]} if r["support"] == 0 and n_present < 2 else out

    return [blank(r) if r["support"] == 0 or n_present < 2 else r for r in rows]


def one_film_words(names: list[str]) -> str:
    """'one COVID film', or 'one COVID film and one Viral_Pneumonia film': why an AUROC has no interval."""
    return listed([f"one {c} film" for c in names])


def auroc_no_interval(y: np.ndarray, classes: list[str]) -> dict[str, str]:
    """Why AUROCs of these films (labels ``y``) get no interval: {} where every one may have its interval.

    A class present with a single film: its rank alone decides the figure, anywhere from 0 to 1 (a bootstrap, which
    kept that film in every resample, gave a test split of one COVID film and 18 Normal films a macro AUROC of 0.944
    (0.833 to 1.000)), and one film cannot show how another would rank. Then "macro" (the
    macro AUROC averages that class's AUROC in) and each class whose one-vs-rest AUROC has one film on either side
    (with two classes, both) map to the reason, 'one COVID film'."""
    y = np.asarray(y)
    counts = {c: int((y == k).sum()) for k, c in enumerate(classes)}
    single = [c for c, n in counts.items() if n == 1]
    if not single or sum(n > 0 for n in counts.values()) < 2:  # one class alone has no AUROC at all
        return {}
    out = {"macro": one_film_words(single)}
    for k, c in enumerate(classes):
        rest = [o for o, n in counts.items() if o != c and n]
        if counts[c] == 1:
            out[c] = one_film_words([c])
        elif counts[c] and sum(counts[o] for o in rest) == 1:  # the one film is all its 'rest'
            out[c] = one_film_words(rest)
    return out


def auroc_per_class_ci(y: np.ndarray, probs: np.ndarray, classes: list[str]) -> dict[str, list]:
    """Each class's one-vs-rest AUROC interval (Newcombe's, convert.intervals.auroc_interval): the per-class
    table gives every other figure with its interval, and an AUROC of 0.95 on 12 films is no 0.95 on 1,200.
    [None, None] for a class with no films here, and for one whose AUROC has a single film on either side
    (auroc_no_interval: the summary's ``auroc_per_class_no_interval`` says why). Films ranked as
    convert.roc.ranking_scores ranks them, so a two-class model's two intervals are one."""
    y, probs = np.asarray(y), np.asarray(probs)
    none, counts = auroc_no_interval(y, classes), films_of(y, len(classes))
    return to_jsonable({c: [None, None] if c in none else list(auroc_interval(a, counts[k], y.size - counts[k]))
                        for k, (c, a) in enumerate(zip(classes, _auroc_per_class(y, probs)))})


def films_of(y: np.ndarray, k: int) -> list[int]:
    """How many films of each of ``k`` classes the labels ``y`` hold."""
    return np.bincount(np.asarray(y, dtype=np.int64), minlength=k)[:k].tolist()
