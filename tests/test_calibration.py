"""Calibration: reliability bins and ECE (convert.reliability) and temperature scaling
(train.calibration), against hand-computed and simulated cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convert.reliability import expected_calibration_error, reliability_bins
from train.calibration import fit_temperature, nll, softmax

approx = pytest.approx


def _sample_labels(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    u = rng.random(probs.shape[0])
    return np.minimum((u[:, None] > probs.cumsum(axis=1)).sum(axis=1), probs.shape[1] - 1)


# --------------------------------------------------------------------------- calibration metrics


def test_ece_zero_for_perfectly_calibrated_bins():
    # 10 cases at confidence 0.8 with 8 correct, 10 at 0.6 with 6 correct
    probs = np.array([[0.8, 0.2]] * 10 + [[0.6, 0.4]] * 10)
    y = np.array([0] * 8 + [1] * 2 + [0] * 6 + [1] * 4)
    assert expected_calibration_error(y, probs, n_bins=10) == approx(0.0, abs=1e-12)
    bins = reliability_bins(y, probs, n_bins=10)
    assert len(bins) == 10 and sum(b["count"] for b in bins) == 20
    full = [b for b in bins if b["count"]]
    assert [(b["count"], b["confidence"], b["accuracy"]) for b in full] == [
        (10, approx(0.6), approx(0.6)),
        (10, approx(0.8), approx(0.8)),
    ]
    assert bins[5]["lo"] == approx(0.5) and bins[5]["hi"] == approx(0.6)
    assert math.isnan(bins[0]["confidence"]) and math.isnan(bins[0]["accuracy"])


def test_ece_large_when_over_confident():
    probs = np.array([[0.99, 0.01]] * 20)
    y = np.array([0, 1] * 10)  # 50% accurate at 99% confidence
    assert expected_calibration_error(y, probs) == approx(0.49)


# --------------------------------------------------------------------------- temperature scaling


def test_softmax_and_nll_basics():
    logits = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
    p = softmax(logits)
    assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=1), 1.0)
    assert softmax(np.zeros((1, 4)), 3.0) == approx(np.full((1, 4), 0.25))
    assert nll(np.zeros((2, 4)), np.array([0, 3]), 1.0) == approx(math.log(4))


def test_fit_temperature_fixes_over_confident_logits():
    rng = np.random.default_rng(1)
    logits = 2.0 * rng.normal(size=(2000, 3))
    y = _sample_labels(softmax(logits), rng)
    over = 5.0 * logits
    t = fit_temperature(over, y)
    assert t > 1.0
    assert t == approx(5.0, rel=0.15)
    assert nll(over, y, t) < nll(over, y, 1.0)
    assert expected_calibration_error(y, softmax(over, t)) < expected_calibration_error(
        y, softmax(over)
    )
    assert fit_temperature(over, y) == t  # deterministic


def test_fit_temperature_near_one_for_calibrated_logits():
    rng = np.random.default_rng(2)
    logits = 2.0 * rng.normal(size=(2000, 3))
    y = _sample_labels(softmax(logits), rng)
    assert abs(fit_temperature(logits, y) - 1.0) < 0.15


def test_fit_temperature_degenerate_inputs():
    assert fit_temperature(np.array([[3.0, 0.0]]), np.array([0])) == 1.0
    assert fit_temperature(np.array([[3.0, 0.0], [2.0, 1.0]]), np.array([0, 0])) == 1.0


def test_a_temperature_fitted_on_validation_films_all_right_is_said_to_be_no_calibration():
    """Validation films all right: sharpening only ever lowers their NLL, so the fit stops wherever
    the NLL underflows and the device's probabilities become 0 or 1."""
    from train.calibration import unconstrained_note

    y = np.array([0, 1] * 20)
    separated = np.where(np.eye(2)[y] > 0, 3.0, -3.0)
    t = fit_temperature(separated, y)
    assert t < 0.5  # sharpened, though the search stops short of its bound on the flat
    assert unconstrained_note(separated, y, t).startswith(
        "the model got all 40 validation films right, so calibration had no wrong answer to weigh")
    wrong = separated.copy()
    wrong[0] = wrong[0][::-1]  # one film wrong: the fit has something to weigh
    assert unconstrained_note(wrong, y, fit_temperature(wrong, y)) is None
    assert unconstrained_note(separated[y == 0], y[y == 0], 1.0) is None  # one class: the fit leaves T at 1
    # A few films, one of them wrong, that still left the fit at its lower bound; then a handful
    few = wrong[:9].copy()
    few[0] = [-0.01, 0.01]  # wrong, but hardly: sharpening to the bound costs it little
    assert unconstrained_note(few, y[:9], 0.05).startswith(
        "the calibration temperature ran to its lower bound (0.05) on 9 validation films")
    assert unconstrained_note(few, y[:9], 0.9) == ("the calibration temperature (0.9) was fitted on only 9 validation "
                                                   "films: expect the probabilities to be rough")
    # a teacher whose logits are all about 0: at the lower bound its answers still sit near the class shares, which
    # the no-signal warning says; 'expect probabilities near 0 or 1' beside it contradicted it
    flat = np.random.default_rng(0).normal(0, 1e-3, (9, 2))
    assert unconstrained_note(flat, np.array([0, 1] * 4 + [0]), 0.05) == (
        "the calibration temperature (0.05) was fitted on only 9 validation films: expect the probabilities to be rough")


