"""PPV and NPV at another prevalence: Bayes' rule by hand, the ranges, and the report section."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from convert.prevalence import at_prevalences, predictive_values


def test_bayes_rule_by_hand():
    # 1000 films, 20 with the disease: 18 found, 98 of the 980 others falsely flagged.
    ppv, npv = predictive_values(0.9, 0.9, 0.02)
    assert ppv == pytest.approx(18 / (18 + 98)) and npv == pytest.approx(882 / (882 + 2))
    assert predictive_values(0.9, 0.9, 0.5) == pytest.approx((0.9, 0.9))
    assert predictive_values(1.0, 1.0, 0.3) == (1.0, 1.0)


def test_readmes_answer_worth_gives_the_new_site_figure_beside_the_internal_one_and_both_add_up():
    """README's one PPV figure, 'right about one time in three at 5% COVID', was the internal split's (specificity
    0.893), while its own figures for an unseen source's healthy films (85% to 92% called COVID) make it one in
    twenty, no better than the prevalence (hunt 58, M9). Each figure is worked out again here."""
    readme = " ".join((Path(__file__).parents[1] / "README.md").read_text().split())
    assert ("right about one time in three on its internal test split, at 1% one time in 13; at a site whose healthy "
            "films it calls COVID as it called the unseen source's, 85% to 92% of them, about one time in twenty") in readme
    assert 1 / 3.5 < predictive_values(0.909, 0.893, 0.05)[0] < 1 / 2.5
    assert 1 / 14 < predictive_values(0.909, 0.893, 0.01)[0] < 1 / 12
    for called, shown in ((0.92, "0.049"), (0.85, "0.053")):
        assert f"0.909 × 0.05 / (0.909 × 0.05 + {called} × 0.95) = {shown}" in readme
        assert f"{predictive_values(0.909, 1 - called, 0.05)[0]:.3f}" == shown


def test_undefined_values_are_none_not_a_division_error():
    assert predictive_values(0.0, 1.0, 0.1)[0] is None  # never answers this class: no PPV
    assert predictive_values(1.0, 0.0, 0.1)[1] is None  # always answers it: no NPV
    with pytest.raises(ValueError):
        predictive_values(0.9, 0.9, 1.5)


def test_the_range_comes_from_the_interval_ends_and_brackets_the_point():
    rows = at_prevalences([{"class": "COVID", "sensitivity": 0.9, "sensitivity_ci": [0.8, 0.95],
                            "specificity": 0.85, "specificity_ci": [0.75, 0.92]},
                           {"class": "Normal", "sensitivity": None, "sensitivity_ci": [None, None],
                            "specificity": 0.9, "specificity_ci": [0.8, 0.95]}], (0.05, 0.5))
    assert [(r["class"], r["prevalence"]) for r in rows] == [("COVID", 0.05), ("COVID", 0.5)]  # no sensitivity: skipped
    for r in rows:
        assert r["ppv_range"][0] <= r["ppv"] <= r["ppv_range"][1] and r["npv_range"][0] <= r["npv"] <= r["npv_range"][1]
        assert r["ppv_range"][0] == pytest.approx(predictive_values(0.8, 0.75, r["prevalence"])[0])
    assert rows[0]["ppv"] < rows[1]["ppv"]  # rarer disease, less trustworthy positive


def test_cxr_evaluate_reports_ppv_at_the_prevalences_asked_for(tiny_run, tmp_path):
    from convert.evaluate_cli import evaluate_app

    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    out = tmp_path / "r"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(data), "--keep-seen", "--out", str(out),
                                          "--prevalence", "0.02,0.3", "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    assert report["at_prevalence"]["rule"] is None  # cxr-convert's shape: the rule the figures are of, and the rows
    rows = {(x["class"], x["prevalence"]): x for x in report["at_prevalence"]["rows"]}
    assert set(rows) == {(c, p) for c in report["classes"] for p in (0.02, 0.3)}
    covid = next(c for c in report["metrics"]["per_class"] if c["class"] == "COVID")
    assert rows["COVID", 0.02]["ppv"] == pytest.approx(predictive_values(covid["sensitivity"], covid["specificity"], 0.02)[0])
    assert "## What an answer is worth at your prevalence" in (out / "report.md").read_text()
    bad = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(data), "--keep-seen", "--prevalence", "2%"])
    assert bad.exit_code == 2 and "--prevalence" in bad.output


def test_a_disease_or_normal_models_table_is_keyed_to_the_diseases_prevalence():
    """'Normal at 1%' means COVID at 99%: the two-class table gives the disease's rows only, each
    answer's worth in words; a model of more classes keeps a row per class and prevalence."""
    from convert.prevalence import at_prevalences, section

    per_class = [{"class": "COVID", "sensitivity": 0.9, "sensitivity_ci": [0.8, 0.95],
                  "specificity": 0.8, "specificity_ci": [0.7, 0.9]},
                 {"class": "Normal", "sensitivity": 0.8, "sensitivity_ci": [0.7, 0.9],
                  "specificity": 0.9, "specificity_ci": [0.8, 0.95]}]
    md = "\n".join(section(at_prevalences(per_class, (0.05,)), ["COVID", "Normal"]))
    ppv, npv = predictive_values(0.9, 0.8, 0.05)
    assert ("| COVID prevalence | a COVID answer is right, % (PPV) | a Normal answer is right, % (NPV) | every film "
            "called Normal, right % |") in md
    assert f"| 5% | {100 * ppv:.1f} (" in md and f"| {100 * npv:.1f} (" in md
    assert "| Normal |" not in md and "not one" in md
    # a blank line ends the table: under GitHub's Markdown the note after it was read as one more row
    assert "|\n\nA PPV no higher than the prevalence" in md
    # a Normal answer was 'right 99.6%' for a child's viral pneumonia answered Normal 0.9988: say what it counts
    assert "A Normal answer is right here when the film is not COVID: it does not say the film is free of other " \
           "disease" in " ".join(md.split())
    three = per_class + [{**per_class[1], "class": "Viral"}]
    md3 = "\n".join(section(at_prevalences(three, (0.05,)), ["COVID", "Normal", "Viral"]))
    assert "| class | prevalence | PPV % | NPV % |" in md3 and "| Viral | 5% |" in md3
    # the model's third class has no films here: COVID's NPV counts its Viral answers on Normal films as
    # right, so it is not what a Normal answer is worth, and the table keeps a row per class
    two_of_three = "\n".join(section(at_prevalences(per_class, (0.05,)), ["COVID", "Normal", "Viral"]))
    assert "a Normal answer is right" not in two_of_three and "| COVID | 5% |" in two_of_three


