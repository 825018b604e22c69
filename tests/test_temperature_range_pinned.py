"""Pinned edges of edge.temperature_range found by mutation testing: the bounds themselves and the slack past them
(a millionth, for the fit's search rounding), no more."""

from __future__ import annotations

import pytest

from edge.temperature_range import HIGHEST_TEMPERATURE, LOWEST_TEMPERATURE, outside_fitted_range


@pytest.mark.parametrize("t", [LOWEST_TEMPERATURE * (1 - 1e-6), LOWEST_TEMPERATURE * (1 - 5e-7),
                               HIGHEST_TEMPERATURE * (1 + 5e-7), HIGHEST_TEMPERATURE * (1 + 1e-6)])
def test_a_hair_past_a_bound_is_read(t):
    assert outside_fitted_range(t) is None


@pytest.mark.parametrize("t, near", [(LOWEST_TEMPERATURE * (1 - 1e-3), "near 0 or 1"),
                                     (HIGHEST_TEMPERATURE * (1 + 1e-3), "near 1 over the number")])
def test_a_thousandth_past_a_bound_is_refused(t, near):
    assert near in outside_fitted_range(t)
