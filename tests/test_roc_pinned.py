"""convert.roc and convert.operating_point pinned where a small change went unseen (hand mutation testing: each
test here failed with one such change in place, which every earlier test of the two modules let through)."""

from __future__ import annotations

import numpy as np

from convert.roc import against_most_probable, threshold_for_sensitivity


def test_a_target_that_floats_put_just_over_a_whole_count_of_films_takes_that_count():
    """0.56 of 25 positives is 14.000000000000002 in floats: the threshold is the 14th highest positive's score
    (sensitivity 0.56), not the 15th (0.6, and a lower threshold that costs specificity); so 0.55 of 100."""
    scores = np.arange(1, 26) / 26.0  # 25 positives, the lowest first
    assert threshold_for_sensitivity(np.ones(25, bool), scores, 0.56) == scores[25 - 14]
    scores = np.arange(1, 101) / 101.0
    assert threshold_for_sensitivity(np.ones(100, bool), scores, 0.55) == scores[100 - 55]


def _three_classes() -> tuple[np.ndarray, np.ndarray]:
    """Four films of three classes; class 0 is the most probable of films 0 and 1, under 0.5 each."""
    p = np.array([[0.45, 0.30, 0.25],   # class 0, called 0
                  [0.40, 0.35, 0.25],   # class 1, called 0
                  [0.20, 0.50, 0.30],   # class 1
                  [0.10, 0.20, 0.70]])  # class 2
    return np.array([0, 1, 1, 2]), p


def test_a_rule_calling_a_strict_subset_of_the_most_probable_class_is_less_sensitive():
    """At 0.42 the rule calls film 0 alone of the two the most probable class calls class 0: it finds as many here,
    and fewer on new films (against_most_probable)."""
    y, p = _three_classes()
    got = against_most_probable(y, p, 0, 0.42)
    assert (got["found_by_rule"], got["tp"], got["above_half"]) == (1, 1, False)
    assert got["less_sensitive"] is True


def test_a_rule_calling_what_the_most_probable_class_calls_or_more_is_not_less_sensitive():
    """At 0.40 the rule calls exactly films 0 and 1, as the most probable class does; at 0.3 (two classes) it calls
    one film more and finds no more: neither finds fewer, so neither is flagged."""
    y, p = _three_classes()
    same = against_most_probable(y, p, 0, 0.40)
    assert (same["called_by_rule"], same["called"], same["less_sensitive"]) == (2, 2, False)
    p2 = np.array([[0.1, 0.9], [0.8, 0.2], [0.65, 0.35], [0.9, 0.1]])
    wider = against_most_probable(np.array([1, 1, 0, 0]), p2, 1, 0.3)
    assert (wider["found_by_rule"], wider["tp"], wider["called_by_rule"], wider["less_sensitive"]) == (1, 1, 2, False)


def test_a_threshold_of_exactly_0_5_is_not_above_half():
    """p >= 0.5 can tie with another class at 0.5 (which the most probable class gives the first): only a threshold
    above 0.5 always picks the most probable class."""
    p = np.array([[0.5, 0.5], [0.3, 0.7], [0.8, 0.2]])
    assert against_most_probable(np.array([1, 1, 0]), p, 1, 0.5)["above_half"] is False
    assert against_most_probable(np.array([1, 1, 0]), p, 1, 0.51)["above_half"] is True
