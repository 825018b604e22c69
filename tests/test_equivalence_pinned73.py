"""convert.equivalence pinned (mutation survivors EQ of session 73): a lower end past -margin by float noise lies at
it, as an upper end past +margin does: (0.88 - 0.90) * 100 is -2.0000000000000018, within a margin of 2; an end
judged within the margin (by float noise, or by a hair) is written within it."""

from __future__ import annotations

from convert.equivalence import end_text, equivalence


def test_a_lower_end_past_the_margin_by_float_noise_lies_at_it():
    e = equivalence([{"class": "COVID", "difference_ci": [0.88 - 0.90, 0.01]}], 2.0, "the default")
    assert e["equivalent"] and end_text((0.88 - 0.90) * 100, 2.0) == "-2.0"


def test_an_end_within_float_noise_of_the_margin_keeps_one_decimal():
    """Judged within the margin (by under 1e-9), an end is written as one: not '+2.000000000000' beside 1.9999999999."""
    assert end_text(2.0, 1.9999999999) == "+2.0" and end_text(-2.0, 1.9999999999) == "-2.0"


def test_an_end_within_the_margin_by_a_hair_keeps_three_decimals():
    assert end_text(1.99949, 1.9995) == "+1.999" and end_text(-1.99949, 1.9995) == "-1.999"