def test_an_answer_no_better_than_no_test_is_marked():
    """At 1% COVID a Normal answer 'right 98.0%' read as reassuring, where calling every film Normal is right 99%:
    the answer doubled the chance of COVID, and a COVID answer was right exactly as often as the prevalence."""
    from convert.prevalence import at_prevalences, section

    per_class = [{"class": "COVID", "sensitivity": 0.9, "sensitivity_ci": [0.8, 0.95],
                  "specificity": 0.1, "specificity_ci": [0.05, 0.2]},
                 {"class": "Normal", "sensitivity": 0.1, "sensitivity_ci": [0.05, 0.2],
                  "specificity": 0.9, "specificity_ci": [0.8, 0.95]}]
    md = "\n".join(section(at_prevalences(per_class, (0.01,)), ["COVID", "Normal"]))
    row = next(line for line in md.splitlines() if line.startswith("| 1% |"))
    assert row.count("*no better than no test*") == 2 and row.rstrip().endswith("| 99.0 |")
    good = [{**per_class[0], "specificity": 0.95, "specificity_ci": [0.9, 0.97]},
            {**per_class[1], "sensitivity": 0.95, "sensitivity_ci": [0.9, 0.97]}]
    assert "no better than no test* " not in "\n".join(section(at_prevalences(good, (0.01,)), ["COVID", "Normal"]))
    assert "*no better than no test*" not in next(line for line in "\n".join(
        section(at_prevalences(good, (0.01,)), ["COVID", "Normal"])).splitlines() if line.startswith("| 1% |"))


def test_prevalences_are_given_once_each_and_in_order():
    """'0.5,0.5' gave the table's rows twice, '0.2,0.01' out of order, and '0.1,,0.2' dropped an item unsaid."""
    import pytest

    from convert.prevalence import parse_prevalences

    assert parse_prevalences("0.5, 0.2,0.5,0.01") == (0.01, 0.2, 0.5)
    with pytest.raises(ValueError, match="has an empty item"):
        parse_prevalences("0.1,,0.2")
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_prevalences("0.1,1")


