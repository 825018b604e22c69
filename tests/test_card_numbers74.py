"""The numbers the card, report.md and cxr-compare write, read as a statistician reads them (review 74): random
figures (a fixed seed, plain loops) through the functions that write them, and what must then hold of the text: an
interval's ends around its point and within [0, 1], each figure on its side of the chance, floor, limit or margin it
is judged against, "at chance" said of a point at chance and of no other, two different figures never written alike.
Figures are drawn at least 1e-5 from what they are judged against: six decimals (edge.figures.MAX_DIGITS) is as far
as the card goes."""

from __future__ import annotations

import random
import re

from convert.card import beside_chance, beside_floor
from convert.equivalence import NOISE, end_text
from convert.gate import change_text, gate
from convert.stored_rule_sections import _spec_ci
from edge.card_figures import apart_digits, balanced_ci, floor_ci, specificity_ci
from edge.figures import MAX_DIGITS, against_chance, fixed

NUMBER = re.compile(r"[-+]?\d+\.\d+(?:e[-+]\d+)?")


def numbers(text: str) -> list[float]:
    return [float(x) for x in NUMBER.findall(text)]


def near(rng: random.Random, at: float) -> float:
    """A figure 1e-5 to 1e-2 from ``at``, either side, in (0, 1)."""
    return min(1.0, max(0.0, at + rng.choice([-1, 1]) * 10 ** -rng.uniform(2, 5)))


def share(rng: random.Random, at: float = 0.5) -> float:
    """A share as stored figures come: few decimals, any, or close to ``at``."""
    k = rng.random()
    return round(rng.random(), rng.randint(1, 6)) if k < 0.35 else near(rng, at) if k < 0.7 else rng.random()


def interval(rng: random.Random, at: float = 0.5) -> tuple[float, float, float]:
    """[point, low, high], low <= point <= high, the three 1e-5 or more apart where they differ."""
    while True:
        lo, p, hi = sorted(share(rng, at) for _ in range(3))
        if all(a == b or abs(a - b) >= 1e-5 for a, b in ((lo, p), (p, hi))) and lo < hi:
            return p, lo, hi


# the defects found, each as it was written


def test_a_balanced_accuracy_off_chance_is_not_said_at_chance():
    # 0.33301 of 3 classes was kept as 0.333 (0.3330, apart from 0.3333 at 4 decimals) and written "0.333, at chance"
    assert beside_chance([0.33301, 0.2, 0.5], 3) == [0.33301, 0.2, 0.5]
    assert balanced_ci(beside_chance([0.33301, 0.2, 0.5], 3), 1 / 3) == "0.33301 (0.20000 to 0.50000) (chance 0.33333)"
    assert "at chance" not in balanced_ci(beside_chance([0.3333032, 0.29, 0.5], 3), 1 / 3)
    assert "at chance" not in balanced_ci(beside_chance([0.3333000001, 0.29, 0.5], 3), 1 / 3)  # past six decimals
    assert balanced_ci(beside_chance([1 / 3 + 1e-16, 0.29, 0.5], 3), 1 / 3) == "0.333, at chance (0.290 to 0.500)"


def test_balanced_accuracy_ends_written_on_their_side_of_chance():
    # kept 0.5004 (above chance), written "(0.500 to 0.850) (chance 0.500)" without "reaches down to chance"
    assert balanced_ci([0.7, 0.5004, 0.85], 0.5) == "0.7000 (0.5004 to 0.8500) (chance 0.5000)"
    # kept 0.4996 (wholly below chance, as the card says), written "(0.100 to 0.500) (chance 0.500)"
    assert balanced_ci([0.3, 0.1, 0.4996], 0.5) == "0.3000 (0.1000 to 0.4996) (chance 0.5000)"
    assert balanced_ci([0.282, 0.107, 0.333], 1 / 3) == "0.2820 (0.1070 to 0.3330) (chance 0.3333)"  # a 0.57 card's
    assert beside_chance([0.282, 0.107, 0.33258], 3) == [0.282, 0.107, 0.3326]  # its own digits, not 0.333 padded
    assert balanced_ci([0.7, 0.4996, 0.85], 0.5) == "0.7000 (0.4996 to 0.8500) (chance 0.5000)"  # not 0.500 beside 0.500


def test_a_rule_specificity_under_the_floor_keeps_its_lower_end_under_it():
    # 0.49965 kept as 0.5 beside a point of 0.49997: "0.49997 (0.50000 to 0.74600)", the lower end above the point
    kept = beside_floor([0.49997, 0.49965, 0.7464])
    assert kept == [0.49997, 0.49965, 0.746] and specificity_ci(kept) == "0.49997 (0.49965 to 0.74600)"
    assert beside_floor([500 / 1001, 0.46853, 0.53047]) == [0.4995, 0.469, 0.53]  # ends not past it: as before


# properties over random figures


