"""convert.card.beside_chance pinned (mutation survivors BC of session 73): a model of fewer than two classes has no
chance to be kept apart from (1 / 0 raised); a damaged interval (NaN ends) is rounded as _r rounds it; a point a
hair under its upper end is kept apart from it, as from its lower end; one no decimals keep apart keeps six beside
its raw ends; one off chance by float noise is at it."""

from __future__ import annotations

import math

from convert.card import beside_chance


def test_fewer_than_two_classes_rounded_as_before():
    assert beside_chance([0.91234, 0.80004, 0.95], 0) == [0.912, 0.8, 0.95]
    assert beside_chance([0.91234, 0.80004, 0.95], 1) == [0.912, 0.8, 0.95]


def test_nan_ends_rounded_as_before():
    kept = beside_chance([0.91234, float("nan"), float("nan")], 2)
    assert kept[0] == 0.912 and all(v is None or math.isnan(v) for v in kept[1:])


def test_a_point_a_hair_under_its_upper_end_is_kept_apart_from_it():
    assert beside_chance([0.9, 0.6, 0.9004], 2) == [0.9, 0.6, 0.9004]


def test_a_point_no_decimals_keep_apart_keeps_six_beside_its_raw_ends():
    assert beside_chance([0.7123441, 0.7123439, 0.9], 2) == [0.712344, 0.7123439, 0.9]


def test_a_point_off_chance_by_float_noise_is_at_it():
    assert beside_chance([1 / 3 + 1e-10, 0.3, 0.6], 3) == [0.333, 0.3, 0.6]