def test_films_of_one_class_say_why_no_answers_worth_is_given():
    """--prevalence on a set of COVID films only was dropped without a word."""
    from convert.prevalence import at_prevalences, section
    from convert.summary import summarize

    y = np.zeros(30, int)
    probs = np.tile([0.8, 0.2], (30, 1))
    rows = at_prevalences(summarize(y, probs, ["COVID", "Normal"], n_boot=0)["per_class"], (0.05,))
    assert rows == []
    md = "\n".join(section(rows, ["COVID", "Normal"]))
    assert "## What an answer is worth at your prevalence" in md and "no class has both here (films of one class only)" in md


def test_predictions_csv_names_the_rule_that_chose_its_labels():
    """'predicted Normal' beside p_COVID 0.5025 read as a contradiction: the file's stored rule (COVID>=0.5334) chose
    it, and predictions.csv, unlike edge-classify --csv, had no rule column."""
    from convert.film_tables import predictions_csv

    rows = [{"file": "a.png", "true": "COVID", "predicted": "Normal", "probabilities": {"COVID": 0.5025, "Normal": 0.4975}}]
    ruled = predictions_csv(rows, ["COVID", "Normal"], {}, "COVID>=0.5334").splitlines()
    assert ruled[0].split(",")[:7] == ["file", "true", "predicted", "correct", "p_COVID", "p_Normal", "rule"]
    assert ruled[1].endswith(",COVID>=0.5334")
    assert "rule" not in predictions_csv(rows, ["COVID", "Normal"], {}).splitlines()[0]


def test_a_stored_rules_figures_are_its_class_and_with_two_classes_the_others_swapped():
    from convert.prevalence import under_rule

    per_class = [{"class": "COVID", "sensitivity": 0.9, "sensitivity_ci": [0.8, 0.95], "specificity": 0.8,
                  "specificity_ci": [0.7, 0.9]}, {"class": "Normal", "sensitivity": 0.8, "sensitivity_ci": [0.7, 0.9],
                                                  "specificity": 0.9, "specificity_ci": [0.8, 0.95]}]
    rule = {"class": "Normal", "threshold": 0.3, "test": {"sensitivity": 0.95, "sensitivity_ci": [0.9, 0.99],
                                                          "specificity": 0.6, "specificity_ci": [0.4, 0.7]}}
    covid, normal = under_rule(per_class, rule)
    assert (covid["class"], covid["sensitivity"], covid["specificity_ci"]) == ("COVID", 0.6, [0.9, 0.99])
    assert (normal["class"], normal["sensitivity"], normal["specificity"]) == ("Normal", 0.95, 0.6)
    assert [r["class"] for r in under_rule([*per_class, {**per_class[0], "class": "Viral"}], rule)] == ["Normal"]


def test_a_stored_rule_on_one_of_four_classes_gives_every_class_under_it():
    """run4op's 'What an answer is worth' and card gave Lung_Opacity's rows alone, while the device still answers the
    three other classes, whose worth the rule changes."""
    from convert.prevalence import at_prevalences, under_rule
    from convert.rule_notes import per_class_under_rule

    labels = ["COVID", "Lung_Opacity", "Normal", "Viral"]
    y = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    probs = np.array([[.7, .2, .05, .05], [.4, .35, .2, .05], [.1, .6, .2, .1], [.3, .25, .4, .05],
                      [.1, .1, .7, .1], [.1, .3, .5, .1], [.1, .1, .1, .7], [.1, .25, .15, .5]])
    ruled = per_class_under_rule(y, probs, 1, 0.25, labels)  # Lung_Opacity whenever p >= 0.25
    # answers: COVID, Lung_Opacity, Lung_Opacity, Lung_Opacity, Normal, Lung_Opacity, Viral, Lung_Opacity
    assert [(ruled[c]["sensitivity"], round(ruled[c]["specificity"], 3)) for c in labels] == \
        [(0.5, 1.0), (1.0, 0.5), (0.5, 1.0), (0.5, 1.0)]
    per_class = [{"class": c, "sensitivity": 0.9, "sensitivity_ci": [0.8, 0.95], "specificity": 0.9,
                  "specificity_ci": [0.8, 0.95]} for c in labels]
    rule = {"class": "Lung_Opacity", "threshold": 0.25, "per_class_on_test": ruled,
            "test": {k: ruled["Lung_Opacity"][k] for k in ("sensitivity", "sensitivity_ci", "specificity", "specificity_ci")}}
    rows = under_rule(per_class, rule)
    assert [r["class"] for r in rows] == labels and rows[0]["sensitivity"] == 0.5  # the rule's, not argmax's 0.9
    assert {r["class"] for r in at_prevalences(rows, (0.05,))} == set(labels)


