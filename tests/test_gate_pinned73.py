"""convert.gate.change_text pinned case by case (mutation survivors GT5, GT11 of session 73): a drop at its limit by
float noise ((0.90 - 0.88) * 100 is 2.0000000000000018) is no drop over it, and a drop within its limit by a hair
keeps the decimals that show it within, past three."""

from __future__ import annotations

from convert.gate import change_text


def test_a_drop_at_the_limit_by_float_noise_reads_at_it():
    assert change_text((0.88 - 0.90) * 100, 2.0) == "-2.0"


def test_a_drop_within_the_limit_by_a_hair_keeps_four_decimals():
    assert change_text(-1.99994, 1.99995) == "-1.9999"
