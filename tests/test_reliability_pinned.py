"""convert.reliability pinned where a small change went unseen (hand mutation testing: each test here failed with
one such change in place, which test_calibration.py and test_metrics.py let through)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convert.reliability import expected_calibration_error, reliability_bins


def test_the_diagram_and_ece_use_the_15_bins_the_report_says():
    """report.md's reliability caption says '15 bins': the default is 15, and the ECE is the one of 15 bins (0.61
    and 0.69 share a bin of 10, not of 15)."""
    probs = np.array([[0.61, 0.39], [0.69, 0.31]])
    y = np.array([0, 1])
    bins = reliability_bins(y, probs)
    assert len(bins) == 15 and bins[-1]["hi"] == 1.0
    assert expected_calibration_error(y, probs) == pytest.approx(0.5 * 0.39 + 0.5 * 0.69)
    assert expected_calibration_error(y, probs, n_bins=10) == pytest.approx(0.65 - 0.5)


def test_no_films_give_no_ece_and_no_bins_is_refused():
    assert math.isnan(expected_calibration_error(np.zeros(0, int), np.zeros((0, 2))))
    with pytest.raises(ValueError, match="n_bins"):
        reliability_bins(np.array([0]), np.array([[0.9, 0.1]]), n_bins=0)
