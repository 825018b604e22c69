"""The card's test balanced accuracy beside its interval's ends and chance: "0.500 (0.500 to 0.831) (chance 0.500)"
read as a tie or a typo. A point that differs from an end, or from chance, keeps the decimals that show it apart
(stored so by convert.card.beside_chance, written so by edge.card_figures); a point at chance is said to be, its
interval's end at it too."""

from __future__ import annotations

from convert.card import beside_chance
from edge.card_figures import _ci, balanced_ci


def _card_text(ba: list, n_classes: int = 2) -> str:
    return balanced_ci(beside_chance(ba, n_classes), 1 / n_classes)


def test_a_point_a_hair_off_its_lower_end_is_stored_and_shown_apart():
    assert beside_chance([0.5004, 0.4998, 0.831], 2) == [0.5004, 0.4998, 0.831]
    assert _card_text([0.5004, 0.4998, 0.831]) == "0.5004 (0.4998 to 0.8310) (chance 0.5000)"


def test_a_point_a_hair_above_chance_is_not_shown_at_it():
    assert _card_text([0.5004, 0.42, 0.83]) == "0.5004 (0.4200 to 0.8300) (chance 0.5000)"
    assert _card_text([0.3334, 0.3, 0.4], 3) == "0.3334 (0.3000 to 0.4000) (chance 0.3333)"


def test_a_point_at_chance_is_said_to_be():
    assert _card_text([0.5, 0.42, 0.831]) == "0.500, at chance (0.420 to 0.831)"
    assert _card_text([1 / 3, 0.3, 0.4], 3) == "0.333, at chance (0.300 to 0.400)"


def test_an_end_at_the_point_at_chance_reads_at_chance():
    assert _card_text([0.5, 0.5, 0.831]) == "0.500, at chance (0.500 to 0.831)"


def test_a_figure_off_chance_reads_as_before():
    assert _card_text([0.71, 0.62, 0.8]) == "0.710 (0.620 to 0.800) (chance 0.500)"


def test_any_card_figure_keeps_its_point_apart_from_its_ends():
    assert _ci([0.9004, 0.8998, 0.95]) == "0.9004 (0.8998 to 0.9500)"
    assert _ci([1.0, 0.839, 1.0]) == "1.000 (0.839 to 1.000)"  # a share at 1 whose upper end is 1: as before
