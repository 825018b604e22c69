"""Score-based intervals for where a percentile bootstrap collapses (pure functions).

A bootstrap resamples the films it has. When every film of a class is right (or every one
wrong), every resample is too, and the bootstrap interval of that class's part shrinks to a
point: 44 films all right gave balanced accuracy "100.0 (100.0–100.0)", as if 44 films proved
perfection. Wilson's interval for one proportion does not collapse at 0/n and n/n, and these
functions carry it over to what cxr-evaluate and cxr-compare report:

- a mean of independent proportions (balanced accuracy: each class's sensitivity, on its own
  films), by MOVER (Zou & Donner 2008, "Construction of confidence limits about effect measures",
  Stat Med 27:1693), which recovers each part's variance from its own Wilson limits;
- a difference of two paired proportions (two models' sensitivity on the same films), by
  Newcombe's score method 10 (Newcombe 1998, Stat Med 17:2635).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from convert.metrics import NAN, wilson_interval


def mover_sum(points: Sequence[float], intervals: Sequence[Sequence[float]],
              weights: Sequence[float]) -> tuple[float, float]:
    """The interval of ``sum(w * point)`` over independent estimates, each with its own interval.

    Each part's distance to its lower (upper) limit stands for its spread on that side; the
    sum's limits add those distances in quadrature. With one part of weight 1 it returns that
    part's interval unchanged. ``(nan, nan)`` when there is no part or a limit is missing.
    """
    if not points or len(points) != len(intervals) or len(points) != len(weights):
        return (NAN, NAN)
    if any(lim is None or math.isnan(lim) for iv in intervals for lim in iv) or any(math.isnan(p) for p in points):
        return (NAN, NAN)
    total = sum(w * p for w, p in zip(weights, points))
    down = math.sqrt(sum((w * (p - lo) if w >= 0 else w * (p - hi)) ** 2
                         for w, p, (lo, hi) in zip(weights, points, intervals)))
    up = math.sqrt(sum((w * (hi - p) if w >= 0 else w * (lo - p)) ** 2
                       for w, p, (lo, hi) in zip(weights, points, intervals)))
    return (total - down, total + up)


def mean_of_proportions(successes: Sequence[int], totals: Sequence[int]) -> tuple[float, float]:
    """Interval of the mean of independent proportions ``successes[i] / totals[i]`` (MOVER over
    Wilson limits): balanced accuracy from each present class's right answers and films. One class
    gives its Wilson interval. Classes with no films are left out, as balanced accuracy leaves them."""
    parts = [(s, t) for s, t in zip(successes, totals) if t > 0]
    if not parts:
        return (NAN, NAN)
    lo, hi = mover_sum([s / t for s, t in parts], [wilson_interval(s, t) for s, t in parts], [1 / len(parts)] * len(parts))
    return (max(0.0, lo), min(1.0, hi))


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
