"""report.json's per-class change keeps the decimals the gate's reason gives a drop over its limit: a drop of 1.003
points against a limit of 1 was stored as -1.0, and report.md, reading it, printed "-1.0" beside FAILED."""

from __future__ import annotations

from convert.gate import change_text, deltas, gate, kept_decimals
from convert.mode_lines import mode_lines, worst_class
from convert.quant_report import summary_table

CLASSES = ["COVID", "Normal"]
LIMITS = {"max_drop": 1.0, "max_class_drop": 1.0}


def _figures(covid: float, accuracy: float) -> dict:
    return {"accuracy": accuracy, "balanced_accuracy": accuracy, "accuracy_ci": [0.5, 0.9], "balanced_accuracy_ci": [0.5, 0.9],
            "per_class": [{"class": "COVID", "sensitivity": covid, "specificity": 0.9},
                          {"class": "Normal", "sensitivity": 0.9, "specificity": covid}]}


def test_a_drop_just_over_the_limit_keeps_its_decimals_in_json_and_md():
    ref, new = _figures(0.9, 0.9), _figures(0.9 - 0.01003, 0.9 - 0.005)
    d = deltas(ref, new, None, LIMITS)
    g = gate(ref, new, **{"max_drop": 1.0, "max_class_drop": 1.0})
    assert g["reasons"] == ["COVID sensitivity fell 1.003 points (limit 1)"]
    assert d["sensitivity_points"]["COVID"] == -1.003  # was -1.0
    assert d["specificity_points"]["Normal"] == -1.0  # no limit: 2 decimals as before
    report = {"classes": CLASSES, "gate": LIMITS, "models": {
        "keras": {**ref, "size_bytes": 4096},
        "int8": {**new, "size_bytes": 2048, "tflite_bytes": 1024, "size_ratio_to_fp32": None, "delta": d,
                 "agreement": {"class_agreement": 1.0, "max_abs_prob_error": 0.1}, "gate": {**g}}}}
    assert "| -1.003 |" in "\n".join(summary_table(report))


def test_kept_decimals_within_the_limit_and_without_one():
    assert kept_decimals(-0.996, 1.0) == -1.0 and kept_decimals(-2.0412, 2.0) == -2.04 and kept_decimals(3.14159) == 3.14
    assert change_text(kept_decimals(-1.00049, 1.0), 1.0) == "-1.0005"


def test_the_terminal_names_the_worst_class_its_interval_and_the_limits():
    ref, new = _figures(0.9, 0.9), _figures(0.9 - 0.01003, 0.9)
    d = {**deltas(ref, new, None, LIMITS), "sensitivity_points_ci": {"COVID": [-11.04, 8.9], "Normal": [-5.0, 5.0]}}
    entry = {"delta": d, "agreement": {"class_agreement": 1.0}, "gate": gate(ref, new, 1.0, 1.0)}
    lines = mode_lines("int8", new, ref, entry, LIMITS)
    assert lines[0].startswith("int8: balanced accuracy 0.900 (keras 0.900)") and "gate FAILED: COVID" in lines[0]
    assert lines[1] == ("int8: worst class COVID: sensitivity -1.003 points (95% CI -11.0 to +8.9), accuracy +0.0; "
                        "the gate allows a drop of 1 point in accuracy, 1 point in any class's sensitivity")
    assert worst_class({"sensitivity_points": {"COVID": None, "Normal": None}}) is None
