"""cxr-convert's held-out source section where the source holds some of the model's classes, two or more: a 3-class
model (COVID, Normal, Lung_Opacity) with the children's archive held out showed 'balanced accuracy 7.1' for it, the mean
of Normal's and Lung_Opacity's sensitivities (the archive has no COVID film), under a column a reader took for the
mean over every class. report.md now says over which classes it is taken, and which the source lacks."""

from __future__ import annotations


import numpy as np

from convert.quant_report import write_quantization_report
from convert.summary import summarize
from tests.conftest import unpadded
from tests.test_quant_report import three_class_report


def _report_with_external(tiny_run, tmp_path, external_classes: list[int]) -> str:
    """report.md of the tiny run's report made a 3-class one, with a held-out source of films of these classes."""
    run, report, y, probs, rng = three_class_report(tiny_run, tmp_path, "Lung_Opacity")
    classes = report["classes"]
    ext_y = np.repeat(external_classes, 7)
    ext_p = 0.5 * np.eye(3)[ext_y] + 0.5 * rng.dirichlet(np.ones(3), len(ext_y))
    report["external"] = {"source": "lecuong", "n": len(ext_y),
                          **{m: summarize(ext_y, ext_p, classes, n_boot=10) for m in ("keras", "int8")}}
    write_quantization_report(run, report, {m: probs for m in report["models"]}, y)
    md = unpadded((run / "report.md").read_text())
    return md.split("## External source held out")[1].split("\n## ")[0]


def test_a_source_of_two_of_three_classes_says_its_balanced_accuracy_is_over_those_two(tiny_run, tmp_path):
    ext = _report_with_external(tiny_run, tmp_path, [1, 2])
    assert ("Its balanced accuracy is over Normal and Lung_Opacity alone, the mean of their sensitivities: the source "
            "has no COVID films.") in ext


def test_a_source_of_every_class_or_of_one_needs_no_such_sentence(tiny_run, tmp_path):
    assert "Its balanced accuracy is over" not in _report_with_external(tiny_run, tmp_path / "all", [0, 1, 2])
    one = _report_with_external(tiny_run, tmp_path / "one", [1])
    assert "Its balanced accuracy is over" not in one and "| int8 | Normal sensitivity" in one


def test_the_sources_of_a_held_out_set_named_by_file_name_are_said(tmp_path):
    """--holdout-source hannover held out films by the start of their names, whose source is
    ml-workgroup/covid-19-image-repository: report.md gave only 'hannover', the name typed, and cxr-evaluate's
    per-source table only the other (hunt 63, H32)."""
    from convert.external_section import external_intro
    from train.data import Item
    from train.holdout import source_counts

    items = [Item(f"COVID/hannover-{k}.png", "COVID", source="ml-workgroup/covid-19-image-repository") for k in range(3)]
    items += [Item("COVID/hannover-x.png", "COVID"), Item("Normal/n.png", "Normal", source="kaggle-normal")]
    sources = source_counts([i for i in items if i.source])  # as convert.split_scores counts them
    assert sources == {"ml-workgroup/covid-19-image-repository": 3, "kaggle-normal": 1}
    said = external_intro({"source": "hannover", "n": 5, "sources": sources}, ["COVID", "Normal"])
    assert said.endswith(" Its films' sources: `ml-workgroup/covid-19-image-repository` (3), `kaggle-normal` (1), and 1 "
                         "of none, matched by file name.")
    same = external_intro({"source": "kaggle-normal", "n": 1, "sources": {"kaggle-normal": 1}}, ["COVID", "Normal"])
    assert "sources:" not in same and "sources:" not in external_intro({"source": "x", "n": 1}, ["COVID", "Normal"])