def test_balanced_accuracy_as_stored_and_written():
    rng = random.Random(74001)
    for _ in range(1500):
        n = rng.choice([2, 3, 4, 6])
        chance = 1 / n
        p, lo, hi = interval(rng, chance)
        if rng.random() < 0.1:
            p, lo, hi = chance, min(lo, chance), max(hi, chance)
        if any(0 < abs(x - chance) < 1e-5 for x in (p, lo, hi)):
            continue
        stored = beside_chance([p, lo, hi], n)
        text = balanced_ci(stored, chance)
        shown = numbers(text)
        case = ([p, lo, hi], n, stored, text)
        assert shown[1] <= shown[0] <= shown[2] and all(0 <= x <= 1 for x in shown), case
        assert against_chance(stored[1], stored[2], chance) == against_chance(lo, hi, chance), case
        assert (", at chance" in text) == (abs(p - chance) < 1e-9), case
        if ", at chance" not in text:  # chance written, each end on its side of it as the card's verdict says
            assert against_chance(shown[1], shown[2], shown[3]) == against_chance(lo, hi, chance), case
            assert all(x == chance or s != shown[3] for x, s in ((p, shown[0]), (lo, shown[1]), (hi, shown[2]))), case
        assert all(a == b or sa != sb for (a, sa), (b, sb) in
                   (((p, shown[0]), (lo, shown[1])), ((p, shown[0]), (hi, shown[2])))), case


def test_specificity_against_the_floor_as_stored_and_written():
    rng = random.Random(74002)
    for _ in range(1500):
        p, lo, hi = interval(rng)
        if 0 < abs(p - 0.5) < 1e-5 or hi - lo < 0.002:  # narrower: kept as one figure (tens of millions of films)
            continue
        stored = beside_floor([p, lo, hi])
        for text in (specificity_ci(stored), floor_ci([p, lo, hi], 0.5)):
            shown = numbers(text)
            assert len(shown) == 3 and (shown[0] < 0.5) == (p < 0.5), (p, lo, hi, stored, text)
            assert shown[1] <= shown[0] <= shown[2] and all(0 <= x <= 1 for x in shown), (p, lo, hi, stored, text)
        md = numbers(_spec_ci(p, [lo, hi]))  # report.md's, in percent
        assert (md[0] < 50) == (p < 0.5) and md[1] <= md[0] <= md[2], (p, lo, hi, md)


def test_floor_ci_keeps_any_floor_and_its_interval():
    rng = random.Random(74003)
    for _ in range(1500):
        floor = rng.randint(1, 7) / 8  # one a float holds exactly, of 3 decimals at most, as SPECIFICITY_FLOOR (0.5)
        p, lo, hi = interval(rng, floor)
        if 0 < abs(p - floor) < 1e-5:
            continue
        text = floor_ci([p, lo, hi], floor)
        shown = numbers(text)
        assert (shown[0] < floor) == (p < floor) and shown[1] <= shown[0] <= shown[2], (p, lo, hi, floor, text)


def test_apart_digits_writes_different_figures_differently():
    rng = random.Random(74004)
    for _ in range(1500):
        values = [share(rng) for _ in range(rng.randint(2, 4))]
        if any(0 < abs(a - b) < 1e-5 for a in values for b in values):
            continue
        d = apart_digits(values)
        assert d <= MAX_DIGITS and len({fixed(v, d) for v in values}) == len(set(values)), values


def test_a_gate_failed_is_written_over_its_limit_and_a_gate_passed_within_it():
    rng = random.Random(74005)
    for _ in range(1500):
        limit = rng.choice([2.0, 1.0, 0.5, 1.96, 2.2, round(rng.uniform(0.1, 5), rng.randint(1, 8))])
        ref = rng.uniform(0.5, 1.0)
        drop = limit + rng.choice([-1, 1]) * 10 ** -rng.uniform(0, 11)
        cand = {"accuracy": ref - drop / 100, "per_class": [{"class": "COVID", "sensitivity": ref - drop / 100}]}
        g = gate({"accuracy": ref, "per_class": [{"class": "COVID", "sensitivity": ref}]}, cand, limit, limit)
        real = 100 * (ref - cand["accuracy"])
        shown = -float(change_text(-real, limit))
        if g["passed"]:
            assert shown <= limit, (limit, real, shown)
        else:
            fell = [float(re.search(r"fell (\S+) points", r).group(1)) for r in g["reasons"]]
            assert all(f > limit for f in fell) and shown > limit, (limit, real, g["reasons"], shown)


def test_an_equivalence_end_is_written_on_its_side_of_the_margin_and_off_zero():
    rng = random.Random(74006)
    for _ in range(3000):
        margin = rng.choice([2.0, 1.0, 1.96, round(rng.uniform(0.1, 5), rng.randint(1, 6))])
        v = rng.choice([-1, 1]) * (margin + rng.choice([-1, 1]) * 10 ** -rng.uniform(0, 11))
        shown = float(end_text(v, margin))
        assert (abs(shown) > margin) == (abs(v) > margin + NOISE) and (shown < 0) == (v < 0), (v, margin, shown)
        small = rng.choice([-1, 1]) * 10 ** -rng.uniform(0, 9)
        assert float(end_text(small, margin)) != 0, (small, margin)
