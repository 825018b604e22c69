"""Numbers a user reads that hand mutation testing (session 74) found unguarded: each test here fails on one
small change to the code that the other tests let pass, and its expected values are worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from convert.metrics import per_class_metrics, wilson_interval
from convert.roc import macro_auroc
from edge.borders_contrast import border_widths
from edge.preprocess import bordered_input, preprocess_gray


def test_the_macro_auroc_of_three_classes_is_the_mean_of_theirs_not_the_median():
    # one film per class; one-vs-rest AUROCs by hand (1 positive against 2 negatives):
    # class 0: 0.7 above 0.1 and 0.35 -> 1; class 1: 0.4 above 0.2 and 0.35 -> 1; class 2: 0.3 above 0.1, below 0.5 -> 0.5
    y = np.array([0, 1, 2])
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.4, 0.5], [0.35, 0.35, 0.3]])
    assert macro_auroc(y, p) == pytest.approx((1.0 + 1.0 + 0.5) / 3)  # the median would say 1.0


def test_a_border_is_trimmed_by_at_most_a_quarter_of_the_side_when_read_from_a_file():
    # 16 flat black rows on top of a 40 x 40 film: a quarter of 40 is 10, and the file path (read_film ->
    # border_widths -> bordered_input) must cut as preprocess_gray's trim_uniform_borders does
    gray = np.zeros((40, 40), np.uint8)
    gray[16:, :] = (np.indices((24, 40)).sum(axis=0) % 2 * 200).astype(np.uint8)  # checkerboard: no flat line
    assert border_widths(gray) == (10, 0, 0, 0)
    assert np.array_equal(bordered_input(gray, border_widths(gray)), preprocess_gray(gray))


def test_a_class_found_every_time_has_an_interval_that_ends_at_exactly_one():
    # 10 of 10: Wilson's upper end computed as centre + half comes out 0.9999999999999999; report.json must say 1.0
    assert wilson_interval(10, 10)[1] == 1.0
    assert wilson_interval(0, 3)[0] == 0.0
    cm = np.array([[10, 0], [3, 7]])
    covid = per_class_metrics(cm, ["COVID", "Normal"])[0]
    assert covid["sensitivity"] == 1.0 and covid["sensitivity_ci"][1] == 1.0
