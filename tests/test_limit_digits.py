"""A figure beyond (or within) a limit by a hair is shown on its own side of it: cxr-convert's gate reasons, report.md's
change column and terminal lines (convert.gate), and cxr-compare's equivalence ends (convert.equivalence). With 4
decimals at most a sensitivity drop of 2.00004 points read "fell 2.0000 points (limit 2)", a failed file at its limit."""

from __future__ import annotations

from convert.equivalence import end_text, equivalence, equivalence_words
from convert.gate import change_text, gate, kept_decimals, points_text
from convert.mode_lines import mode_lines


def _summary(acc: float, sens: float) -> dict:
    return {"accuracy": acc, "balanced_accuracy": acc, "per_class": [{"class": "COVID", "sensitivity": sens}]}


def test_a_drop_over_the_limit_by_a_hair_reads_over_it():
    g = gate(_summary(0.9, 0.9), _summary(0.9, 0.9 - 0.0200004), 1.0, 2.0)
    assert not g["passed"]
    assert g["reasons"] == ["COVID sensitivity fell 2.00004 points (limit 2)"]


def test_an_accuracy_drop_over_the_limit_by_a_hair_reads_over_it():
    g = gate(_summary(0.9, 0.9), _summary(0.9 - 0.0100003, 0.9), 1.0, 2.0)
    assert g["reasons"] == ["accuracy fell 1.00003 points (limit 1)"]


def test_a_limit_is_shown_as_given_not_rounded_onto_the_drop():
    g = gate(_summary(0.9, 0.9), _summary(0.9, 0.88), 1.0, 1.9999999)
    assert g["reasons"] == ["COVID sensitivity fell 2.0 points (limit 1.9999999)"]
    assert points_text(1.9999999) == "1.9999999 points" and points_text(2.0) == "2 points"


def test_the_change_column_shows_each_side_of_the_limit():
    assert change_text(-2.00004, 2.0) == "-2.00004"  # over: FAILED beside it
    assert change_text(-1.96, 1.96) == "-1.96"  # within: was '-2.0' beside "passed"
    assert change_text(-1.0, 2.0) == "-1.0" and change_text(0.5, 2.0) == "+0.5" and change_text(-1.96) == "-2.0"


def test_report_json_keeps_the_digits_the_text_shows():
    assert kept_decimals(-2.00004, 2.0) == -2.00004
    assert kept_decimals(-1.96, 1.96) == -1.96


def test_the_terminal_worst_class_line_reads_the_drop_on_its_side():
    entry = {"gate": {"passed": False, "reasons": ["COVID sensitivity fell 2.00004 points (limit 2)"]},
             "agreement": {"class_agreement": 0.99}, "delta": {"accuracy_points": -0.5, "sensitivity_points": {"COVID": -2.00004}}}
    line = mode_lines("int8", _summary(0.9, 0.88), _summary(0.9, 0.9), entry, {"max_drop": 1.0, "max_class_drop": 2.0})[1]
    assert "sensitivity -2.00004 points" in line


def test_an_equivalence_end_beyond_the_margin_by_a_hair_reads_beyond_it():
    assert end_text(2.00004, 2.0) == "+2.00004" and end_text(-2.00004, 2.0) == "-2.00004"
    e = equivalence([{"class": "COVID", "difference_ci": [-0.01, 0.0200004]}], 2.0, "the default")
    assert not e["equivalent"] and e["widest"]["difference_ci"] == [-1.0, 2.00004]
    assert "(-1.0 to +2.00004 points) reaches beyond +/- 2 points" in equivalence_words(e)


def test_an_equivalence_end_within_the_margin_reads_within_it():
    assert end_text(1.96, 1.96) == "+1.96" and end_text(-1.96, 1.96) == "-1.96"
    assert end_text(1.94, 2.0) == "+1.9"  # within, and shown within: as before
