"""How the card (edge-classify --card) writes a stored figure: three decimals, its 95% interval, or why it has none.

Kept apart from the card's sentences so that every line of it, and edge-classify's notes, write a figure alike.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from edge.answer_worth import percent
from edge.figures import MAX_DIGITS, against_chance, fixed
from edge.rule_shortfall import SPECIFICITY_FLOOR


def apart_digits(values: list, digits: int = 3) -> int:
    """The decimals, at least ``digits``, that write values which differ differently: a point 0.5004 beside its
    interval's lower end 0.4998 read "0.500 (0.500 to 0.831)", a tie or a typo to a reader."""
    nums = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v]
    d = digits
    while d < MAX_DIGITS and any(a != b and fixed(a, d) == fixed(b, d) for a in nums for b in nums):
        d += 1
    return d


def side_digits(v: Any, floor: float, digits: int = 3) -> int:
    """The decimals, at least ``digits``, that write ``v`` on its own side of ``floor``: a rule's specificity of
    0.4995 (500 of 1,001) written "0.500: it calls most films of the other classes COVID" read as a figure at the
    floor that the words judge under it. cxr-convert stores such a figure with those decimals
    (convert.card.beside_floor)."""
    if not isinstance(v, (int, float)) or isinstance(v, bool) or v != v:
        return digits
    # judged on the decimal text as a reader rounds it (half up): 0.4995 stored is 0.49949999... in binary, which
    # writes "0.499" at 3 decimals, a figure of 500 of 1,001 under-stated where "0.4995" is what the file holds
    exact, d = Decimal(repr(float(v))), digits
    while d < MAX_DIGITS and (exact.quantize(Decimal(1).scaleb(-d), ROUND_HALF_UP) < floor) != (v < floor):
        d += 1
    return d


def _ci(v: list | None, digits: int = 3) -> str:
    """[value, low, high] as '0.894 (0.797 to 0.948)'; 'n/a' where a set had no such case; the value
    alone, with "no interval", where the bootstrap gave one value (an AUROC of perfectly ranked
    films: no proof that it holds on others). ``digits``: the fewest decimals (floor_ci's)."""
    if not v or v[0] is None:
        return "n/a"
    if v[1] is None:
        return fixed(v[0], digits)
    if v[1] == v[2]:
        return f"{fixed(v[0], digits)} (no interval: every resample of the few test films gave it)"
    d = apart_digits(v[:3], digits)
    return f"{fixed(v[0], d)} ({fixed(v[1], d)} to {fixed(v[2], d)})"


def floor_ci(v: list | None, floor: float) -> str:
    """[value, low, high] as _ci writes them, the value with the decimals that keep it on its side of ``floor``
    (side_digits): the card's and edge-classify's words on a figure judged against a floor (calls_most) and the
    figure beside them then agree, '0.4995 (0.4685 to 0.5305): it calls most films ...', not '0.500: it calls most'."""
    return _ci(v, side_digits(v[0], floor) if v else 3)


def specificity_ci(v: list | None) -> str:
    """A stored rule's [specificity, low, high] as floor_ci writes it against SPECIFICITY_FLOOR, the floor under which
    edge.stored_rule_words.calls_most says the rule calls most films of the other classes its class."""
    return floor_ci(v, SPECIFICITY_FLOOR)


def balanced_ci(v: list | None, chance: float) -> str:
    """The test balanced accuracy and its interval as _ci writes them, then chance, with the decimals that keep all
    apart, and a point at chance said so ('0.500, at chance (0.500 to 0.831)'): "0.500 (0.500 to 0.831) (chance 0.500)"
    read as a tie or a typo."""
    if not v or v[0] is None or v[1] is None or v[1] == v[2]:
        return f"{_ci(v)} (chance {chance:.3f})"
    # cxr-convert keeps a point and its ends off chance apart from it (convert.card.beside_chance): their stored
    # decimals, all shown (an end of 0.4996 was written "0.500" beside chance 0.500)
    d = max(apart_digits(v[:3]), *(stored_digits(x) for x in v[:3]))
    # and its ends on their side of chance (beside_chance), as the card's verdict reads them: an end of 0.5004 written
    # "(0.500 to 0.850) (chance 0.500)" went without "reaches down to chance", and 0.4996 written "0.500" beside
    # "lies wholly below chance"
    side = against_chance(v[1], v[2], chance)
    while d < MAX_DIGITS and against_chance(*(float(fixed(x, d)) for x in (v[1], v[2], chance))) != side:
        d += 1
    at = fixed(v[0], d) == fixed(chance, d)  # 0.333 stored for 1/3 of 3 classes reads at chance too
    return (f"{fixed(v[0], d)}{', at chance' if at else ''} ({fixed(v[1], d)} to {fixed(v[2], d)})"
            + ("" if at else f" (chance {fixed(chance, d)})"))


def stored_digits(v: float) -> int:
    """The decimals, at least 3 and at most MAX_DIGITS, that a stored figure holds (0.3334: 4): what balanced_ci shows
    of a balanced accuracy, and what convert.card.beside_chance keeps a point off chance apart from it with."""
    return next(k for k in range(3, MAX_DIGITS + 1) if k == MAX_DIGITS or round(v, k) == v)


def _num(v: Any) -> str:
    """A stored figure as the card's others read, three decimals ('0.170', not the JSON's 0.17 beside 0.894);
    a value that is no number (an older file's, a damaged one's) as it is."""
    return fixed(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def _auc(test: dict) -> str:
    """The test split's macro AUROC as _ci gives it, or, where cxr-convert gave it no interval because a class
    has one test film (convert.summary.auroc_no_interval), the value with that reason: '0.944 (0.833 to 1.000)'
    on one COVID film read as a ranking well established."""
    v, why = test.get("macro_auroc"), test.get("macro_auroc_no_interval")
    if not why or not isinstance(why, str) or not v or v[0] is None:
        return _ci(v)
    return f"{fixed(v[0])} (no interval: {why} among the test films, whose rank alone decides it)"


def _share(v: list) -> str:
    """[share, low, high] as '63% (46% to 78%)'."""
    return percent(v[0]) if v[1] is None else f"{percent(v[0])} ({percent(v[1])} to {percent(v[2])})"
