"""edge.card_figures pinned case by case (mutation survivors CF of session 73): apart_digits looks at numbers alone (a
damaged file's NaN or true is no figure to keep apart) and goes as far as MAX_DIGITS; side_digits leaves a NaN at
the fewest decimals (a Decimal NaN cannot be compared with the floor); a figure without interval keeps its side of
the floor; a balanced accuracy keeps its ends apart, says it has no interval, and may have more decimals than six."""

from __future__ import annotations

from edge.card_figures import apart_digits, balanced_ci, floor_ci, side_digits
from edge.figures import MAX_DIGITS


def test_apart_digits_keeps_numbers_apart_up_to_max_digits():
    assert MAX_DIGITS == 6 and apart_digits([0.500001, 0.500002]) == 6
    assert apart_digits([0.5001, 0.5002], 4) == 4 and apart_digits([0.5001, 0.5002]) == 4


def test_apart_digits_leaves_what_is_no_number():
    assert apart_digits([float("nan"), 0.5, 0.6]) == 3 and apart_digits([float("nan"), float("nan")]) == 3
    assert apart_digits([True, 1.0004]) == 3 and apart_digits(["0.5", 0.5004]) == 3


def test_side_digits_of_nan_is_the_fewest():
    assert side_digits(float("nan"), 0.5) == 3 and side_digits(float("nan"), 0.5, 4) == 4
    assert floor_ci([float("nan"), 0.4, 0.6], 0.5).startswith("nan (")


def test_a_figure_without_interval_keeps_its_side_of_the_floor():
    assert floor_ci([0.4995, 0.4995, 0.4995], 0.5).startswith("0.4995 (no interval: ")


def test_balanced_accuracy_ends_apart_from_the_point_and_no_interval_said():
    assert balanced_ci([0.71, 0.7096, 0.9], 0.5) == "0.7100 (0.7096 to 0.9000) (chance 0.5000)"
    assert balanced_ci([0.9, 0.9, 0.9], 0.5) == (
        "0.900 (no interval: every resample of the few test films gave it) (chance 0.500)")


def test_balanced_accuracy_of_more_decimals_than_kept_is_written_with_the_most():
    assert balanced_ci([0.71234567, 0.6, 0.8], 0.5) == "0.712346 (0.600000 to 0.800000) (chance 0.500000)"
