"""Plots of a set lacking films of some class: what the picture, and its alt text, say of the class with none."""

from __future__ import annotations

import numpy as np
import pytest

CLASSES = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]


@pytest.fixture
def figures(monkeypatch):
    """Every figure a plot function made (a closed Figure can still be inspected)."""
    pytest.importorskip("matplotlib")
    from convert import plots

    made, real = [], plots._save
    monkeypatch.setattr(plots, "_save", lambda fig, path, mark="": (made.append(fig), real(fig, path, mark)))
    return made


def _no_lung_opacity(n=120, seed=0):
    """Four-class scores on films of three classes: no Lung_Opacity film."""
    rng = np.random.default_rng(seed)
    y = np.array([0, 2, 3])[np.arange(n) % 3]
    logits = rng.normal(size=(n, 4)) + 1.5 * np.eye(4)[y]
    return y, np.exp(logits) / np.exp(logits).sum(1, keepdims=True)


def test_a_class_with_no_films_says_so_where_its_bars_would_be(figures, tmp_path):
    """Its slot stood empty, read as a sensitivity of 0 beside classes of 0.75 and 0.8."""
    from convert.sensitivity_plot import sensitivity_bars
    from convert.summary import summarize

    y, p = _no_lung_opacity()
    rows = summarize(y, p, CLASSES, n_boot=20)["per_class"]
    sensitivity_bars({"keras": rows, "int8": rows}, CLASSES, tmp_path / "s.png")
    ax = figures[0].axes[0]
    said = [t for t in ax.texts if "no films" in t.get_text()]
    assert len(said) == 1, [t.get_text() for t in ax.texts]
    assert said[0].get_position()[0] == pytest.approx(CLASSES.index("Lung_Opacity"))  # under its own tick
    # a class with films but no bar (a sensitivity of 0 from 0 of its films found) gets no such note
    figures.clear()
    found = [dict(r, sensitivity=0.0, sensitivity_ci=[0.0, 0.1]) if r["class"] == "COVID" else r for r in rows]
    sensitivity_bars({"keras": found}, CLASSES, tmp_path / "s0.png")
    assert [t.get_position()[0] for t in figures[0].axes[0].texts if "no films" in t.get_text()] == [1]


def test_each_class_counts_its_films_under_its_name(figures, tmp_path):
    """sensitivity.png gave no film count: a 0.8 from 5 films looked like one from 500. Each tick names the class
    and, on a second line, its films (per-class support); a class with none says 0 films."""
    from convert.sensitivity_plot import sensitivity_bars
    from convert.summary import summarize

    y, p = _no_lung_opacity(100)  # 34 COVID, 33 Normal, 33 Viral_Pneumonia
    rows = summarize(y, p, CLASSES, n_boot=20)["per_class"]
    sensitivity_bars({"keras": rows, "int8": rows}, CLASSES, tmp_path / "s.png")
    ticks = [t.get_text() for t in figures[0].axes[0].get_xticklabels()]
    assert ticks == ["COVID\n34 films", "Lung_Opacity\n0 films", "Normal\n33 films", "Viral_Pneumonia\n33 films"]
    # one film is one film; models scored on different films give the range
    one = [dict(r, support=1) if r["class"] == "COVID" else r for r in rows]
    fewer = [dict(r, support=30) if r["class"] == "Normal" else r for r in rows]
    sensitivity_bars({"keras": one, "int8": fewer}, CLASSES, tmp_path / "s2.png")
    ticks = [t.get_text() for t in figures[1].axes[0].get_xticklabels()]
    assert ticks[0] == "COVID\n1–34 films" and ticks[2] == "Normal\n30–33 films", ticks
    sensitivity_bars({"keras": [one[0]]}, ["COVID"], tmp_path / "s1.png")
    assert figures[2].axes[0].get_xticklabels()[0].get_text() == "COVID\n1 film"


def test_the_sensitivity_alt_text_names_the_class_without_bars():
    """The picture says 'no films here: n/a' in the empty slot, the ROC's alt text names the class without a
    curve; the sensitivity picture's alt text said nothing of it."""
    from convert.report_text import ALT, image

    alt = image("sensitivity", absent=["Lung_Opacity"])
    assert alt == f"![{ALT['sensitivity']}; no bar for Lung_Opacity: no films of it here](sensitivity.png)", alt
    assert "no films of them here" in image("sensitivity", absent=["a", "b"])
    assert image("sensitivity", absent=[]) == image("sensitivity") == f"![{ALT['sensitivity']}](sensitivity.png)"


def test_a_class_with_no_films_is_named_in_the_roc_legend_not_left_out(figures, tmp_path):
    from convert.plots import roc_curves

    y, p = _no_lung_opacity()
    roc_curves(y, p, CLASSES, tmp_path / "roc.png")
    labels = [t.get_text() for t in figures[0].axes[0].get_legend().get_texts()]
    assert labels[1] == "Lung_Opacity: no films here, so no curve", labels
    assert [label.split(" (")[0] for label in labels if "AUROC" in label] == ["COVID", "Normal", "Viral_Pneumonia"]
    drawn = [line for line in figures[0].axes[0].get_lines() if line.get_label().startswith("Lung_Opacity")]
    assert len(drawn) == 1 and len(drawn[0].get_xdata()) == 0  # a legend entry, no line


def test_the_roc_alt_text_names_the_class_without_a_curve(tmp_path):
    pytest.importorskip("matplotlib")
    from convert.report import evaluation_report

    y, p = _no_lung_opacity(60)
    evaluation_report(tmp_path, "m on site", y, p, CLASSES, [f"f{k}.png" for k in range(y.size)], n_boot=20)
    [alt] = [line for line in (tmp_path / "report.md").read_text().splitlines() if line.endswith("(roc.png)")]
    assert "; no curve for Lung_Opacity: no films of it here](roc.png)" in alt, alt
    # all four classes present: no such words
    y4 = np.arange(60) % 4
    evaluation_report(tmp_path / "all", "m on site", y4, p, CLASSES, [f"f{k}.png" for k in range(60)], n_boot=20)
    assert "no curve" not in (tmp_path / "all" / "report.md").read_text()


def test_cxr_evaluates_roc_and_reliability_name_the_model_the_set_and_its_films(figures, tmp_path):
    """roc.png said only 'ROC (one vs rest)': pasted into a slide, nothing told which model, which films or how many.
    A long title is wrapped to the picture's width."""
    from convert.report import evaluation_report

    y, p = _no_lung_opacity(60)
    title = "model_int8_distilled_from_the_teacher.tflite on cxr-dev-site-hamburg"
    evaluation_report(tmp_path, title, y, p, CLASSES, [f"f{k}.png" for k in range(60)], n_boot=20)
    roc, rel = figures[1].axes[0].get_title(), figures[2].axes[0].get_title()
    for shown, word in ((roc, "ROC"), (rel, "Calibration")):
        assert shown.startswith(word) and shown.endswith("60 films") and "hamburg" in shown, shown
        assert max(len(line) for line in shown.split("\n")) <= 40, shown


def test_an_operating_points_panel_of_a_class_with_no_films_says_that_not_one_class_only(figures, tmp_path):
    """Its panel read 'no ROC (one class only)' on films of three classes."""
    from convert.plots import operating_points
    from convert.roc import operating_points as points

    y, p = _no_lung_opacity()
    operating_points(y, p, CLASSES, points(y, p, y, p, CLASSES), tmp_path / "op.png")
    titles = [ax.get_title() for ax in figures[0].axes if ax.get_title()]
    assert "Lung_Opacity: no ROC (no films of it here)" in titles, titles
    assert not any("one class only" in t for t in titles), titles
