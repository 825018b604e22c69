"""What the card claims of a file: only figures that belong to its task, with intervals, and no silent gaps."""

from __future__ import annotations

import json

import pytest

from edge.card import card_text


def _meta(labels: list[str], **validation) -> dict:
    per_class = {c: {"n": 10, "sensitivity": [0.8, 0.49, 0.94], "specificity": [0.9, 0.8, 0.95]} for c in labels}
    return {"labels": labels, "validation": {"data": "x", "test": {
        "n": 10 * len(labels), "balanced_accuracy": [0.8, 0.7, 0.9], "ece": 0.05, "per_class": per_class}, **validation}}


AUDIT = {"balanced_accuracy": 0.742, "chance": 0.25, "warn": True, "give_aways": ["source s: 100% COVID (n = 23)"]}


def test_the_new_site_warning_cites_the_cxr_dev_figure_only_for_a_covid_vs_normal_file():
    two = card_text(_meta(["COVID-19", "NORMAL"], shortcut_audit=AUDIT), "m")  # the task, however spelled
    assert ("a COVID vs Normal model on cxr-dev called only 6% to 10% of the healthy films of a source never seen in "
            "training Normal (README, 'How good is it?')") in two
    for labels in (["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"], ["Effusion", "Normal"]):
        text = card_text(_meta(labels, shortcut_audit=AUDIT), "m")
        assert "Expect lower figures at a new site, possibly far lower" in text
        assert "6% to 10%" not in text and "cxr-dev" not in text, text


OLD_OTHER = {"Lung_Opacity": {"n": 30, "called": {"COVID": 0.633, "Normal": 0.367}}}  # as 0.32.0 and before stored it


def test_the_left_out_classes_shares_get_their_intervals_in_the_card_old_files_from_their_counts():
    text = card_text(_meta(["COVID", "Normal"], other_classes=OLD_OTHER), "m")
    # 19 of 30 and 11 of 30: Wilson's 45.5-78.1% and 21.9-54.49%, as report.md gives them (54%, not 0.545 rounded again: 55%)
    assert ("never trained on got (95% intervals in brackets): Lung_Opacity (n = 30) COVID 63% (46% to 78%), "
            "Normal 37% (22% to 54%)") in text
    new = {"Lung_Opacity": {**OLD_OTHER["Lung_Opacity"], "called_ci": {"COVID": [0.4, 0.8], "Normal": [0.2, 0.6]}}}
    assert "COVID 63% (40% to 80%), Normal 37% (20% to 60%)" in card_text(_meta(["COVID", "Normal"], other_classes=new), "m")


def test_the_interval_from_a_stored_share_is_the_reports_wilson_interval():
    from convert.metrics import wilson_interval
    from edge.shares import share_with_ci

    for k, n in ((0, 7), (7, 7), (19, 30), (1, 999), (500, 999)):
        got = share_with_ci(round(k / n, 3), n)
        assert got[1:] == pytest.approx(list(wilson_interval(k, n)), abs=5e-4), (k, n)
    assert share_with_ci(None, 30) is None and share_with_ci(0.5, None) == [0.5, None, None]


def test_info_gives_the_left_out_classes_shares_as_value_low_high(model_dir, tmp_path):
    from typer.testing import CliRunner

    from edge import metadata as md
    from edge.cli import app

    path = tmp_path / "m.tflite"
    path.write_bytes(md.rewrite((model_dir / "compact" / "model_int8.tflite").read_bytes(), lambda m: {
        **m, "validation": {**_meta(m["labels"])["validation"], "other_classes": {
            "Lung_Opacity": {"n": 30, "called": dict(zip(m["labels"], (0.633, 0.367)))}}}}))
    r = CliRunner().invoke(app, ["--info", "--model", str(path)])
    assert r.exit_code == 0, r.output
    called = json.loads(r.stdout)["validation"]["other_classes"]["Lung_Opacity"]["called"]
    assert list(called.values()) == [[0.633, 0.455, 0.781], [0.367, 0.219, 0.5449]]  # 0.545 read 55%: Wilson gives 0.54487


def test_a_card_of_a_model_that_never_answers_some_classes_says_which_beside_the_ppv_of_the_others():
    four = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    meta = _meta(four)
    for c in four:  # a chance model: every film Lung_Opacity
        meta["validation"]["test"]["per_class"][c] = ({"n": 10, "sensitivity": [1.0, 0.72, 1.0], "specificity": [0.0, 0.0, 0.11]}
                                                      if c == "Lung_Opacity" else
                                                      {"n": 10, "sensitivity": [0.0, 0.0, 0.28], "specificity": [1.0, 0.89, 1.0]})
    text = card_text(meta, "m")
    ppv = next(line for line in text.splitlines() if "(PPV)" in line)
    assert ppv.startswith("  If a class made up 5% of your films, its answers would be right (PPV): Lung_Opacity 5%")
    assert ppv.endswith("; no PPV for the classes never answered on the test split: COVID, Normal, Viral_Pneumonia")
    # every class answered: nothing added; a COVID vs Normal card says it in its own words
    assert "no PPV for" not in card_text(_meta(four), "m") and "no PPV for" not in card_text(_meta(["COVID", "Normal"]), "m")