def test_a_ppv_of_100_from_no_false_call_shows_its_lower_end_and_among_how_many_films():
    """run4b's table said 'COVID | 1% | 100.0 (0.2–100.0)' from 1 COVID answer and no false call among 12 films:
    read as 'a COVID answer is always right'. Likewise an NPV of 100 from no missed film among 4."""
    from convert.prevalence import section, under_rule
    from convert.summary import summarize

    labels = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    y = np.repeat(np.arange(4), 4)
    pred = np.array([0, 1, 1, 2, 1, 1, 2, 2, 2, 2, 1, 1, 3, 3, 3, 1])  # COVID found once, never called on the others
    rows = at_prevalences(summarize(y, np.eye(4)[pred], labels, n_boot=10)["per_class"], (0.01,))
    covid = rows[0]
    assert covid["ppv"] == 1.0 and covid["ppv_no_false_call_among"] == 12 and "npv_no_missed_film_among" not in covid
    md = section(rows, labels)
    assert "| COVID | 1% | ≥ 0.1 (no false COVID call among 12 other films) | 99.2 (98.7–99.7) |" in md
    assert not any("100.0 (" in line for line in md)
    y2, pred2 = np.array([0] * 4 + [1] * 6), np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])  # every COVID film found
    per_class = summarize(y2, np.eye(2)[pred2], ["COVID", "Normal"], n_boot=10)["per_class"]
    md = section(at_prevalences(per_class, (0.01,)), ["COVID", "Normal"])
    assert "| 1% | 5.7 (0.9–25.2) | ≥ 98.8 (no COVID film missed among 4 films) | 99.0 |" in md
    # a stored rule's rows carry the films they were counted on: a rule changes the answers, not the films
    rule = {"class": "COVID", "threshold": 0.3, "test": {"sensitivity": 0.5, "sensitivity_ci": [0.15, 0.85],
                                                         "specificity": 1.0, "specificity_ci": [0.61, 1.0]}}
    covid, normal = at_prevalences(under_rule(per_class, rule), (0.05,))
    assert covid["ppv_no_false_call_among"] == 6 and normal["npv_no_missed_film_among"] == 6


def test_with_three_or_more_classes_normal_gets_no_disease_style_rows_and_its_answer_is_said_in_words():
    """run4b's table gave 'Normal | 5% | 11.4': read as a Normal answer right 11% of the time at a clinic, where most
    films are Normal (the two-class table drops those rows for that reason), and the sentence that a Normal answer
    only means 'none of the other classes' was missing with three or more classes."""
    from convert.prevalence import section

    labels = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    rates = {"class": "", "sensitivity": 0.6, "sensitivity_ci": [0.4, 0.75], "specificity": 0.75,
             "specificity_ci": [0.65, 0.83]}
    md = " ".join(" ".join(section(at_prevalences([{**rates, "class": c} for c in labels], (0.01, 0.05)), labels)).split())
    assert "| Normal |" not in md and "| COVID | 1% |" in md and "| Viral_Pneumonia | 5% |" in md
    assert ("A Normal answer is right here when the film is not COVID, Lung_Opacity or Viral_Pneumonia: it does not say "
            "the film is free of other disease") in md
    # no Normal class: every class keeps its rows, and nothing is said of one
    other = ["COVID", "Lung_Opacity", "Viral_Pneumonia"]
    md = "\n".join(section(at_prevalences([{**rates, "class": c} for c in other], (0.05,)), other))
    assert all(f"| {c} | 5% |" in md for c in other) and "free of other disease" not in md


