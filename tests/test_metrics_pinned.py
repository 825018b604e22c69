"""convert.metrics and edge.shares pinned where a small change went unseen (hand mutation testing: each test here
failed with one such change in place, which every earlier test of the two modules let through)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convert.metrics import accuracy, confusion_matrix, sensitivities
from edge.shares import share_with_ci, wilson_interval


@pytest.mark.parametrize("y_true,y_pred", [([0, 2], [0, 1]), ([0, 1], [0, -1]), ([-1, 0], [0, 0])])
def test_a_label_outside_the_classes_is_refused_in_words(y_true, y_pred):
    """Class 2 of a 2-class model, or -1, is a caller's bug: said as such, not as numpy's reshape or bincount error."""
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 1\]"):
        confusion_matrix(np.array(y_true), np.array(y_pred), 2)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 1\]"):
        sensitivities(np.array(y_true), np.array(y_pred), 2)


def test_a_fractional_label_is_refused_not_truncated():
    """0.5 is no class: truncated to 0 it would be counted as class 0's film."""
    with pytest.raises(ValueError, match="integer class indices"):
        confusion_matrix(np.array([0.5, 1.0]), np.array([0, 1]), 2)
    assert confusion_matrix(np.array([0.0, 1.0]), np.array([0, 1]), 2).tolist() == [[1, 0], [0, 1]]


def test_the_accuracy_of_no_films_is_undefined_not_zero():
    assert math.isnan(accuracy(np.array([]), np.array([])))


def test_wilsons_interval_of_none_found_starts_at_exactly_0():
    """At 0 of 3 the formula's lower end is 2.8e-17 in floats: a report would show a lower bound above 0."""
    for n in (1, 3, 6, 7, 12, 100):
        assert wilson_interval(0, n)[0] == 0.0
        assert wilson_interval(n, n)[1] == 1.0


def test_more_successes_than_trials_is_refused():
    with pytest.raises(ValueError, match="must lie in"):
        wilson_interval(5, 4)


def test_a_stored_share_gives_back_its_count_of_films_by_rounding():
    """0.333 of 3 films is 1 film (0.999 truncated would be 0): the interval is Wilson's of 1 in 3."""
    lo, hi = wilson_interval(1, 3)
    assert share_with_ci(0.333, 3) == [0.333, round(lo, 3), round(hi, 3)]
