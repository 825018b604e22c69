"""Figures rounded for storage and rounded again, or judged, by their readers (review 72s, the hunt after it): a card
kept a balanced accuracy's interval end of 0.50012 as 0.5 and then said it "reaches down to chance"; report.json kept
an input-check score of 1.0004 as 1.0 beside "atypical": true; a mistake's border share of 0.4451 kept as 0.445 was
written 44 in report.md; a size ratio of 0.26496 kept as 0.265 was written 0.27. Each is now kept with the decimals
that read as the figure itself."""

from __future__ import annotations

import numpy as np

from convert.card import validation_card
from convert.chance import chance_line
from convert.occlusion_section import mistake_lines, occlusion_rows
from convert.report import evaluation_report
from convert.summary import summarize
from edge.card_warnings import chance_verdict

CLASSES = ["COVID", "Normal"]


def test_a_card_does_not_put_an_interval_above_chance_down_to_it():
    """4 COVID films all found, 20 of 39 Normal films right: balanced accuracy 0.756 (MOVER 0.50012 to 0.831)."""
    y = np.array([0] * 4 + [1] * 39)
    said = np.array([0] * 4 + [1] * 20 + [0] * 19)
    summary = summarize(y, np.eye(2)[said], CLASSES, n_boot=50)
    assert 0.5 < summary["balanced_accuracy_ci"][0] < 0.5005
    assert chance_line(summary) is None  # report.md: above chance, nothing said
    card = validation_card({"classes": CLASSES, "models": {"int8": summary}}, "int8", "cxr", None)
    lo = card["test"]["balanced_accuracy"][1]
    assert lo > 0.5 and round(lo, 3) == 0.5  # was 0.5
    assert chance_verdict({"labels": CLASSES, "validation": card}) == "above"  # was "reaches": the card's warning


def test_a_card_keeps_three_decimals_where_they_stay_on_their_side_of_chance():
    y = np.array([0] * 4 + [1] * 39)
    said = np.array([0] * 4 + [1] * 30 + [0] * 9)
    summary = summarize(y, np.eye(2)[said], CLASSES, n_boot=50)
    card = validation_card({"classes": CLASSES, "models": {"int8": summary}}, "int8", "cxr", None)
    assert card["test"]["balanced_accuracy"] == [round(v, 3) for v in [summary["balanced_accuracy"], *summary["balanced_accuracy_ci"]]]


def test_an_atypical_films_stored_score_is_above_1(tmp_path):
    y = np.array([0, 0, 1, 1])
    report = evaluation_report(tmp_path, "m on site", y, np.eye(2)[y], CLASSES, [f"f{k}.png" for k in range(4)],
                               n_boot=20, unlikeness=np.array([1.0004, 0.9996, 1.2345, 1.0]))
    rows = report["predictions"]
    assert [r["atypical"] for r in rows] == [True, False, True, False]
    assert rows[0]["input_check_score"] > 1.0  # was 1.0 beside "atypical": true
    assert [r["input_check_score"] for r in rows[1:]] == [1.0, 1.234, 1.0]  # 3 decimals where they read alike


class _Map:  # what convert.occlusion's map answers: the label's probability, its strongest square covered or not
    def probability(self, covered: bool = False) -> float:
        return 0.4 if covered else 0.97


def test_a_mistakes_border_share_reads_in_report_md_as_the_share_itself():
    mistakes = [{"index": 0, "true": 1, "predicted": 0, "probability": 0.97, "border_share": share, "map": _Map()}
                for share in (0.4451, 0.1234)]
    rows = occlusion_rows(mistakes, CLASSES, ["a.png"])
    assert [r["border_share"] for r in rows] == [0.4451, 0.123]  # was 0.445, read again as 44
    assert [line.split(" | ")[-1] for line in mistake_lines(rows, CLASSES)] == ["45 |", "12 |"]


def test_a_size_ratio_reads_in_report_md_as_the_ratio_itself():
    from convert.quant_report import ratio_text, size_ratio

    assert size_ratio(26_496, 100_000) == 0.26496 and ratio_text(size_ratio(26_496, 100_000)) == "0.26"  # 0.265: 0.27
    assert size_ratio(26_512, 100_000) == 0.2651


