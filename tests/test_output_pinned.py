"""edge.output pinned where a change would print another answer than the one given, a column under the wrong name,
or a refusal a script takes for an answer (found by hand mutation testing: each test here failed with one small
change to rule_caption, said_name, writer_for or print_selftest in place, which the fast tests of
tests/test_edge_cli_outputs.py, test_json_probabilities.py, test_machine_read_answers.py and kin let through)."""

from __future__ import annotations

import json

import numpy as np

from edge.batch import Result
from edge.output import csv_columns, print_selftest, rule_caption, said_name, writer_for

LABELS = ["COVID", "Normal"]


def test_a_maps_caption_under_a_rule_says_the_rule_and_a_probability_below_it_as_below():
    """0.899 under COVID>=0.9 is not shown as 0.90, which reads as meeting the rule."""
    assert rule_caption([0.899, 0.101], 1, (0, 0.9), LABELS) == " (rule COVID>=0.9: COVID 0.899 is below it)"
    assert rule_caption([0.95, 0.05], 0, (0, 0.9), LABELS) == " (rule COVID>=0.9)"
    assert rule_caption([0.95, 0.05], 0, None, LABELS) == ""


def test_a_name_in_a_message_is_quoted_where_it_starts_with_a_quote_or_holds_a_control_and_its_bytes_escaped():
    assert said_name('"q.png') == '"\\"q.png"' and said_name("a\nb.png") == '"a\\nb.png"'
    assert said_name("caf\udce9.png") == "caf\\xe9.png"


def test_a_csv_row_says_atypical_0_1_or_nothing_for_errors_and_answers(capsys):
    write = writer_for(LABELS, 1, "csv", model_sha256="ab12")  # the model named where it answered or refused
    write(Result("a.png", error="cannot read it", atypical=False))
    write(Result("b.png", error="refused", atypical=True))
    write(Result("c.png", error="cannot read it"))
    write(Result("d.png", np.array([0.25, 0.75]), atypical=False))
    assert capsys.readouterr().out == ("file,label,probability,p_COVID,p_Normal,atypical,error,rule,header_says,"
                                       "model_sha256,synthetic\n"
                                       "a.png,,,,,0,cannot read it,,,,\nb.png,,,,,1,refused,,,ab12,\n"
                                       "c.png,,,,,,cannot read it,,,,\nd.png,Normal,0.75,0.25,0.75,0,,,,ab12,\n")
    writer_for(LABELS, 1, "csv", header=False, synthetic=True)(Result("c.png", np.array([0.25, 0.75])))
    assert capsys.readouterr().out == "c.png,Normal,0.75,0.25,0.75,,,,,,true\n"  # appended to a file with its header


def test_the_text_format_ranks_every_class_with_four_decimals_in_tabs_or_columns(capsys):
    labels, p = ["A", "B", "C", "D", "E"], np.array([0.1, 0.2, 0.3, 0.25, 0.15])
    writer_for(labels, 5, "text")(Result("x.png", p))
    writer_for(labels, 5, "text", width=8)(Result("x.png", p))
    writer_for(LABELS, 2, "text", threshold=(0, 0.2))(Result("x.png", np.array([0.25, 0.75])))
    assert capsys.readouterr().out == ("x.png\tC\t0.3000\tD\t0.2500\tB\t0.2000\tE\t0.1500\tA\t0.1000\n"
                                       "x.png     C 0.3000  D 0.2500  B 0.2000  E 0.1500  A 0.1000\n"
                                       "x.png\tCOVID\t0.2500\tNormal\t0.7500\n")


def test_a_text_formats_error_names_the_file_quoted_on_standard_error(capsys):
    writer_for(LABELS, 1, "text")(Result("a\nb.png", error="cannot read it"))
    assert capsys.readouterr().err == 'edge-classify: "a\\nb.png": cannot read it\n'


