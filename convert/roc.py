"""ROC curves and AUROC in plain numpy (Mann-Whitney, ties counted as 1/2).

Same conventions as :mod:`convert.metrics`: integer labels, ``(n, n_classes)`` probabilities,
``nan`` rather than an exception when a class is absent.
"""

from __future__ import annotations

import math

import numpy as np

from convert.metrics import NAN, _labels, _probs, wilson_interval
from edge.decision import labels_for


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


SMALLEST_FLOAT32 = float(np.nextafter(np.float32(0), np.float32(1)))  # 1.4e-45, a subnormal


def ranking_scores(probs: np.ndarray) -> np.ndarray:
    """The score each class's one-vs-rest ranking (AUROC, ROC curve) orders films by, one column per class.

    It is the log-odds of the class against all the others, ``log p_k - log sum_{j != k} p_j``, each p
    floored at the smallest positive float32. Ranking by ``p[:, k]`` itself tied films that a confident
    model told apart: its float32 p(COVID) is exactly 1.0 for many films while the other classes' p still
    rank them (2e-12 against 3.8e-16). With two classes it is ``log p_k - log p_other``, the same ranking
    for both classes with the sign turned, so a two-class model has one AUROC and two mirrored ROC curves.
    It rises with ``p[:, k]`` wherever p does not saturate, so a threshold on p still lands on its curve.
    Only films whose other classes' p all underflow to 0 still tie.
    """
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] < 2:
        return p
    logs = np.log(np.maximum(p, SMALLEST_FLOAT32))
    if p.shape[1] == 2:
        margin = logs[:, 1] - logs[:, 0]
        return np.stack([-margin, margin], axis=1)
    others = [np.logaddexp.reduce(np.delete(logs, k, axis=1), axis=1) for k in range(p.shape[1])]
    return logs - np.stack(others, axis=1)


def _auroc_per_class(y_true: np.ndarray, probs: np.ndarray) -> list[float]:
    y = _labels(y_true)
    s = ranking_scores(_probs(probs, y.size))
    return [auroc(y == k, s[:, k]) for k in range(s.shape[1])]


def macro_auroc(y_true: np.ndarray, probs: np.ndarray) -> float:
    """One-vs-rest AUROC averaged over classes that have both positives and negatives (ranking_scores).

    With two classes both classes' AUROCs are the same number, so this is the second's, computed once.
    """
    y = _labels(y_true)
    p = _probs(probs, y.size)
    if p.shape[1] == 2:  # one ranking: both classes' AUROC, computed once
        return auroc(y == 1, ranking_scores(p)[:, 1])
    vals = [v for v in _auroc_per_class(y, p) if not math.isnan(v)]
    return float(np.mean(vals)) if vals else NAN


def threshold_for_sensitivity(y_true_binary: np.ndarray, scores: np.ndarray, target: float) -> float:
    """The highest threshold at which at least ``target`` of the positives score ``>=`` it.

    With the positives' scores sorted from high to low it is the ceil(target * n)-th of them, so
    the sensitivity it gives on these cases is the smallest one that reaches the target (ties can
    only add positives). ``nan`` when there are no positives.
    """
    if not 0.0 < target <= 1.0:
        raise ValueError(f"target sensitivity must be in (0, 1], got {target}")
    y = _binary(y_true_binary)
    s = np.asarray(scores, dtype=np.float64)
    if s.shape != y.shape:
        raise ValueError(f"scores {s.shape} and labels {y.shape} differ in shape")
    positives = np.sort(s[y])[::-1]
    if positives.size == 0:
        return NAN
    k = math.ceil(round(target * positives.size, 9))  # round: 0.95 * 20 must give 19, not 19.000000000000004
    k = max(1, k)  # a target under 1/n: the highest positive (k = 0 took the lowest, a rule of 100% sensitivity)
    return float(positives[k - 1])


def operating_points(y_choose: np.ndarray, p_choose: np.ndarray, y_test: np.ndarray, p_test: np.ndarray,
                     classes: list[str], targets: tuple[float, ...] = (0.90, 0.95)) -> list[dict]:
    """What flagging a class whenever its probability reaches a threshold would cost.

    A screening use may want to miss fewer films of one class than the most-probable-class label
    does, and pay in specificity. For each class (one-vs-rest) and target sensitivity, the
    threshold is chosen on one set (``*_choose``, e.g. the validation split) and scored on
    another (``*_test``), so the test figures are not fitted to the test films. Sensitivity and
    specificity come with Wilson 95% intervals.
    """
    yc, pc = _labels(y_choose), _probs(p_choose, len(y_choose))
    yt, pt = _labels(y_test), _probs(p_test, len(y_test))
    rows = []
    for k, name in enumerate(classes):
        for target in targets:
            threshold = threshold_for_sensitivity(yc == k, pc[:, k], target)
            saturated = (saturation_note(yc == k, pc[:, k], name, target) if threshold >= 1.0 else
                         zero_note(yc == k, pc[:, k], name, target) if threshold <= 0.0 else None)
            if saturated:  # a rule the device refuses (0 < P < 1) is not offered to type back
                threshold = NAN
            rows.append({
                "class": name, "target_sensitivity": target, "threshold": threshold,
                **({"not_available": saturated} if saturated else {}),
                "chosen_on": {"n_positive": int((yc == k).sum()),
                              "sensitivity": rates_at_threshold(yc == k, pc[:, k], threshold)["sensitivity"]},
                "versus_most_probable": against_most_probable(yc, pc, k, threshold),
                "test": rates_at_threshold(yt == k, pt[:, k], threshold),
            })
    return rows