def test_a_model_with_two_normal_like_classes_keeps_both_their_rows():
    """A model trained on two sources' healthy folders as two classes (Normal, No_Finding): 'Normal at 1%' no longer
    means the diseases at 99% (No_Finding is neither), so neither class is left out of the table as the one Normal
    is, nor is either's answer said to mean 'none of the other classes'."""
    from convert.prevalence import section

    labels = ["COVID", "Normal", "No_Finding", "Viral_Pneumonia"]
    rates = {"sensitivity": 0.6, "sensitivity_ci": [0.4, 0.75], "specificity": 0.75, "specificity_ci": [0.65, 0.83]}
    md = "\n".join(section(at_prevalences([{**rates, "class": c} for c in labels], (0.05,)), labels))
    assert all(f"| {c} | 5% |" in md for c in labels) and "free of other disease" not in md


def test_a_normal_rule_chosen_on_a_sites_films_of_four_classes_gets_no_normal_rows():
    """cxr-evaluate --operating-point Normal=0.9 on a 4-class model: report.md's rule section, and report.json, gave
    'Normal | 5% | 7.5', read as a Normal answer right 7% of the time at a clinic where most films are Normal, with
    words of the findings 'the model calls the disease' (hunt 59, 1): Normal is left out by the model's classes, not
    by how many rows there are."""
    from convert.prevalence import chosen_rule_worth

    labels = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    per_class = [{"class": c, "support": 30, "tp": 20, "fn": 10, "fp": 15, "tn": 75, "sensitivity": 0.67,
                  "sensitivity_ci": [0.49, 0.81], "specificity": 0.83, "specificity_ci": [0.74, 0.9]} for c in labels]
    expected = {"sensitivity": 0.87, "sensitivity_ci": [0.73, 0.96], "specificity": 0.43, "specificity_ci": [0.34, 0.54]}
    site = {"decision": {"class": "Normal", "threshold": 0.1138}, "next_films": expected}
    rows, md = chosen_rule_worth(per_class, site, labels, (0.01, 0.05))
    text = " ".join(" ".join(md).split())
    assert rows["rows"] == [] and "| Normal |" not in text and "the disease" not in text and "PPV %" not in text
    assert "Not worked out: the only figures known here are Normal's" in text and "Normal has no rows" in text
    assert [x["class"] for x in rows["left_out"]] == ["Normal"]  # report.json says they were left out, not lost
    # a disease's rule keeps its rows, as before
    rows, md = chosen_rule_worth(per_class, {**site, "decision": {"class": "COVID", "threshold": 0.2}}, labels, (0.05,))
    assert [r["class"] for r in rows["rows"]] == ["COVID"] and any(line.startswith("| COVID | 5% |") for line in md)
    assert rows["left_out"] == []


def test_report_json_leaves_out_normals_rows_of_three_classes_as_report_md_does_and_says_why(tmp_path):
    """report.md left Normal's rows out of a 3+ class model's table ('Normal at 5%' read as a Normal answer's worth
    at a clinic), and report.json's site_operating_point.at_prevalence did too, but report.json's main at_prevalence
    kept them: a script reading it showed 'Normal 5%' figures report.md withheld. Two classes keep both: the Normal
    row at a share p is the disease's at 1 - p with PPV and NPV swapped, the figures report.md's table gives."""
    from convert.report import evaluation_report
    from tests.conftest import unpadded

    classes = ["COVID", "Normal", "Viral_Pneumonia"]
    y = np.repeat(np.arange(3), 10)
    probs = 0.5 * np.eye(3)[y] + 0.5 * np.random.default_rng(0).dirichlet(np.ones(3), y.size)
    out = tmp_path / "three"
    evaluation_report(out, "t", y, probs, classes, [f"f{k}.png" for k in range(y.size)], n_boot=10, prevalences=(0.05,))
    worth = json.loads((out / "report.json").read_text())["at_prevalence"]
    assert [r["class"] for r in worth["rows"]] == ["COVID", "Viral_Pneumonia"]
    assert [x["class"] for x in worth["left_out"]] == ["Normal"] and "most films are Normal" in worth["left_out"][0]["why"]
    md = unpadded((out / "report.md").read_text())
    assert "| Normal | 5% |" not in md and "| COVID | 5% |" in md and "Normal has no rows" in md

    out = tmp_path / "two"
    evaluation_report(out, "t", y[:20], probs[:20, :2] / probs[:20, :2].sum(1, keepdims=True), classes[:2],
                      [f"f{k}.png" for k in range(20)], n_boot=10, prevalences=(0.05, 0.95))
    worth = json.loads((out / "report.json").read_text())["at_prevalence"]
    rows = {(r["class"], r["prevalence"]): r for r in worth["rows"]}
    assert worth["left_out"] == [] and {c for c, _ in rows} == {"COVID", "Normal"}
    assert rows["Normal", 0.05]["ppv"] == pytest.approx(rows["COVID", 0.95]["npv"])


