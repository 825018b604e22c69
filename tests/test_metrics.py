"""Tests for convert.metrics, roc and summary, against hand-computed numbers (calibration: test_calibration.py)."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from convert.metrics import accuracy, agreement, balanced_accuracy, confusion_matrix, per_class_metrics, wilson_interval
from convert.roc import auroc, macro_auroc, roc_curve
from convert.summary import bootstrap_ci, summarize
from train.calibration import softmax

approx = pytest.approx


def _from_cm(cm: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Expand a (true x predicted) count matrix into label arrays."""
    y_true, y_pred = [], []
    for t, row in enumerate(cm):
        for p, count in enumerate(row):
            y_true += [t] * count
            y_pred += [p] * count
    return np.array(y_true), np.array(y_pred)


def _check(row: dict, expected: dict) -> None:
    for key, value in expected.items():
        assert row[key] == approx(value), key


# --------------------------------------------------------------------------- Wilson


def test_wilson_textbook_value():
    lo, hi = wilson_interval(8, 10)
    assert lo == approx(0.4902, abs=5e-4)
    assert hi == approx(0.9433, abs=5e-4)


def test_wilson_edges():
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(0, 10)[1] == approx(0.2775, abs=5e-4)
    assert wilson_interval(10, 10) == (approx(0.7225, abs=5e-4), 1.0)
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


# --------------------------------------------------------------------------- confusion matrix


def test_confusion_matrix_explicit():
    cm = confusion_matrix(np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 3)
    assert cm.dtype == np.int64
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    with pytest.raises(ValueError):
        confusion_matrix(np.array([0, 3]), np.array([0, 1]), 3)


def test_per_class_2x2_by_hand():
    # rows = true (normal, pneumonia), cols = predicted
    y_true, y_pred = _from_cm([[6, 2], [1, 3]])
    cm = confusion_matrix(y_true, y_pred, 2)
    assert cm.tolist() == [[6, 2], [1, 3]]
    normal, pneu = per_class_metrics(cm, ["normal", "pneumonia"])
    _check(normal, dict(support=8, tp=6, fn=2, fp=1, tn=3, sensitivity=6 / 8,
                        specificity=3 / 4, ppv=6 / 7, npv=3 / 5, f1=12 / 15))
    _check(pneu, dict(support=4, tp=3, fn=1, fp=2, tn=6, sensitivity=3 / 4,
                      specificity=6 / 8, ppv=3 / 5, npv=6 / 7, f1=6 / 9))
    assert normal["class"] == "normal" and pneu["class"] == "pneumonia"
    # Wilson 6/8 = (0.4093, 0.9285); pneumonia specificity is 6/8 too
    assert normal["sensitivity_ci"] == [approx(0.4093, abs=5e-4), approx(0.9285, abs=5e-4)]
    assert pneu["specificity_ci"] == normal["sensitivity_ci"]
    assert pneu["ppv_ci"] == list(wilson_interval(3, 5))
    assert pneu["npv_ci"] == list(wilson_interval(6, 7)) and normal["npv_ci"] == list(wilson_interval(3, 5))
    assert accuracy(y_true, y_pred) == approx(9 / 12)
    assert balanced_accuracy(y_true, y_pred, 2) == approx((6 / 8 + 3 / 4) / 2)


def test_per_class_3x3_by_hand():
    y_true, y_pred = _from_cm([[5, 1, 0], [2, 3, 1], [0, 1, 4]])  # n = 17
    cm = confusion_matrix(y_true, y_pred, 3)
    a, b, c = per_class_metrics(cm, ["normal", "pneumonia", "covid"])
    _check(a, dict(support=6, tp=5, fn=1, fp=2, tn=9, sensitivity=5 / 6,
                   specificity=9 / 11, ppv=5 / 7, npv=9 / 10, f1=10 / 13))
    _check(b, dict(support=6, tp=3, fn=3, fp=2, tn=9, sensitivity=3 / 6,
                   specificity=9 / 11, ppv=3 / 5, npv=9 / 12, f1=6 / 11))
    _check(c, dict(support=5, tp=4, fn=1, fp=1, tn=11, sensitivity=4 / 5,
                   specificity=11 / 12, ppv=4 / 5, npv=11 / 12, f1=8 / 10))
    assert a["specificity_ci"] == list(wilson_interval(9, 11))
    assert accuracy(y_true, y_pred) == approx(12 / 17)
    assert balanced_accuracy(y_true, y_pred, 3) == approx((5 / 6 + 3 / 6 + 4 / 5) / 3)