def test_ece_weights_each_bin_by_its_films():
    """ECE weighs each bin by its films: 100 films at 0.95 (95% right) and 10 at 0.55 (none right) make 0.05, not the mean of the bins' errors (0.275)."""
    from convert.reliability import expected_calibration_error
    probs = np.array([[0.95, 0.05]] * 100 + [[0.55, 0.45]] * 10)
    y = np.array([0] * 95 + [1] * 5 + [1] * 10)  # 95% right at 0.95; 0 of 10 right at 0.55
    assert expected_calibration_error(y, probs, 10) == pytest.approx(10 * 0.55 / 110)


def test_a_confidence_on_a_bin_edge_goes_to_the_lower_bin():
    """Bins are (lo, hi]: a confidence of exactly 0.8 is in the bin that ends at 0.8."""
    from convert.reliability import reliability_bins
    bins = reliability_bins(np.array([0, 0]), np.array([[0.8, 0.2], [0.8, 0.2]]), 10)
    assert bins[7]["count"] == 2  # (0.7, 0.8]


def test_information_gain_is_of_the_calibrated_answers():
    """run.json's information_gain, and the 'model learnt nothing' warning it feeds, were computed on the
    answers before temperature scaling, not on the calibrated ones the model ships with."""
    from train.calibration import information_gain

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    z = np.where(np.eye(2)[y] > 0, 6.0, 0.0) + rng.normal(0, 3, (200, 2))  # over-confident
    share = np.bincount(y) / y.size
    for t in (0.5, 3.0):
        assert information_gain(z, y, t) == approx(-np.log(share[y]).mean() - nll(z, y, t), abs=1e-9)
    assert abs(information_gain(z, y, 3.0) - information_gain(z, y, 1.0)) > 0.01


def test_a_confidence_on_a_bin_edge_goes_to_the_lower_bin_whatever_the_number_of_bins():
    """Bin b is (b/n, (b+1)/n] for any n, not only the report's 15: np.linspace's 7th edge of 12 bins is
    0.5833333333333334, one step above 7/12, so a confidence of 7/12 went to (7/12, 8/12]."""
    for n_bins, j in ((12, 7), (6, 5), (14, 9), (24, 23)):
        bins = reliability_bins(np.array([0]), np.array([[j / n_bins, 1 - j / n_bins]]), n_bins)
        assert [b["count"] for b in bins].index(1) == j - 1, (n_bins, j)
        assert bins[j - 1]["hi"] == j / n_bins and bins[j]["lo"] == j / n_bins
    # 3 films at 5/12, all right, and 1 at 0.45, wrong: (4/12, 5/12] holds the 3 (error 7/12 each) and (5/12, 6/12]
    # the 1 (error 0.45), ECE 0.55; with the 3 put beside the 1, one bin at 0.425 and 75% right gave 0.325
    probs = np.array([[5 / 12, 4 / 12, 3 / 12]] * 3 + [[0.45, 0.3, 0.25]])
    y = np.array([0, 0, 0, 1])
    assert expected_calibration_error(y, probs, 12) == approx((3 * 7 / 12 + 0.45) / 4)


def test_fit_temperature_refuses_logits_that_are_not_finite():
    """A NaN or infinite logit makes every temperature's NLL nan; the search then ran to its upper bound and
    returned 20 as if fitted, which flattened every answer the device gives towards 1 / the classes."""
    logits = np.array([[2.0, 0.0], [0.0, 2.0], [1.0, 0.5], [0.2, 1.0]])
    y = np.array([0, 1, 1, 0])
    assert 0.05 < fit_temperature(logits, y) < 20
    for bad in (math.nan, math.inf, -math.inf):
        broken = logits.copy()
        broken[2, 0] = bad
        with pytest.raises(ValueError, match="1 of 4 validation films"):
            fit_temperature(broken, y)
