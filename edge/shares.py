"""The 95% interval of a share a model file stores without one (cxr-edge 0.32.0 and before stored what its
untrained classes' films were called as bare shares), and the file's left-out-class shares as
[value, low, high], as every other share the card and --info give."""

from __future__ import annotations

import math
from typing import Any

Z95 = 1.959963984540054


def wilson(successes: int, total: int) -> tuple[float, float]:
    """Wilson's 95% interval of successes / total, as convert.metrics.wilson_interval (edge imports no convert)."""
    n, p = float(total), successes / total
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return (0.0 if successes == 0 else max(0.0, centre - half), 1.0 if successes == total else min(1.0, centre + half))


def share_with_ci(share: Any, n: Any, ci: Any = None) -> list | None:
    """[share, low, high]: the stored interval ``ci`` where the file has one, else Wilson's from the share and the
    films it is of (a share stored to 3 decimals gives back its count of films exactly below 1,000 films)."""
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= 1:
        return None
    if isinstance(ci, list) and len(ci) == 2 and all(isinstance(x, (int, float)) for x in ci):
        return [share, *ci]
    if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
        return [share, None, None]
    lo, hi = wilson(min(n, max(0, round(share * n))), n)
    return [share, round(lo, 3), round(hi, 3)]


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