def test_zero_support_class_is_nan_without_warnings():
    # class 2 has no true cases; it is predicted once (a false positive)
    y_true, y_pred = _from_cm([[3, 1, 1], [1, 2, 0], [0, 0, 0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cm = confusion_matrix(y_true, y_pred, 3)
        rows = per_class_metrics(cm, ["a", "b", "c"])
        bal = balanced_accuracy(y_true, y_pred, 3)
        empty = per_class_metrics(np.zeros((2, 2), dtype=np.int64), ["x", "y"])
    c = rows[2]
    assert c["support"] == 0 and c["fp"] == 1 and c["tn"] == 7
    assert math.isnan(c["sensitivity"])
    assert all(math.isnan(v) for v in c["sensitivity_ci"])
    assert c["specificity"] == approx(7 / 8)
    assert c["ppv"] == 0.0 and c["npv"] == 1.0 and c["f1"] == 0.0
    assert bal == approx((3 / 5 + 2 / 3) / 2)  # mean over classes with support only
    for row in empty:
        for key in ("sensitivity", "specificity", "ppv", "npv", "f1"):
            assert math.isnan(row[key]), key


# --------------------------------------------------------------------------- ROC / AUROC


def test_perfect_predictions():
    y = np.array([0, 1, 2, 0, 1, 2])
    probs = np.eye(3)[y] * 0.9 + 0.1 / 3
    cm = confusion_matrix(y, probs.argmax(axis=1), 3)
    for row in per_class_metrics(cm, ["a", "b", "c"]):
        for key in ("sensitivity", "specificity", "ppv", "npv", "f1"):
            assert row[key] == 1.0, key
    assert accuracy(y, probs.argmax(axis=1)) == 1.0
    assert macro_auroc(y, probs) == 1.0
    assert auroc(y == 1, probs[:, 1]) == 1.0


def test_all_wrong_predictions_and_inverted_scores():
    y = np.array([0, 0, 1, 1, 1])
    y_pred = 1 - y
    rows = per_class_metrics(confusion_matrix(y, y_pred, 2), ["neg", "pos"])
    assert rows[0]["sensitivity"] == 0.0 and rows[1]["sensitivity"] == 0.0
    assert accuracy(y, y_pred) == 0.0
    assert auroc(y, -y.astype(float)) == 0.0
    fpr, tpr, _ = roc_curve(y, -y.astype(float))
    assert fpr.tolist() == [0.0, 1.0, 1.0] and tpr.tolist() == [0.0, 0.0, 1.0]


def test_auroc_constant_scores_is_half():
    y = np.array([0, 1, 0, 1, 1])
    assert auroc(y, np.full(5, 0.3)) == 0.5
    fpr, tpr, thr = roc_curve(y, np.full(5, 0.3))
    assert fpr.tolist() == [0.0, 1.0] and tpr.tolist() == [0.0, 1.0]
    assert thr[0] == np.inf and thr[1] == 0.3


def test_auroc_and_roc_with_ties_by_hand():
    # positives 0.5, 0.9; negatives 0.5, 0.2: pairs score 0.5 (tie) + 1 + 1 + 1 = 3.5 of 4
    y = np.array([0, 1, 0, 1])
    s = np.array([0.5, 0.5, 0.2, 0.9])
    assert auroc(y, s) == approx(0.875)
    fpr, tpr, thr = roc_curve(y, s)
    assert thr.tolist() == [np.inf, 0.9, 0.5, 0.2]
    assert tpr.tolist() == [0.0, 0.5, 1.0, 1.0]
    assert fpr.tolist() == [0.0, 0.0, 0.5, 1.0]
    area = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    assert area == approx(auroc(y, s))


def test_auroc_single_class_is_nan():
    assert math.isnan(auroc(np.ones(4), np.arange(4.0)))


def test_macro_auroc_binary_equals_class1_and_skips_absent_class():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 50)
    p1 = np.clip(0.3 * y + rng.random(50) * 0.7, 0, 1)
    probs = np.stack([1 - p1, p1], axis=1)
    assert macro_auroc(y, probs) == auroc(y == 1, p1)
    # 3 columns but class 2 never occurs -> mean over classes 0 and 1 only
    y3 = np.array([0, 0, 1, 1])
    probs3 = np.array([[0.8, 0.1, 0.1], [0.4, 0.5, 0.1], [0.3, 0.6, 0.1], [0.2, 0.2, 0.6]])
    a0 = auroc(y3 == 0, probs3[:, 0])
    a1 = auroc(y3 == 1, probs3[:, 1])
    assert (a0, a1) == (1.0, 0.75)
    assert macro_auroc(y3, probs3) == approx((a0 + a1) / 2)


# --------------------------------------------------------------------------- bootstrap


def _toy_model(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    probs = softmax(rng.normal(size=(n, 3)) + 1.5 * np.eye(3)[y])
    return y, probs


def test_bootstrap_ci_contains_estimate_and_is_deterministic():
    y, probs = _toy_model()

    def stat(yt, pr):
        return balanced_accuracy(yt, pr.argmax(axis=1), 3)

    point = stat(y, probs)
    ci = bootstrap_ci(y, probs, stat, n_boot=1000, seed=7)
    assert ci[0] < point < ci[1]
    assert 0.0 < ci[1] - ci[0] < 0.2
    assert bootstrap_ci(y, probs, stat, n_boot=1000, seed=7) == ci
    assert bootstrap_ci(y, probs, stat, n_boot=1000, seed=8) != ci


def test_bootstrap_resamples_within_each_class_so_a_missed_small_class_never_scores_perfect():
    # 7 Normal films right, the 2 COVID films missed: balanced accuracy 0.5. A plain bootstrap drew
    # resamples without a COVID film (about one in twenty) that scored the Normal films alone: 1.0.
    y = np.array([1] * 7 + [0] * 2)
    probs = np.tile([0.2, 0.8], (9, 1))
    seen = []

    def stat(yt, pr):
        seen.append(np.bincount(yt, minlength=2).tolist())
        return balanced_accuracy(yt, pr.argmax(axis=1), 2)

    assert bootstrap_ci(y, probs, stat, n_boot=500, seed=0) == (0.5, 0.5)
    assert seen == [[2, 7]] * 500  # every resample has the set's count of each class


def test_a_set_of_one_class_has_no_balanced_accuracy_and_says_why_its_sensitivity_keeps_its_wilson_interval():
    # 42 of 45 COVID films found: report.md shows "COVID sensitivity 93.3 (82.1-97.7)" (Wilson). report.json gave the
    # same figure as balanced_accuracy, and 1.0 (CI 0.758-1.0) to a model that answers COVID to every film, which a
    # script checking balanced_accuracy > 0.8 passed (H66): balanced accuracy needs two classes.
    y = np.zeros(45, dtype=int)
    probs = np.tile([0.9, 0.1], (45, 1))
    probs[:3] = [0.1, 0.9]
    s = summarize(y, probs, ["COVID", "Normal"], n_boot=200)
    assert s["balanced_accuracy"] is None and s["balanced_accuracy_ci"] == [None, None]
    assert s["balanced_accuracy_no_value"] == ("one class present (COVID films only): balanced accuracy needs films of "
                                               "two classes; see per_class for COVID sensitivity")
    assert s["per_class"][0]["sensitivity"] == pytest.approx(42 / 45)
    assert s["per_class"][0]["sensitivity_ci"] == pytest.approx(list(wilson_interval(42, 45)))
    always = summarize(np.zeros(12, dtype=int), np.tile([0.9, 0.1], (12, 1)), ["COVID", "Normal"], n_boot=50)
    assert always["balanced_accuracy"] is None and always["per_class"][0]["sensitivity"] == 1.0
    assert math.isnan(balanced_accuracy(np.zeros(12, dtype=int), np.zeros(12, dtype=int), 2))
    two = summarize(np.r_[np.zeros(45, int), 1], np.r_[probs, [[0.2, 0.8]]], ["COVID", "Normal"], n_boot=50)
    assert "balanced_accuracy_no_value" not in two and two["balanced_accuracy"] == pytest.approx((42 / 45 + 1) / 2)


def test_films_of_one_class_give_their_sensitivity_but_no_ppv_npv_or_f1():
    """45 COVID films and no other: every COVID answer is right (PPV 100) and every 'not COVID' wrong (NPV 0) whatever
    the model does; a table of 'PPV 100, NPV 0' read as a verdict on the model and is none."""
    y = np.zeros(45, dtype=int)
    probs = np.tile([0.8, 0.1, 0.1], (45, 1))
    probs[:3] = [0.1, 0.8, 0.1]
    covid = summarize(y, probs, ["COVID", "Normal", "Viral_Pneumonia"], n_boot=50, seed=0)["per_class"][0]
    assert [covid[k] for k in ("ppv", "ppv_ci", "npv", "npv_ci", "f1")] == [None, [None, None], None, [None, None], None]
    assert covid["sensitivity"] == pytest.approx(42 / 45)


def test_the_same_films_in_another_order_get_the_same_intervals():
    # The films are read in file-name order: renamed (or reached through the Kaggle layout), the same 20
    # (true, predicted, p) triples gave balanced accuracy 80.0 (60.0-95.0) and 80.0 (65.0-95.0).
    from convert.summary import auroc_per_class_ci

    rng = np.random.default_rng(3)
    y = np.repeat([0, 1], 12)
    p1 = np.clip(np.where(y == 0, 0.62, 0.38) + rng.normal(0, 0.25, y.size), 0.01, 0.99).round(3)
    probs = np.stack([p1, 1 - p1], axis=1)
    probs[[1, 2, 14, 15]] = probs[[1, 1, 14, 14]]  # films with the same answer: ties in the order
    first = summarize(y, probs, ["COVID", "Normal"], n_boot=300)
    assert 0.0 < first["balanced_accuracy"] < 1.0 and 0 < first["confusion_matrix"][0][1]  # a bootstrap, not MOVER
    for order in (np.arange(y.size)[::-1], rng.permutation(y.size), np.roll(np.arange(y.size), 7)):
        again = summarize(y[order], probs[order], ["COVID", "Normal"], n_boot=300)
        assert again["balanced_accuracy_ci"] == first["balanced_accuracy_ci"]
        assert again["macro_auroc_ci"] == first["macro_auroc_ci"]
        assert (auroc_per_class_ci(y[order], probs[order], ["COVID", "Normal"])
                == auroc_per_class_ci(y, probs, ["COVID", "Normal"]))


def test_the_paired_bootstrap_keeps_each_films_two_answers_together_in_any_order():
    from convert.compare import compare

    rng = np.random.default_rng(5)
    y = np.repeat([0, 1], 15)
    a = np.where(rng.random(30) < 0.7, y, 1 - y)
    b = np.where(rng.random(30) < 0.8, y, 1 - y)
    first = compare(y, a, b, ["COVID", "Normal"], n_boot=300)
    assert first["balanced_accuracy_difference_ci_method"] == "bootstrap"
    for order in (np.arange(30)[::-1], rng.permutation(30)):
        assert compare(y[order], a[order], b[order], ["COVID", "Normal"], n_boot=300) == first
    # pairing kept: every resampled film is one of the set's films, with its true class and both its answers
    films = {(int(t), int(u), int(v)) for t, u, v in zip(y, a, b)}
    drawn = set()

    def stat(yy, ab):
        drawn.update((int(t), int(u), int(v)) for t, (u, v) in zip(yy, ab))
        return 0.0

    bootstrap_ci(y, np.stack([a, b], axis=1), stat, n_boot=50)
    assert drawn == films


def test_bootstrap_skips_nan_and_all_nan_gives_nan():
    y, probs = _toy_model(n=40)
    assert all(math.isnan(v) for v in bootstrap_ci(y, probs, lambda a, b: math.nan, n_boot=20))
    calls = []

    def sometimes_nan(yt, pr):
        calls.append(1)
        return math.nan if len(calls) % 2 else 0.5

    assert bootstrap_ci(y, probs, sometimes_nan, n_boot=20) == (0.5, 0.5)


# --------------------------------------------------------------------------- reports


def test_summarize_is_strict_json():
    y, probs = _toy_model(n=120)
    probs = np.concatenate([probs, np.zeros((120, 1))], axis=1)  # a 4th class, never present
    s = summarize(y, probs, ["normal", "pneumonia", "covid", "other"], n_boot=100, seed=0)
    text = json.dumps(s, allow_nan=False)
    assert json.loads(text) == s
    assert set(s) == {
        "n", "accuracy", "accuracy_ci", "balanced_accuracy", "balanced_accuracy_ci",
        "macro_auroc", "macro_auroc_ci", "auroc_per_class", "auroc_per_class_ci", "ece", "ece_bins", "confusion_matrix",
        "classes_present", "per_class", "reliability",
    }
    assert s["n"] == 120 and isinstance(s["n"], int)
    assert s["accuracy"] == approx(accuracy(y, probs.argmax(axis=1)))
    assert s["accuracy_ci"][0] < s["accuracy"] < s["accuracy_ci"][1]
    assert s["balanced_accuracy_ci"][0] < s["balanced_accuracy"] < s["balanced_accuracy_ci"][1]
    assert s["macro_auroc"] == approx(macro_auroc(y, probs))
    assert s["auroc_per_class"]["other"] is None
    assert s["per_class"][3]["sensitivity"] is None
    assert s["per_class"][3]["sensitivity_ci"] == [None, None]
    # A class with no films: its PPV (0 for any answer of it), NPV and F1 are fixed by its absence
    assert s["classes_present"] == ["normal", "pneumonia", "covid"]
    assert [s["per_class"][3][k] for k in ("ppv", "ppv_ci", "npv", "npv_ci", "f1")] == [None, [None, None], None,
                                                                                         [None, None], None]
    assert s["per_class"][3]["specificity"] is not None and s["per_class"][0]["ppv"] is not None
    assert len(s["reliability"]) == 15 == s["ece_bins"]
    assert sum(map(sum, s["confusion_matrix"])) == 120


def test_agreement():
    a = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]])
    b = np.array([[0.8, 0.2], [0.45, 0.55], [0.2, 0.8]])
    r = agreement(a, b)
    assert r["class_agreement"] == approx(2 / 3)
    assert r["max_abs_prob_error"] == approx(0.15)
    assert r["mean_abs_prob_error"] == approx((0.1 + 0.1 + 0.15 + 0.15) / 6)
    assert r["flipped"] == [1]
    assert agreement(a, a)["flipped"] == [] and agreement(a, a)["class_agreement"] == 1.0


