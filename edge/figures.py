"""How a share or score is written for people: rounded, but never to a perfect (or null) one it is not.

0.9996 rounded to 3 decimals is 1.000, and an AUROC of "1.000" reads as a model that never ranks a
film wrongly; a sensitivity of 0.9996 shown as "100.0" reads as one that never misses. Such a value
gets the decimals it needs to stay below 1 (0.9996, 99.96), and one above 0 stays above 0 alike."""

from __future__ import annotations

import math
from collections.abc import Callable

MAX_DIGITS = 6


def digits_for(v: float, digits: int) -> int:
    """The decimals at least ``digits`` that keep a value in (0, 1) off 0 and 1 when rounded."""
    d = digits
    while d < MAX_DIGITS and 0 < v < 1 and round(v, d) in (0.0, 1.0):
        d += 1
    return d


def off_ends(v: float, d: int) -> float:
    """``v`` rounded to ``d`` decimals, or where that reads 0 or 1 for a value in (0, 1) (a float32
    probability of 0.9999999 at 6 decimals), cut towards it instead: 0.999999, not a certainty."""
    shown = round(v, d)
    if 0 < v < 1 and shown in (0.0, 1.0):
        scale = 10 ** d
        shown = math.floor(v * scale) / scale if shown == 1.0 else math.ceil(v * scale) / scale
    return shown


def rounded(v: float, digits: int = 3) -> float:
    """``v`` rounded to ``digits`` decimals, or more where fewer would make it 0 or 1 (for storage:
    a model file's card)."""
    return v if math.isnan(v) else off_ends(v, digits_for(v, digits))


def fixed(v: float, digits: int = 3, scale: float = 1.0) -> str:
    """``v`` (a share, 0..1) written times ``scale`` (100 for percent) with ``digits`` decimals, or more
    where fewer would read 0 or the whole: fixed(0.9996) is '0.9996', fixed(0.9996, 1, 100) '99.96'."""
    if 0 < scale * v < 10 ** -MAX_DIGITS:  # 3.3e-7 % (a PPV at a prevalence of 1e-9) was shown as 0.000001, 3x it
        return f"{scale * v:.1e}"
    d = digits
    text = f"{scale * v:.{d}f}"
    while d < MAX_DIGITS and 0 < v < 1 and float(text) in (0.0, scale):
        d += 1
        text = f"{scale * v:.{d}f}"
    if 0 < v < 1 and float(text) in (0.0, scale):  # 0.9999999: cut, not rounded, to the whole
        text = f"{scale * off_ends(v, d + round(math.log10(scale))):.{d}f}"
    return text


def rounded_down(v: float, digits: int, scale: float = 100.0) -> str:
    """``v`` times ``scale`` as fixed() writes it (``digits`` decimals, more where fewer would read 0 or the
    whole), but rounded down: the lower end of a range said 'at least' or '≥' is a promise, and 96.74% said
    'at least 97%' promised more than the test films showed. A share below 1 never reads as the whole."""
    text = fixed(v, digits, scale)
    if "e" in text:  # far below what decimals show (a PPV at a prevalence of 1e-9): its mantissa, cut
        exponent = math.floor(math.log10(scale * v) + 1e-12)  # log10(1e-7) is -7.000000000000001: not 10.0e-08
        return f"{math.floor(scale * v / 10 ** exponent * 10 + 1e-9) / 10:.1f}e{exponent:+03d}"
    d = len(text.partition(".")[2])
    while True:
        shown = math.floor(v * scale * 10 ** d + 1e-9) / 10 ** d  # + 1e-9: 0.29 * 1000 is 289.99999999999994
        if ((shown > 0 or v <= 0) and (shown < scale or v >= 1)) or d >= MAX_DIGITS:
            return f"{shown:.{d}f}"
        d += 1


def exact_text(v: float, digits: int = 4) -> str:
    """A value already rounded for people (edge.decision.beside_rule) written with ``digits`` decimals,
    or as many more as it has: written with fewer it would round again, onto the far side of a rule's
    threshold or to 1."""
    d = digits
    while d < 12 and float(f"{v:.{d}f}") != v:
        d += 1
    return f"{v:.{d}f}"


def against_chance(lo: float, hi: float | None, chance: float) -> str:
    """Where an interval of balanced accuracy lies against chance: 'above' it, 'reaches' down to it, or
    wholly 'below' it. Below is no weak model but a systematically wrong one (swapped labels, a wrong
    class map), and must not be played down as 'not shown to beat chance'."""
    if hi is not None and hi < chance:
        return "below"
    return "reaches" if lo <= chance else "above"


def kept_as_shown(v: float, shown: Callable[[float], str], digits: int = 2) -> float:
    """``v`` rounded to at least ``digits`` decimals, with more where fewer would be shown otherwise than ``v`` itself:
    a reader of the stored figure rounds it again, and a drop of 3.846 points kept as -3.85 was shown "-3.9" where
    the gate's reason, from the drop itself, said 3.8 (rounding twice)."""
    said = shown(v)
    for d in range(digits, 10):  # past 6 where a probability's 3 and 4 decimals both need it (0.8935002)
        if shown(round(v, d)) == said:
            return round(v, d)
    return v


def listed(parts: list[str]) -> str:
    """'a', 'a and b', 'a, b and c' ('' for none): names in a sentence."""
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def counted(n: int, noun: str) -> str:
    """'1 test film', '3 test films': a count with its noun, plural but for one ("1 COVID films" was said where a
    class had one film, the very case a reader must read right)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def percent_of(k: int, n: int, digits: int = 0) -> str:
    """k of n films as a percentage, a half rounded up as a reader rounds the tables' one decimal: 1 of 8 (12.5)
    '13' and 3 of 8 (37.5) '38', where the float format's half to even gave '12' beside '38'. Exact, in integers;
    a share off 0 and the whole never reads as either (fixed's decimals then)."""
    scale = 100 * 10 ** digits
    q = (2 * k * scale + n) // (2 * n)
    if 0 < k < n and q in (0, scale):
        return fixed(k / n, digits, 100)
    return f"{q / 10 ** digits:.{digits}f}"
