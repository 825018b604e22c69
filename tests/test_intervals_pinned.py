"""convert.intervals pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which test_intervals.py let through). These are the intervals cxr-compare and cxr-evaluate
print beside a difference of two models and an AUROC."""

from __future__ import annotations

import math

import pytest

from convert.intervals import auroc_interval, macro_auroc_interval, paired_difference


def test_a_paired_difference_of_strongly_correlated_models_uses_newcombes_continuity_correction():
    """30 films right by both, 2 by B only, 1 by A only, 5 by neither: phi = (30*5 - 2*1 - 38/2) / sqrt(32*6*31*7)
    = 0.632 with the correction Newcombe's method 10 makes (0.725 without it, and a narrower interval than the
    method's). The figures were worked out once by the formula and are held here."""
    lo, hi = paired_difference(30, 2, 1, 5)
    assert (lo, hi) == pytest.approx((-0.08704, 0.14310), abs=5e-5)


def test_an_auroc_with_no_film_on_one_side_has_no_interval():
    assert all(math.isnan(v) for v in auroc_interval(0.5, 5, 0)) and all(math.isnan(v) for v in auroc_interval(0.5, 0, 5))


def test_a_class_without_films_is_left_out_of_the_macro_auroc_interval():
    """A class with no film (or every film) has no one-vs-rest AUROC to bound, whatever figure stands in its place."""
    both = macro_auroc_interval([0.8, 0.9], [10, 10])
    assert macro_auroc_interval([0.8, 0.9, 0.5], [10, 10, 0]) == pytest.approx(
        tuple((a + b) / 2 for a, b in zip(auroc_interval(0.8, 10, 10), auroc_interval(0.9, 10, 10))))
    assert both == auroc_interval(0.9, 10, 10)
