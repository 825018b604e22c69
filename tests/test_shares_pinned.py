"""edge.shares pinned where a small change went unseen (hand mutation testing: each test here failed with one such
change to wilson_interval, share_with_ci, other_classes_with_ci or mover_sum in place, which tests/test_intervals.py,
tests/test_metrics*.py and tests/test_card_claims.py let through). A model file's stored shares are read by --card
and --info on the device: what they get from a damaged or hand-made file is part of what a user sees."""

from __future__ import annotations

import math

import pytest

from edge.shares import mover_sum, other_classes_with_ci, share_with_ci, wilson_interval


def test_a_negative_count_of_successes_is_refused():
    """A negative count is a bug's, not a share: an interval from it would look like a figure."""
    with pytest.raises(ValueError, match="must lie in"):
        wilson_interval(-1, 10)


@pytest.mark.parametrize("share", [True, False])
def test_a_true_or_false_stored_as_a_share_is_no_share(share):
    """JSON's true is Python's 1: 'called: true' in a hand-edited file must not read as 100% of the films."""
    assert share_with_ci(share, 10) is None


def test_a_stored_interval_is_taken_only_as_two_numbers():
    """Three numbers are no [low, high]: the share is given Wilson's interval from its films instead."""
    lo, hi = wilson_interval(5, 10)
    assert share_with_ci(0.5, 10, [0.1, 0.2, 0.3]) == [0.5, round(lo, 3), round(hi, 3)]
    assert share_with_ci(0.5, 10, [0.1, 0.9]) == [0.5, 0.1, 0.9]


@pytest.mark.parametrize("n", [True, 0, -3, 2.0, None])
def test_a_share_of_no_count_of_films_has_no_interval_rather_than_nan_or_one_films(n):
    """n=0 gave [share, nan, nan] (NaN in --info's JSON), n=true the interval of one film."""
    assert share_with_ci(0.5, n) == [0.5, None, None]


def test_an_other_class_entry_that_is_not_a_mapping_of_shares_is_kept_as_it_is():
    """A damaged entry is passed on for the card to say, not an AttributeError that stops --card."""
    other = {"cats": "not measured", "dogs": {"n": 4, "called": [0.5]}}
    assert other_classes_with_ci(other) == other


def test_the_stored_intervals_are_folded_into_the_shares_and_not_repeated():
    other = {"cats": {"n": 10, "called": {"COVID": 0.5}, "called_ci": {"COVID": [0.2, 0.8]}}}
    assert other_classes_with_ci(other) == {"cats": {"n": 10, "called": {"COVID": [0.5, 0.2, 0.8]}}}


def test_parts_of_unequal_length_give_no_interval():
    """zip() would have summed the first parts alone, a narrower interval than the figures have."""
    assert all(math.isnan(x) for x in mover_sum([0.5, 0.5], [(0.4, 0.6)], [0.5, 0.5]))
    assert all(math.isnan(x) for x in mover_sum([0.5], [(0.4, 0.6)], [0.5, 0.5]))