def test_json_records_carry_the_rule_top_k_stamp_model_and_a_refusals_reason(capsys):
    write = writer_for(LABELS, 2, "json", threshold=(0, 0.2), synthetic=True, model_sha256="ab",
                       written=lambda f: [1, 2])
    write(Result("x.png", np.array([0.25, 0.75]), atypical=False))
    write(Result("y.png", error="refused", atypical=True, header_says="a lateral"))
    write(Result("z.png", error="cannot read"))
    writer_for(LABELS, 1, "json")(Result("x.png", np.array([0.25, 0.75])))
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records == [
        {"file": "x.png", "label": "COVID", "probability": 0.25, "probabilities": {"COVID": 0.25, "Normal": 0.75},
         "rule": {"class": "COVID", "threshold": 0.2}, "top_k": [{"label": "COVID", "probability": 0.25},
                                                                {"label": "Normal", "probability": 0.75}],
         "atypical": False, "synthetic": True, "written": [1, 2], "model_sha256": "ab"},
        {"file": "y.png", "error": "refused", "atypical": True, "header_says": "a lateral", "written": [1, 2],
         "model_sha256": "ab"},
        {"file": "z.png", "error": "cannot read", "written": [1, 2]},
        {"file": "x.png", "label": "Normal", "probability": 0.75, "probabilities": {"COVID": 0.25, "Normal": 0.75},
         "atypical": None}]


def test_the_selftest_line_says_its_verdict_what_it_checked_and_labels_that_changed(capsys):
    print_selftest({"passed": False, "cases": 3, "runtime": "tflite-runtime 2.14", "max_deviation": 0.0123456,
                    "tolerance": 0.02, "same_classes": True, "same_labels": False, "checks": "classify"}, False)
    print_selftest({"passed": True, "cases": 3, "runtime": "ai-edge-litert", "max_deviation": 1e-7, "tolerance": 0.02,
                    "same_classes": False}, False)
    assert capsys.readouterr().out.splitlines() == [
        "selftest FAILED: 3 reference inputs (classify) on tflite-runtime 2.14, max probability deviation 1.23e-02 "
        "(tolerance 2e-02), same classes: yes; its labels are not those its outputs had when it was converted (edited "
        "in its metadata?): every answer would be named wrong",
        "selftest PASSED: this runtime reproduces the model's stored reference outputs (a check of this device, not of "
        "the model's accuracy: --card gives that): 3 reference images (decode, preprocess, classify) on "
        "ai-edge-litert, max probability deviation 1.00e-07 (tolerance 2e-02), same classes: NO"]


def test_a_name_with_a_control_and_an_undecodable_byte_is_quoted_then_escaped_once():
    assert said_name("a\nb\udce9.png") == '"a\\nb\\xe9.png"'


def test_the_csv_columns_of_an_explained_watch_come_in_their_order_and_the_rule_to_nine_digits(capsys):
    assert csv_columns(LABELS, explained=True, stamped=True) == [
        "file", "label", "probability", "p_COVID", "p_Normal", "atypical", "error", "map", "evidence_at_border",
        "map_error", "rule", "time", "header_says", "model_sha256", "synthetic"]
    writer_for(LABELS, 1, "csv", threshold=(0, 0.123456789), header=False)(Result("a.png", np.array([0.5, 0.5])))
    assert capsys.readouterr().out == "a.png,COVID,0.5,0.5,0.5,,,COVID>=0.123456789,,,\n"


def test_the_text_format_shows_a_probability_just_below_the_rule_as_below_it(capsys):
    writer_for(LABELS, 2, "text", threshold=(0, 0.2))(Result("x.png", np.array([0.19996, 0.80004])))
    writer_for(LABELS, 2, "text", threshold=(0, 0.2), width=6)(Result("x.png", np.array([0.19996, 0.80004])))
    assert capsys.readouterr().out == "x.png\tNormal\t0.8000\tCOVID\t0.19996\nx.png   Normal 0.8000  COVID  0.19996\n"


def test_probabilities_are_shown_rounded_in_captions_and_text_lines(capsys):
    """Two decimals in a map's caption, four in the text format: not every digit the model gave."""
    assert rule_caption([0.12345, 0.87655], 1, (0, 0.9), LABELS) == " (rule COVID>=0.9: COVID 0.12 is below it)"
    writer_for(LABELS, 2, "text")(Result("x.png", np.array([0.12345, 0.87655])))
    writer_for(LABELS, 2, "text", width=6)(Result("x.png", np.array([0.12345, 0.87655])))
    assert capsys.readouterr().out == "x.png\tNormal\t0.8766\tCOVID\t0.1235\nx.png   Normal 0.8766  COVID  0.1235\n"
