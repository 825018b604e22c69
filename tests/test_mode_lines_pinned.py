"""convert/mode_lines.py read directly with hand-made figures (its other tests build them through convert.gate): the
file's figures and Keras's stay apart, every reason of a failed gate is said, the accuracy change is read against
the accuracy limit (not the class limit), and an under_rule without both sides, or a class Keras has no figure for,
reads as no change rather than a crash. Hand values: fixed() writes 3 decimals; a drop of 1.04 points over a limit
of 1 keeps its 2 decimals ("-1.04"), within a limit of 5 it is "-1.0"."""

from __future__ import annotations

from convert.mode_lines import mode_lines, under_rule_delta

LIMITS = {"max_drop": 1.0, "max_class_drop": 5.0}
SUMMARY = {"balanced_accuracy": 0.8, "accuracy": 0.85}
REFERENCE = {"balanced_accuracy": 0.9, "accuracy": 0.88}
HEAD = ("int8: balanced accuracy 0.800 (keras 0.900), accuracy 0.850 (keras 0.880), agreement 0.950, "
        "gate FAILED: first reason; second reason")


def _entry(sensitivity_points: dict, under_rule: dict | None = None) -> dict:
    gate = {"passed": False, "reasons": ["first reason", "second reason"], "under_rule": under_rule}
    return {"gate": gate, "agreement": {"class_agreement": 0.95},
            "delta": {"accuracy_points": -1.04, "sensitivity_points": sensitivity_points}}


def test_the_file_against_keras_with_every_reason_and_the_accuracy_limit():
    lines = mode_lines("int8", SUMMARY, REFERENCE, _entry({"COVID": -2.0, "Normal": 1.0}), LIMITS)
    assert lines == [HEAD, "int8: worst class COVID: sensitivity -2.0 points, accuracy -1.04; the gate allows a drop "
                           "of 1 point in accuracy, 5 points in any class's sensitivity"]


def test_no_class_change_gives_the_first_line_alone():
    assert mode_lines("int8", SUMMARY, REFERENCE, _entry({"COVID": None, "Normal": None}), LIMITS) == [HEAD]


def test_an_under_rule_without_the_file_side_is_no_rule():
    keras = {"accuracy": 0.9, "per_class": [{"class": "COVID", "sensitivity": 0.9}]}
    assert under_rule_delta({"keras": keras}) is None and under_rule_delta({"keras": keras, "file": None}) is None
    lines = mode_lines("int8", SUMMARY, REFERENCE, _entry({"COVID": -2.0}, {"keras": keras, "file": None}), LIMITS)
    assert lines[1].startswith("int8: worst class COVID: sensitivity -2.0 points")  # the plain delta, not "under its rule"


def test_a_class_keras_has_no_figure_for_has_no_change():
    under = {"keras": {"accuracy": 0.9, "per_class": [{"class": "COVID", "sensitivity": 0.9}]},
             "file": {"accuracy": 0.85, "per_class": [{"class": "COVID", "sensitivity": 0.8},
                                                      {"class": "Normal", "sensitivity": 0.7}]}}
    d = under_rule_delta(under)
    assert d["sensitivity_points"]["Normal"] is None
    assert round(d["sensitivity_points"]["COVID"], 9) == -10.0 and round(d["accuracy_points"], 9) == -5.0
