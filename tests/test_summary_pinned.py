"""Pins for convert.summary that its mutation round found unpinned: which balanced-accuracy interval a set gets,
the accuracy and ECE figures as named, the rule recorded, the blanked specificity, and the bootstrap's draws."""

from __future__ import annotations

import numpy as np
import pytest

from convert.intervals import mean_of_proportions
from convert.metrics import wilson_interval
from convert.reliability import expected_calibration_error
from convert.summary import auroc_no_interval, bootstrap_ci, summarize

CLASSES = ["COVID", "Normal"]


def answers(y: list[int], right: list[bool]) -> np.ndarray:
    """Two-class probabilities: 0.8 on the true class where right, else 0.8 on the other."""
    return np.array([[0.8, 0.2] if (t == 0) == r else [0.2, 0.8] for t, r in zip(y, right)])


def test_a_class_all_wrong_beside_a_mixed_one_gets_the_mover_interval_not_the_bootstrap():
    """4 COVID films all missed, 4 Normal films 2 right: no resample varies COVID's 0/4, so balanced accuracy's
    interval is the MOVER one of 0/4 and 2/4 (as for a class all right)."""
    y = [0, 0, 0, 0, 1, 1, 1, 1]
    s = summarize(np.array(y), answers(y, [False] * 4 + [True, True, False, False]), CLASSES, n_boot=200)
    assert s["balanced_accuracy_ci"] == pytest.approx(list(mean_of_proportions([0, 2], [4, 4])))


def test_accuracy_interval_is_wilsons_of_the_right_answers_among_the_films_and_ece_has_15_bins():
    y = [0, 0, 0, 1, 1]
    p = answers(y, [True, True, False, True, False])
    s = summarize(np.array(y), p, CLASSES, n_boot=50)
    assert s["accuracy_ci"] == pytest.approx(list(wilson_interval(3, 5)))
    p2 = np.array([[0.55, 0.45], [0.62, 0.38], [0.9, 0.1], [0.33, 0.67], [0.48, 0.52]])
    y2 = np.array([1, 0, 0, 1, 1])  # the 0.55 answer (COVID) wrong, the 0.52 one (Normal) right
    s2 = summarize(y2, p2, CLASSES, n_boot=50)
    # ten bins put 0.55 and 0.52 in one bin (accuracy 1/2 against confidence 0.535); fifteen part them
    assert expected_calibration_error(y2, p2, 15) != pytest.approx(expected_calibration_error(y2, p2, 10))
    assert s2["ece"] == pytest.approx(expected_calibration_error(y2, p2, 15)) and s2["ece_bins"] == 15


def test_the_rule_is_recorded_with_its_class_name_and_threshold():
    y = [0, 1, 1]
    s = summarize(np.array(y), answers(y, [True, True, False]), CLASSES, n_boot=20, rule=(0, 0.3))
    assert s["rule"] == {"class": "COVID", "threshold": 0.3}
    assert "rule" not in summarize(np.array(y), answers(y, [True, True, False]), CLASSES, n_boot=20)


def test_films_of_one_class_leave_the_other_class_without_a_specificity():
    """3 COVID films only: Normal's 'specificity' would be COVID's sensitivity again, so it is blank."""
    y = [0, 0, 0]
    rows = {r["class"]: r for r in summarize(np.array(y), answers(y, [True, True, False]), CLASSES, n_boot=20)["per_class"]}
    assert rows["Normal"]["specificity"] is None and rows["Normal"]["specificity_ci"] == [None, None]


def test_one_class_alone_has_no_auroc_so_no_reason_for_a_missing_interval():
    assert auroc_no_interval(np.array([0]), CLASSES) == {}


def test_every_film_of_a_class_can_be_drawn_and_alpha_must_lie_inside_0_1():
    """Two films of one class, one with 1 in the first column (last in content order): a resample of two misses
    it with chance 1/4, holds it otherwise, so the max's 95% interval over 400 resamples is 0 to 1."""
    y, p = np.array([0, 0]), np.array([[0.0, 1.0], [1.0, 0.0]])
    assert bootstrap_ci(y, p, lambda yt, pr: float(pr[:, 0].max()), n_boot=400) == (0.0, 1.0)
    with pytest.raises(ValueError, match="alpha=0.0"):
        bootstrap_ci(y, p, lambda yt, pr: 0.0, alpha=0.0)