def _of_films(k: int, n: int, name: str, films: str) -> str:
    """'k of the n COVID validation films have', said of one film as one: a 3-class run's note read '1 of the 1
    Lung_Opacity validation films have p = 1' (hunt 63, H32)."""
    if n == 1:
        return f"the one {name} {films.replace('films', 'film', 1)} has"
    return f"{k} of the {n} {name} {films} {'has' if k == 1 else 'have'}"


def saturation_note(positive: np.ndarray, scores: np.ndarray, name: str, target: float,
                    films: str = "validation films") -> str:
    """Why no rule reaches ``target``: the probabilities saturate at 1 (a calibration temperature far
    below 1 makes the model that sure), so the threshold would be 1, which no rule can be (edge's
    --threshold takes 0 < P < 1). Says which sensitivities, if any, would still give a rule."""
    positive = np.asarray(positive, bool)
    ones, n = int((np.asarray(scores)[positive] >= 1.0).sum()), int(positive.sum())
    then = (f"a sensitivity above {ones / n:.3g} gives a threshold below 1" if ones < n else
            "no sensitivity gives a threshold below 1")
    return (f"probabilities saturate at 1: {_of_films(ones, n, name, films)} p = 1, so the threshold for "
            f"{target:g} sensitivity would be 1, which no rule can be (a threshold lies strictly between 0 and 1); "
            f"{then}")


def zero_note(positive: np.ndarray, scores: np.ndarray, name: str, target: float,
              films: str = "validation films") -> str:
    """Why no rule reaches ``target`` from above 0: so many of the class's films have p = 0 (a model sure they
    are not of it, its float32 probability underflowing) that the threshold would be 0, which calls every film the
    class and which no rule can be (edge's --threshold takes 0 < P < 1). Says which sensitivities still give one:
    a threshold above 0 finds at most the films above 0."""
    positive = np.asarray(positive, bool)
    above, n = int((np.asarray(scores)[positive] > 0.0).sum()), int(positive.sum())
    then = (f"a sensitivity of {above} in {n} or less gives a threshold above 0" if above else
            "no sensitivity gives a threshold above 0")
    return (f"{_of_films(n - above, n, name, films)} p = 0, so the threshold for {target:g} sensitivity would be 0, "
            f"which no rule can be (a threshold lies strictly between 0 and 1; p >= 0 calls every film {name}); {then}")


def against_most_probable(y: np.ndarray, p: np.ndarray, k: int, threshold: float) -> dict:
    """The rule 'class k whenever p >= threshold' against the most probable class, on the films
    it was chosen on. The highest threshold that reaches a target sensitivity lies above the most
    probable class's when that class already exceeds the target there; the rule then finds fewer
    of the class's films (``less_sensitive``) and trades sensitivity for specificity, the
    opposite of what a screening threshold is for. So is a rule that calls the class on some of the
    films the most probable class calls it on and no other: on the films it was chosen on it may
    find them all (15 COVID films the model already found, the rule at their lowest probability,
    0.79), and on new films it finds fewer. Counted by films, not by how many are called: with 3+
    classes the most probable class is no threshold on p(k), and a rule calling fewer films can
    find more of them."""
    positive = np.asarray(y) == k
    argmax = labels_for(np.asarray(p), None) == k
    by_rule = np.asarray(p)[:, k] >= threshold  # nan (no positives to choose on) calls nothing
    plain = rates_of_flags(positive, argmax)
    found = int((by_rule & positive).sum())
    narrower = not (by_rule & ~argmax).any() and by_rule.sum() < argmax.sum()  # a strict subset of its calls
    # p >= t above 0.5 is always the most probable class, whatever the number of classes (the others share less
    # than 0.5): a subset of its calls on any films, though here it may call exactly the same ones
    above_half = threshold > 0.5
    return {"sensitivity": plain["sensitivity"], "tp": plain["tp"], "n_positive": int(positive.sum()),
            "called": int(argmax.sum()), "called_by_rule": int(by_rule.sum()), "found_by_rule": found,
            "less_sensitive": bool(found < plain["tp"] or narrower or above_half), "above_half": bool(above_half)}


def rates_at_threshold(y_true_binary: np.ndarray, scores: np.ndarray, threshold: float) -> dict:
    """Counts, sensitivity and specificity (Wilson 95% intervals) when a case is called positive
    at ``score >= threshold``: what edge-classify --threshold does for its class."""
    return rates_of_flags(y_true_binary, np.asarray(scores, dtype=np.float64) >= threshold)


def rates_of_flags(y_true_binary: np.ndarray, flagged: np.ndarray) -> dict:
    """Counts, sensitivity and specificity (Wilson 95% intervals) of a yes/no call per case."""
    positive, flagged = _binary(y_true_binary), np.asarray(flagged, dtype=bool)
    tp, fn = int((flagged & positive).sum()), int((~flagged & positive).sum())
    tn, fp = int((~flagged & ~positive).sum()), int((flagged & ~positive).sum())
    return {"tp": tp, "fn": fn, "tn": tn, "fp": fp,
            "sensitivity": tp / (tp + fn) if tp + fn else NAN, "sensitivity_ci": list(wilson_interval(tp, tp + fn)),
            "specificity": tn / (tn + fp) if tn + fp else NAN, "specificity_ci": list(wilson_interval(tn, tn + fp))}
