"""convert/stored_rule_sections.py read directly on what its other fast tests left open (the rest go through cxr-convert
on tiny_run). Hand values: Wilson 95% intervals of 8 of 10 are 49.0-94.3% and of 57 of 100 47.2-66.3% (a share of
0.57 over 100 films is 57 films: 0.57 * 100 is 56.999... in floating point); a sensitivity change of 77.96 - 80 = -2.04
points over the gate's limit of 2 keeps its 2 decimals ("-2.04", else "-2.0") while the share itself is written to 1 decimal (78.0); a validation specificity of 0.2 over
10 other films is 8 of them called the rule's class; md_cell writes the class name <Normal> as \\<Normal\\>."""

from __future__ import annotations

from convert.stored_rule_sections import (device_answers_line, fitted, most_probable_note, rule_of,
                                          stored_rules_section)

RATES = {"sensitivity": 0.9, "sensitivity_ci": [0.8, 0.95], "specificity": 0.7, "specificity_ci": [0.6, 0.8]}
RULE = {"class": "COVID", "threshold": 0.3, "target_sensitivity": 0.95, "test": RATES,
        "chosen_films": {"n_positive": 20, "n_negative": 20, "sensitivity": 0.95, "specificity": 0.6}}


def test_the_validation_interval_counts_the_films_the_share_was_of():
    assert fitted({"n_positive": 100, "sensitivity": 0.57}) == "57.0 (47.2–66.3) / n/a"
    assert fitted({"n_positive": "100", "sensitivity": 0.57}) == "57.0 / n/a"  # a count that is not one: no interval


def test_rule_of_keeps_the_class_threshold_and_target():
    assert rule_of({**RULE}) == {"class": "COVID", "threshold": 0.3, "target_sensitivity": 0.95}
    assert rule_of(None) is None


def test_the_most_probable_note_only_where_a_file_stores_a_rule():
    assert most_probable_note({"fp32": {}}) == []
    (note, blank) = most_probable_note({"int8": {"decision": RULE}, "fp32": {}})
    assert blank == "" and "(`model_int8.tflite`: COVID whenever p >= 0.3)" in note


def test_the_device_line_counts_the_right_answers_under_the_rule():
    ruled = {"COVID": {"tp": 3, "fn": 1}, "Normal": {"tp": 5, "fn": 1}}  # 8 right of 10
    line, blank = device_answers_line({"int8": {"n": 10, "decision": {**RULE, "per_class_on_test": ruled}}})
    assert blank == "" and line == (
        "**The device answers by the rule its file stores, not by the most probable class:** on the test split, "
        "`model_int8.tflite` (COVID whenever p >= 0.3): accuracy 80.0 (49.0–94.3)%, COVID sensitivity "
        "90.0 (80.0–95.0)%, specificity 70.0 (60.0–80.0)%.")
    none = {**RULE, "per_class_on_test": ruled, "test": {**RATES, "specificity": None, "specificity_ci": None}}
    (line, _) = device_answers_line({"int8": {"n": 0, "decision": none}})  # no films: no accuracy, no specificity
    assert line.endswith("`model_int8.tflite` (COVID whenever p >= 0.3): COVID sensitivity 90.0 (80.0–95.0)%, "
                         "specificity n/a%.")


def test_a_site_rule_row_has_no_validation_figures_and_its_warning_below():
    site = {**RULE, "chosen_on": "films in site (5, cxr-evaluate)", "chosen_films_warning": "2 of the 4 test films"}
    text = "\n".join(stored_rules_section({"int8": {"decision": site}}))
    assert ("| int8 | COVID when p ≥ 0.3 (for 95%) | n/a (chosen on the site's films) | 90.0 (80.0–95.0) | "
            "70.0 (60.0–80.0) |") in text
    assert "**Its test figures count films its rule was chosen on:** 2 of the 4 test films." in text


def test_the_gate_table_keeps_the_decimals_over_the_limit_and_says_n_a():
    keras = [{"class": "COVID", "sensitivity": 0.8}, {"class": "Normal", "sensitivity": 0.7}]
    file = [{"class": "COVID", "sensitivity": 0.7796}, {"class": "Normal", "sensitivity": None}]
    gate = {"under_rule": {"keras_threshold": 0.31, "passed": False, "keras": {"accuracy": 0.8, "per_class": keras},
                           "file": {"accuracy": 0.7, "per_class": file},
                           "sensitivity_points_ci": {"COVID": [-6.0, 1.0], "Normal": [-5.0, 5.0]}}}
    lines = stored_rules_section({"int8": {"decision": RULE, "gate": gate}}, max_class_drop=2.0)
    assert ("| int8 | p ≥ 0.31 | 80.0 / 70.0 | COVID 80.0 / 78.0 (-2.04, -6.0 to +1.0); Normal 70.0 / n/a | "
            "**FAILED** |") in lines


def test_a_low_validation_specificity_names_the_other_classes_as_report_md_writes_them():
    rule = {**RULE, "chosen_films": {"n_positive": 20, "n_negative": 10, "sensitivity": 0.95, "specificity": 0.2},
            "others_on_test": {"<Normal>": {"n": 10, "found_by_rule": 2, "found": 9}}}
    models = {"int8": {"decision": rule, "per_class": [{"class": "COVID"}, {"class": "<Normal>"}]}}
    text = "\n".join(stored_rules_section(models))
    assert ("**Warning (int8):** The rule COVID whenever p >= 0.3 has a specificity of 0.200 on the validation split: "
            "the threshold calls most \\<Normal\\> films COVID (8 of 10)") in text
