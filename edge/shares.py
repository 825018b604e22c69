"""Wilson's 95% interval of a share, the one formula of the reports and the device: also for a share a
model file stores without one (cxr-edge 0.32.0 and before stored what its untrained classes' films
were called as bare shares), so the file's left-out-class shares read as [value, low, high], as every
other share the card and --info give. Also MOVER's interval of a mean of such shares (balanced accuracy), for the
reports and train's shortcut audit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from edge.answer_worth import percent
from edge.figures import kept_as_shown

Z95 = 1.959963984540054


def wilson_interval(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score confidence interval for a binomial proportion (95% by default).

    Unlike the normal (Wald) interval it stays inside [0, 1] and behaves at 0/n and n/n,
    which matters for small per-class counts. ``total == 0`` gives ``(nan, nan)``.
    """
    if total <= 0:
        return (math.nan, math.nan)
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


def share_with_ci(share: Any, n: Any, ci: Any = None) -> list | None:
    """[share, low, high]: the stored interval ``ci`` where the file has one, else Wilson's from the share and the
    films it is of (a share stored to 3 decimals gives back its count of films exactly below 1,000 films)."""
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= 1:
        return None
    if isinstance(ci, list) and len(ci) == 2 and all(isinstance(x, (int, float)) for x in ci):
        return [share, *ci]
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        return [share, None, None]
    lo, hi = wilson_interval(min(n, max(0, round(share * n))), n)
    # to 3 decimals, more where the card's whole percent would read otherwise than the end itself: 1 of 2 films'
    # 0.0945 kept as 0.095 read 10%, where report.md said 9%
    return [share, *(kept_as_shown(v, percent, 3) for v in (lo, hi))]


def other_classes_with_ci(other: dict) -> dict:
    """A file's "other_classes" with each share as [value, low, high] (its "called_ci" folded in)."""
    out = {}
    for folder, r in other.items():
        if not isinstance(r, dict) or not isinstance(r.get("called"), dict):
            out[folder] = r
            continue
        cis = r.get("called_ci") if isinstance(r.get("called_ci"), dict) else {}
        out[folder] = {**{k: v for k, v in r.items() if k != "called_ci"},
                       "called": {c: share_with_ci(p, r.get("n"), cis.get(c)) for c, p in r["called"].items()}}
    return out


def mover_sum(points: Sequence[float], intervals: Sequence[Sequence[float | None]],
              weights: Sequence[float]) -> tuple[float, float]:
    """The interval of ``sum(w * point)`` over independent estimates, each with its own interval.

    Each part's distance to its lower (upper) limit stands for its spread on that side; the
    sum's limits add those distances in quadrature. With one part of weight 1 it returns that
    part's interval unchanged. ``(nan, nan)`` when there is no part or a limit is missing.
    """
    if not points or len(points) != len(intervals) or len(points) != len(weights):
        return (math.nan, math.nan)
    if any(lim is None or math.isnan(lim) for iv in intervals for lim in iv) or any(math.isnan(p) for p in points):
        return (math.nan, math.nan)
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
        return (math.nan, math.nan)
    lo, hi = mover_sum([s / t for s, t in parts], [wilson_interval(s, t) for s, t in parts], [1 / len(parts)] * len(parts))
    return (max(0.0, lo), min(1.0, hi))
