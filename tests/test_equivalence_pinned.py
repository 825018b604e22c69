"""Edges of compare.json's equivalence (convert/equivalence.py) that the older tests left open: which file's gate
limit is the margin when both carry one, which stored limits are not taken, an interval exactly on the margin, an
interval touching 0, and a class whose interval is missing. Expected values are read off the rules in the module's
docstrings (intervals are fractions; the output is in points, x 100, 2 decimals)."""

from __future__ import annotations

from convert.equivalence import DEFAULT_MARGIN, equivalence, margin_of


def _card(limit) -> dict:
    return {"validation": {"gate": {"passed": True, "max_class_drop": limit}}}


def test_b_files_limit_wins_over_a_files():
    assert margin_of(_card(1.0), _card(3.0)) == (3.0, "the per-class limit of the gate cxr-convert judged B's file by")
    assert margin_of(_card(1.0), {}) == (1.0, "the per-class limit of the gate cxr-convert judged A's file by")


def test_a_limit_that_cannot_be_a_margin_falls_back_to_the_default():
    # 0 leaves no room to show equivalence; infinity shows it for anything; True is not a number of points
    for bad in (0, 0.0, -1.0, float("inf"), True, "2"):
        assert margin_of({}, _card(bad)) == (DEFAULT_MARGIN, "the default per-class limit of cxr-convert's gate"), bad


def test_an_interval_exactly_on_the_margin_is_inside():
    e = equivalence([{"class": "COVID", "difference_ci": [-0.02, 0.02]}], 2.0, "m", ["COVID"])
    assert e["widest"] == {"class": "COVID", "difference_ci": [-2.0, 2.0]}
    assert e["equivalent"] is True


def test_an_interval_touching_0_shows_no_difference():
    e = equivalence([{"class": "COVID", "difference_ci": [0.0, 0.1]},
                     {"class": "Normal", "difference_ci": [-0.1, 0.0]}], 2.0, "m", ["COVID", "Normal"])
    assert e["differing"] == []


def test_a_missing_or_nan_interval_is_unmeasured_and_no_widest_without_intervals():
    per_class = [{"class": "COVID", "difference_ci": [None, None]},
                 {"class": "Normal", "difference_ci": [float("nan"), 0.01]}]
    e = equivalence(per_class, 2.0, "m", ["COVID", "Normal"])
    assert e["unmeasured"] == ["COVID", "Normal"] and e["widest"] is None and e["equivalent"] is False
    assert equivalence([], 2.0, "m")["widest"] is None
