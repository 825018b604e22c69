"""train.calibration pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which test_calibration.py let through). The temperature fitted here turns every answer the
device gives into its probability, and its notes say when that probability is not to be trusted."""

from __future__ import annotations

import math

import numpy as np
import pytest

from train.calibration import fit_temperature, information_gain, nll, softmax, unconstrained_note


def _answers(right: int, margin: float, n: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """n films of two classes in turn; the first ``right`` answered right, the rest wrong, each by ``margin``."""
    y = np.arange(n) % 2
    z = np.zeros((n, 2))
    z[np.arange(n), np.where(np.arange(n) < right, y, 1 - y)] = margin
    return z, y


def test_the_fit_finds_the_nll_minimum_far_from_one_and_up_to_its_upper_bound():
    """Over-confident answers of 3 classes want T near 17: the fit finds the minimum to within 0.1% (a search of
    10 steps was 2% off), and its bound (20) lets it get there."""
    rng = np.random.default_rng(0)
    z, y = rng.normal(size=(200, 3)) * 8, rng.integers(0, 3, 200)
    y[:80] = z[:80].argmax(1)
    grid = np.exp(np.linspace(math.log(10), math.log(20), 4001))
    best = grid[np.argmin([nll(z, y, t) for t in grid])]
    assert best < 19 and fit_temperature(z, y) == pytest.approx(best, rel=1e-3)


def test_a_temperature_at_its_lower_bound_with_some_signal_is_said_to_be_sharpened_as_far_as_it_may():
    """28 of 40 right by a hair: the fit runs to 0.05 and the answers gain 0.076 nats a film, above the no-signal
    line of 0.01, so the note says they were sharpened to the bound; with 22 right (0.005 nats) the model has
    no signal, which cxr-train says elsewhere, and this note stays silent."""
    z, y = _answers(28, 0.03)
    t = fit_temperature(z, y)
    assert t == pytest.approx(0.05) and 0.05 < information_gain(z, y, t) < 0.1
    assert "ran to its lower bound (0.05) on 40 validation films" in unconstrained_note(z, y, t)
    z, y = _answers(22, 0.01)
    assert unconstrained_note(z, y, fit_temperature(z, y)) is None


def test_fewer_than_20_validation_films_give_rough_probabilities_and_20_do_not():
    z, y = _answers(14, 1.0, n=20)
    assert unconstrained_note(z, y, 1.0) is None
    z, y = _answers(13, 1.0, n=19)
    assert "fitted on only 19 validation films" in unconstrained_note(z, y, 1.0)


def test_large_logits_give_a_finite_nll():
    """A confident model's logits of 1000 are ordinary for float64 once the largest is taken off first."""
    assert nll(np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([0, 1])) == pytest.approx(0.0)


@pytest.mark.parametrize("call", [
    lambda: softmax(np.zeros((1, 2)), float("inf")),
    lambda: nll(np.zeros((2, 2)), np.array([0, 2])),  # a label past the last class
    lambda: nll(np.zeros((3, 2)), np.array([0, 1])),  # labels for other films than the logits'
])
def test_impossible_inputs_are_refused(call):
    with pytest.raises(ValueError):
        call()


def test_an_infinite_upper_bound_is_refused_as_such():
    with pytest.raises(ValueError, match="bounds must satisfy"):
        fit_temperature(np.zeros((2, 2)), np.array([0, 1]), bounds=(0.1, float("inf")))


def test_films_with_non_finite_logits_are_counted_as_films():
    z = np.zeros((5, 3))
    z[1] = np.nan  # one film, three NaN logits
    with pytest.raises(ValueError, match="gave 1 of 5 validation films logits that are not finite"):
        fit_temperature(z, np.array([0, 1, 2, 0, 1]))