def test_probabilities_that_are_not_finite_are_refused_not_ranked():
    """NaN ranked highest in the AUROC and lowest on the ROC curve, and a threshold chosen among NaN
    scores missed its target: a model that gives NaN is broken, and is said to be."""
    from convert.roc import operating_points

    y = np.array([0, 0, 1, 1])
    p = np.array([[0.9, 0.1], [np.nan, np.nan], [0.2, 0.8], [0.3, np.inf]])
    with pytest.raises(ValueError, match=r"gave 2 of 4 films no finite probabilities"):
        summarize(y, p, ["COVID", "Normal"], n_boot=10)
    with pytest.raises(ValueError, match=r"gave 1 of 1 film no finite probabilities"):  # not '1 of 1 film(s)'
        summarize(y[2:3], p[3:4], ["COVID", "Normal"], n_boot=10)
    with pytest.raises(ValueError, match="no finite probabilities"):
        operating_points(y, p, y, p, ["COVID", "Normal"])
    summarize(y, np.nan_to_num(p, nan=0.5, posinf=1.0), ["COVID", "Normal"], n_boot=10)  # finite: no error


def test_every_share_of_a_per_class_row_has_its_interval_overall_and_per_source():
    """report.json's per_class rows (cxr-convert's models.*, cxr-evaluate's metrics and per_source) gave npv
    without npv_ci, where README says every share has its 95% interval in <name>_ci."""
    from convert.subgroups import per_source

    y = np.array([0, 0, 0, 1, 1, 1, 0, 1])
    probs = np.eye(2)[[0, 0, 1, 1, 1, 0, 0, 1]].astype(float)
    rows = summarize(y, probs, ["COVID", "Normal"], n_boot=20)["per_class"]
    rows += [r for g in per_source(y, probs, ["COVID", "Normal"], ["a"] * 4 + ["b"] * 4, n_boot=20).values()
             for r in g["per_class"]]
    for r in rows:
        for share in ("sensitivity", "specificity", "ppv", "npv"):
            assert f"{share}_ci" in r, (r["class"], share)
    covid = rows[0]
    assert covid["npv"] == 3 / 4 and covid["npv_ci"] == approx(list(wilson_interval(3, 4)))
