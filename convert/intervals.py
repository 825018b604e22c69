"""Score-based intervals for where a percentile bootstrap collapses (pure functions).

A bootstrap resamples the films it has. When every film of a class is right (or every one
wrong), every resample is too, and the bootstrap interval of that class's part shrinks to a
point: 44 films all right gave balanced accuracy "100.0 (100.0–100.0)", as if 44 films proved
perfection. Wilson's interval for one proportion does not collapse at 0/n and n/n, and these
functions carry it over to what cxr-evaluate and cxr-compare report:

- a mean of independent proportions (balanced accuracy: each class's sensitivity, on its own
  films), by MOVER (Zou & Donner 2008, "Construction of confidence limits about effect measures",
  Stat Med 27:1693), which recovers each part's variance from its own Wilson limits (in edge.shares,
  where train's shortcut audit finds it too);
- a difference of two paired proportions (two models' sensitivity on the same films), by
  Newcombe's score method 10 (Newcombe 1998, Stat Med 17:2635);
- an AUROC, by Newcombe's score method 5 (Newcombe 2006, "Confidence intervals for an effect size
  measure based on the Mann-Whitney statistic. Part 2", Stat Med 25:559), and a macro AUROC of three
  or more classes from its classes' (auroc_interval, macro_auroc_interval). The percentile
  bootstrap they replace held the true AUROC in 51% of its 95% intervals with 2 films of a class, 79%
  with 5, 89% on 60 + 60 films at AUROC 0.96, and 55% on 15 + 15 films ranked near perfectly, where 45%
  of its intervals were the point 1.000 (benchmarks/interval_coverage.py, benchmarks/RESULTS.md).
"""

from __future__ import annotations

import math

import numpy as np

from convert.metrics import NAN, wilson_interval
from edge.shares import Z95, mean_of_proportions, mover_sum  # noqa: F401  one formula for the reports and the audit


def paired_difference(both: int, only_b: int, only_a: int, neither: int) -> tuple[float, float]:
    """Interval of p_B - p_A for two proportions measured on the same n items (Newcombe's method 10).

    ``both``: right by both; ``only_b``/``only_a``: right by one of them; ``neither``. Each marginal
    proportion gets its Wilson limits, joined by the items' correlation (phi, with Newcombe's
    continuity correction when it is positive). When no item is right by one only, the interval
    is still as wide as n items leave it, not the point 0 a bootstrap gives.
    """
    n = both + only_b + only_a + neither
    if n <= 0:
        return (NAN, NAN)
    p_b, p_a = (both + only_b) / n, (both + only_a) / n
    lb, ub = wilson_interval(both + only_b, n)
    la, ua = wilson_interval(both + only_a, n)
    denom = math.sqrt(float((both + only_b) * (only_a + neither) * (both + only_a) * (only_b + neither)))
    cross = both * neither - only_b * only_a
    if denom == 0:
        phi = 0.0
    elif cross > 0:
        phi = max(cross - n / 2, 0.0) / denom
    else:
        phi = cross / denom
    down = math.sqrt(max(0.0, (p_b - lb) ** 2 - 2 * phi * (p_b - lb) * (ua - p_a) + (ua - p_a) ** 2))
    up = math.sqrt(max(0.0, (ub - p_b) ** 2 - 2 * phi * (ub - p_b) * (p_a - la) + (p_a - la) ** 2))
    d = p_b - p_a
    return (max(-1.0, d - down), min(1.0, d + up))


def auroc_interval(a: float, n_pos: int, n_neg: int, z: float = Z95) -> tuple[float, float]:
    """Interval of an AUROC ``a`` (Mann-Whitney, ties as 1/2) of ``n_pos`` films against ``n_neg``, by Newcombe's
    score method 5: every A whose Hanley-McNeil variance, with both n_pos - 1 and n_neg - 1 replaced by N* - 1
    (N* = (n_pos + n_neg)/2), puts ``a`` within z standard errors of it. Like Wilson's, it does not collapse
    at 1.000 (22 + 22 films ranked perfectly are no proof that every film would be) and it widens as a class's
    films get few, where a bootstrap can only redraw the same few scores."""
    if n_pos <= 0 or n_neg <= 0 or a is None or math.isnan(a):
        return (NAN, NAN)
    n_star_less_1 = (n_pos + n_neg) / 2 - 1

    def inside(t: float) -> bool:
        var = t * (1 - t) * (1 + n_star_less_1 * ((1 - t) / (2 - t) + t / (1 + t))) / (n_pos * n_neg)
        return (a - t) ** 2 <= z * z * var

    def limit(out: float) -> float:  # bisection between a (inside) and ``out``, 0 or 1 (outside, unless a is)
        if inside(out):
            return out
        near = a
        for _ in range(60):
            mid = (near + out) / 2
            near, out = (mid, out) if inside(mid) else (near, mid)
        return near

    return (limit(0.0), limit(1.0))


def macro_auroc_interval(aucs: list[float], counts: list[int], z: float = Z95) -> tuple[float, float]:
    """Interval of the macro AUROC: the mean of the one-vs-rest AUROCs ``aucs`` of the classes with films on both
    sides (``counts``: each class's films), from the mean of their auroc_interval limits. The classes' AUROCs rank
    the same films, so they move together: MOVER, which takes them as independent, held the true macro AUROC of
    three classes in 87-92% of its 95% intervals; the mean of the limits, which takes them as moving as one, in
    96-99%. With two classes both AUROCs are one ranking, and it is that one's interval."""
    total = sum(counts)
    parts = [auroc_interval(a, n, total - n, z) for a, n in zip(aucs, counts) if 0 < n < total and not math.isnan(a)]
    if not parts:
        return (NAN, NAN)
    if len(parts) == 2 and len(counts) == 2:
        return parts[1]
    return (float(np.mean([lo for lo, _ in parts])), float(np.mean([hi for _, hi in parts])))