def test_beside_the_per_class_table_each_class_is_counted_on_each_other_class_and_the_mix_is_named():
    """A 4-class COVID specificity of 66.7% was pooled over Lung_Opacity, Normal and Viral_Pneumonia at this folder's
    1:1:1 mix: it called COVID for 16 of 30 Lung_Opacity and 2 of 30 Viral_Pneumonia films, which the report never
    said, nor which mix its 'PPV % at this set's mix' column assumed."""
    from convert.figures_md import pooled_lines
    from convert.summary import summarize

    labels = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    cm = np.array([[13, 1, 15, 1], [11, 4, 6, 9], [5, 1, 18, 6], [2, 1, 1, 26]])
    y = np.repeat(np.arange(4), cm.sum(axis=1))
    pred = np.concatenate([np.repeat(np.arange(4), row) for row in cm])
    md = "\n".join(pooled_lines(summarize(y, np.eye(4)[pred], labels, n_boot=0), labels))
    assert "25% each of the 120 films" in md
    assert "- COVID called for 11 of 30 Lung_Opacity, 5 of 30 Normal, 2 of 30 Viral_Pneumonia films" in md
    assert "- Normal called for 15 of 30 COVID, 6 of 30 Lung_Opacity, 1 of 30 Viral_Pneumonia films" in md
    uneven = np.array([0] * 10 + [1] * 5 + [2] * 5)
    assert "COVID 50%, Lung_Opacity 25%, Normal 25% of the 20 films" in "\n".join(
        pooled_lines(summarize(uneven, np.eye(3)[uneven], labels[:3], n_boot=0), labels[:3]))
    assert pooled_lines(summarize(y[:60] // 2, np.eye(2)[pred[:60] // 2], ["COVID", "Normal"], n_boot=0),
                        ["COVID", "Normal"]) == []  # two classes: the other class's films are all there is


def test_normal_is_left_out_only_of_a_model_of_three_or_more_classes_with_one_normal_class_and_its_rows():
    """normal_left_out decides from the model's classes: two classes have the disease-keyed table instead; two
    normal-like classes (Normal, No_Finding) have no one 'no disease' answer to leave out, even where only one of
    them has rows; a Normal with no rows here has nothing to leave out, and report.md would explain rows it lacks."""
    from convert.prevalence import normal_left_out

    four = ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]
    assert normal_left_out(four, four) == ["Normal"]
    assert normal_left_out(["Normal"], four) == ["Normal"]
    assert normal_left_out(["COVID", "Normal"], ["COVID", "Normal"]) == []
    assert normal_left_out(["COVID", "Viral_Pneumonia"], four) == []
    assert normal_left_out(["COVID", "Normal"], ["COVID", "Normal", "No_Finding"]) == []


def test_a_share_too_close_to_0_or_1_to_mean_anything_is_refused_with_the_range():
    """--prevalence 1e-320 (a subnormal float, held to 3 digits) was taken: a row '1e-318%' whose PPV and NPV read
    0.0 and 100.0 for any model. Said as typed, with the range."""
    import pytest

    from convert.prevalence import parse_prevalences

    for text, near in (("1e-320", 0), ("0.01, 1e-7", 0), ("0.9999999", 1)):
        with pytest.raises(ValueError, match=rf"^--prevalence: {re.escape(text.split(', ')[-1])} is too close to "
                                             rf"{near} .*from 0\.000001 \(one film in a million\) to 0\.999999"):
            parse_prevalences(text)
    assert parse_prevalences("0.000001,0.999999") == (1e-6, 0.999999)  # the ends themselves are taken
