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
  Newcombe's score method 10 (Newcombe 1998, Stat Med 17:2635).
"""

from __future__ import annotations

import math

from convert.metrics import NAN, wilson_interval
from edge.shares import mean_of_proportions, mover_sum  # noqa: F401  one formula for the reports and the audit


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
