"""A two-class model has one AUROC: every ranking of its films comes from one score (convert.roc.ranking_scores)."""

from __future__ import annotations

import numpy as np
import pytest

from convert.roc import auroc, macro_auroc, ranking_scores, roc_curve
from convert.summary import auroc_per_class_ci, summarize


def _saturated():
    """A confident model's float32 softmax: p(COVID) is exactly 1.0 for four films, p(Normal) still ranks them.
    The hunter's repro (hunt 49, finding 1): 3 COVID films, then 3 Normal films."""
    margin = np.array([40., 36., 5., 38., 34., -30.])  # logit of COVID minus logit of Normal
    z = np.stack([margin / 2, -margin / 2], 1).astype(np.float32)
    p = np.exp(z - z.max(1, keepdims=True))
    p = (p / p.sum(1, keepdims=True)).astype(np.float32)
    assert (p[:, 0] == 1.0).sum() == 4  # the saturation this test is about
    return margin, np.array([0, 0, 0, 1, 1, 1]), p


def test_a_two_class_model_has_one_auroc_that_of_its_logit_margin():
    margin, y, p = _saturated()
    s = summarize(y, p, ["COVID", "Normal"], n_boot=50)
    true = auroc(y == 0, margin)
    assert true == pytest.approx(2 / 3)
    assert s["auroc_per_class"]["COVID"] == s["auroc_per_class"]["Normal"] == s["macro_auroc"] == macro_auroc(y, p)
    assert s["macro_auroc"] == pytest.approx(true)


def test_the_two_classes_auroc_intervals_are_one():
    _, y, p = _saturated()
    ci = auroc_per_class_ci(y, p, ["COVID", "Normal"])
    assert ci["COVID"] == ci["Normal"]


def test_the_scores_are_antisymmetric_and_survive_a_p_of_exactly_0():
    p = np.array([[1.0, 0.0], [1.0, 2.6e-10], [0.5, 0.5], [0.0, 1.0]], dtype=np.float32)
    s = ranking_scores(p)
    assert np.all(np.isfinite(s)) and np.array_equal(s[:, 0], -s[:, 1])
    assert s[0, 0] > s[1, 0] > s[2, 0] == 0 > s[3, 0]
    three = np.array([[0.2, 0.3, 0.5]])
    assert np.allclose(ranking_scores(three), np.log(three / (1 - three)))  # three classes: each one's log-odds


def test_the_roc_and_operating_point_plots_draw_mirrored_curves_and_the_reports_auroc(tmp_path, monkeypatch):
    from convert import plots
    from convert.roc import operating_points as rows_of

    made = []
    monkeypatch.setattr(plots, "_save", lambda fig, path, mark="": made.append(fig))
    margin, y, p = _saturated()
    classes = ["COVID", "Normal"]
    plots.roc_curves(y, p, classes, tmp_path / "roc.png")
    (line,) = [ln for ln in made[0].axes[0].get_lines() if not ln.get_label().startswith("_")]
    assert line.get_label() == f"COVID (AUROC 0.667; {int((y == 0).sum())} vs {int((y != 0).sum())} films)"  # and its n
    rows = rows_of(y, p, y, p, classes)
    plots.operating_points(y, p, classes, rows, tmp_path / "op.png")
    covid, normal = ([ln for ln in ax.get_lines() if len(ln.get_xdata()) > 2][0] for ax in made[1].axes[:2])
    points = {(round(x, 9), round(t, 9)) for x, t in zip(covid.get_xdata(), covid.get_ydata())}
    mirrored = {(round(1 - t, 9), round(1 - x, 9)) for x, t in zip(normal.get_xdata(), normal.get_ydata())}
    assert points == mirrored
    fpr, tpr, _ = roc_curve(y == 0, margin)
    assert points == {(round(x, 9), round(t, 9)) for x, t in zip(fpr, tpr)}


def test_three_classes_rank_films_whose_p_saturates_by_the_other_classes():
    """Three classes: p(COVID) is exactly 1.0 in float32 for four films (two COVID, two not) while the other two
    classes' p still order them; ranked by p(COVID) they tied (AUROC 0.556 for COVID where it is 0.778)."""
    logits = np.array([[40., 2., 0.], [36., 0., 1.], [5., 0., 0.],      # COVID films
                       [34., 9., 0.], [33., 0., 8.], [-3., 4., 0.]])    # a Normal and two pneumonia films
    z = logits.astype(np.float32)
    p = np.exp(z - z.max(1, keepdims=True))
    p = (p / p.sum(1, keepdims=True)).astype(np.float32)
    assert (p[:, 0] == 1.0).sum() == 4  # the saturation this test is about
    y = np.array([0, 0, 0, 1, 2, 1])
    true_margin = logits[:, 0] - np.log(np.exp(logits[:, 1]) + np.exp(logits[:, 2]))
    assert auroc(y == 0, true_margin) == pytest.approx(7 / 9)
    assert auroc(y == 0, p[:, 0]) == pytest.approx(5 / 9)  # the ties at 1.0 cost it
    s = summarize(y, p, ["COVID", "Normal", "Viral"], n_boot=50)
    assert s["auroc_per_class"]["COVID"] == pytest.approx(7 / 9)


def test_two_class_macro_auroc_when_the_second_class_saturates():
    """The same when the second class's probability is the one that saturates at 1.0 (the fixture above saturates the first only)."""
    from convert.roc import auroc, macro_auroc
    margin = -np.array([40., 36., 5., 38., 34., -30.])  # p(Normal) is exactly 1.0 for four films
    z = np.stack([margin / 2, -margin / 2], 1).astype(np.float32)
    p = np.exp(z - z.max(1, keepdims=True))
    p = (p / p.sum(1, keepdims=True)).astype(np.float32)
    y = np.array([1, 1, 1, 0, 0, 0])
    assert macro_auroc(y, p) == pytest.approx(auroc(y == 1, -margin))
