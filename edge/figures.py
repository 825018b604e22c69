"""How a share or score is written for people: rounded, but never to a perfect (or null) one it is not.

0.9996 rounded to 3 decimals is 1.000, and an AUROC of "1.000" reads as a model that never ranks a
film wrongly; a sensitivity of 0.9996 shown as "100.0" reads as one that never misses. Such a value
gets the decimals it needs to stay below 1 (0.9996, 99.96), and one above 0 stays above 0 alike."""

from __future__ import annotations

import math

MAX_DIGITS = 6


def digits_for(v: float, digits: int) -> int:
    """The decimals at least ``digits`` that keep a value in (0, 1) off 0 and 1 when rounded."""
    d = digits
    while d < MAX_DIGITS and 0 < v < 1 and round(v, d) in (0.0, 1.0):
        d += 1
    return d


def rounded(v: float, digits: int = 3) -> float:
    """``v`` rounded to ``digits`` decimals, or more where fewer would make it 0 or 1 (for storage:
    a model file's card)."""
    return v if math.isnan(v) else round(v, digits_for(v, digits))


def fixed(v: float, digits: int = 3, scale: float = 1.0) -> str:
    """``v`` (a share, 0..1) written times ``scale`` (100 for percent) with ``digits`` decimals, or more
    where fewer would read 0 or the whole: fixed(0.9996) is '0.9996', fixed(0.9996, 1, 100) '99.96'."""
    d = digits
    text = f"{scale * v:.{d}f}"
    while d < MAX_DIGITS and 0 < v < 1 and float(text) in (0.0, scale):
        d += 1
        text = f"{scale * v:.{d}f}"
    return text
