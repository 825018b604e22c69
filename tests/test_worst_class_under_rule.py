"""cxr-convert's worst-class line for a file that stores a rule: the gate line above it judged the rule's answers
(convert.gate.gate_under_rule), and the worst-class line read the most probable class's changes beside it."""

from __future__ import annotations

from convert.mode_lines import mode_lines, under_rule_delta

LIMITS = {"max_drop": 1.0, "max_class_drop": 2.0}


def _figures(covid: float, normal: float, accuracy: float) -> dict:
    return {"accuracy": accuracy, "balanced_accuracy": accuracy,
            "per_class": [{"class": "COVID", "sensitivity": covid}, {"class": "Normal", "sensitivity": normal}]}


def test_the_worst_class_is_read_from_the_answers_the_gate_judged_under_the_rule():
    most_probable = {"accuracy_points": 0.0, "sensitivity_points": {"COVID": -1.0, "Normal": 0.0},
                     "sensitivity_points_ci": {"COVID": [-9.0, 7.0], "Normal": [-5.0, 5.0]}}
    under = {"passed": False, "keras_threshold": 0.2, "keras": _figures(0.95, 0.80, 0.875),
             "file": _figures(0.95, 0.75, 0.85)}
    entry = {"delta": most_probable, "agreement": {"class_agreement": 0.9},
             "gate": {"passed": False, "reasons": ["under its rule (...): Normal sensitivity fell 5.0 points (limit 2)"],
                      "under_rule": under}}
    lines = mode_lines("int8", _figures(0.9, 0.8, 0.85), _figures(0.9, 0.8, 0.85), entry, LIMITS)
    assert lines[1] == ("int8: worst class under its rule Normal: sensitivity -5.0 points, accuracy -2.5; the gate "
                        "allows a drop of 1 point in accuracy, 2 points in any class's sensitivity")
    plain = mode_lines("int8", _figures(0.9, 0.8, 0.85), _figures(0.9, 0.8, 0.85),
                       {**entry, "gate": {"passed": True, "reasons": []}}, LIMITS)
    assert plain[1].startswith("int8: worst class COVID: sensitivity -1.0 points (95% CI -9.0 to +7.0)")
    assert under_rule_delta(None) is None