def test_a_cards_share_of_films_of_another_class_reads_as_report_mds():
    """5 of 11 Pneumonia films called COVID: 45.45%, 45% in report.md, kept as 0.455 and read "46%" on the card."""
    from convert.intervals import wilson_interval
    from convert.left_out_words import _share
    from edge.card import card_text

    y = np.array([0] * 4 + [1] * 6)
    summary = summarize(y, np.eye(2)[y], CLASSES, n_boot=50)
    called = {c: {"films": k, "share": k / 11, "share_ci": list(wilson_interval(k, 11))} for c, k in (("COVID", 5), ("Normal", 6))}
    report = {"classes": CLASSES, "models": {"int8": summary},
              "other_classes": {"by_mode": {"int8": {"Pneumonia": {"films": 11, "called": called}}}}}
    card = validation_card(report, "int8", "cxr", None)
    text = card_text({"labels": CLASSES, "validation": card}, "model_int8.tflite")
    assert "Pneumonia (n = 11) COVID 45% (21% to 72%), Normal 55% (28% to 79%)" in text  # was COVID 46%
    assert _share(called["COVID"]) == "5 (45%, 21-72)"  # report.md's


def test_a_flipped_films_probabilities_read_in_report_md_as_they_are():
    """The int8 file gives a COVID film 0.100456 (Keras 0.6): kept as 0.1005 in report.json, report.md read 0.101."""
    from convert.flips import flip_line
    from convert.gate import compare

    ag = compare(np.array([[0.6, 0.4]]), np.array([[0.100456, 0.899544]]), np.array([0]), ["a.png"], CLASSES)
    (flip,) = ag["flipped"]
    assert flip["quantized"]["COVID"] == 0.10046  # was 0.1005
    assert flip_line(flip, "int8").endswith("int8 COVID 0.100, Normal 0.900")  # was COVID 0.101


def test_an_older_cards_share_gets_an_interval_that_reads_as_report_mds():
    """A file of cxr-edge 0.32.0 and before stored bare shares: 1 of 2 films called COVID (report.md: "1 (50%, 9-91)").
    edge-classify's Wilson interval, 0.0945 to 0.9055, was kept as 0.095 to 0.905 and read 10% to 90% on the card."""
    from edge.shares import share_with_ci

    assert share_with_ci(0.5, 2) == [0.5, 0.0945, 0.9055]
    y = np.array([0] * 4 + [1] * 6)
    card = validation_card({"classes": CLASSES, "models": {"int8": summarize(y, np.eye(2)[y], CLASSES, n_boot=50)}},
                           "int8", "cxr", None)
    card["other_classes"] = {"Pneumonia": {"n": 2, "called": {"COVID": 0.5, "Normal": 0.5}}}
    from edge.card import card_text

    text = card_text({"labels": CLASSES, "validation": card}, "model_int8.tflite")
    assert "Pneumonia (n = 2) COVID 50% (9% to 91%)" in text  # was (10% to 90%)


def test_a_cards_rule_that_calls_most_other_films_its_class_says_so():
    """A rule that leaves 500 of 1,001 other-class test films uncalled: specificity 0.4995, under 0.5. report.md says
    it calls most films of the other classes COVID; the card kept 0.5 and said nothing."""
    from convert.intervals import wilson_interval
    from edge.stored_rule_words import calls_most

    y = np.array([0] * 4 + [1] * 6)
    spec = 500 / 1001
    test = {"sensitivity": 1.0, "sensitivity_ci": [0.5, 1.0], "specificity": spec,
            "specificity_ci": list(wilson_interval(500, 1001)), "tp": 40, "fn": 0, "fp": 501, "tn": 500}
    report = {"classes": CLASSES, "models": {"int8": {**summarize(y, np.eye(2)[y], CLASSES, n_boot=50),
                                                      "decision": {"class": "COVID", "threshold": 0.2, "test": test}}}}
    card = validation_card(report, "int8", "cxr", None)
    kept = card["rule_on_test"]["specificity"]
    assert kept[0] == 0.4995 and calls_most([spec], "COVID") == calls_most(kept, "COVID") != ""  # was 0.5: ""
    assert kept[1:] == [round(v, 3) for v in test["specificity_ci"]]
