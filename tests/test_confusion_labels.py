"""A confusion matrix says which labelling it counts: a threshold rule's and the most probable class's look alike."""

from __future__ import annotations

import numpy as np
import pytest

from convert import plots

pytestmark = pytest.mark.skipif(not plots.available(), reason="matplotlib is not installed")


@pytest.fixture
def titles(monkeypatch):
    """The panel titles of each picture saved, by file name."""
    seen: dict[str, list[str]] = {}
    save = plots._save

    def keep(fig, path, mark=""):
        seen[path.name] = [ax.get_title() for ax in fig.axes if ax.get_title()]
        save(fig, path, mark)

    monkeypatch.setattr(plots, "_save", keep)
    return seen


def test_cxr_evaluates_confusion_picture_and_its_alt_text_name_the_rule(tmp_path, titles):
    from convert.report import evaluation_report

    y = np.array([0, 0, 0, 1, 1, 1])
    p0 = np.array([0.9, 0.3, 0.1, 0.25, 0.05, 0.6])
    probs = np.stack([p0, 1 - p0], 1)
    files = [f"f{k}.png" for k in range(6)]
    evaluation_report(tmp_path / "rule", "m on site", y, probs, ["COVID", "Normal"], files, n_boot=10, threshold=(0, 0.2))
    assert titles["confusion.png"] == ["m on site\nlabels: COVID whenever p >= 0.2"]
    md = (tmp_path / "rule" / "report.md").read_text()
    # ">" escaped as in a table cell (convert.report_text.md_cell)
    assert "share of its row (the same counts as the table above); labels: COVID whenever p \\>= 0.2](confusion.png)" in md
    evaluation_report(tmp_path / "plain", "m on site", y, probs, ["COVID", "Normal"], files, n_boot=10)
    assert titles["confusion.png"] == ["m on site\nlabels: the most probable class"]
    assert "; labels: the most probable class](confusion.png)" in (tmp_path / "plain" / "report.md").read_text()


def test_cxr_converts_panels_say_they_count_the_most_probable_class_not_the_stored_rule():
    from convert.confusion_words import all_convert_labels, convert_labels

    rule = {"class": "COVID", "threshold": 0.0995997563}
    assert convert_labels(None) == "labels: the most probable class"
    assert convert_labels(rule) == "labels: the most probable class,\nnot its stored rule\n(COVID whenever p >= 0.09959)"
    assert all_convert_labels([None, rule]) == ("labels: the most probable class, not the rule a file stores (each "
                                                "panel names it)")
    assert all_convert_labels([None, None]) == "labels: the most probable class"
