"""The paired 95% interval of the worst class's sensitivity change under a stored rule (convert.gate.gate_under_rule).
cxr-convert's worst-class line for a file judged under its rule said "sensitivity -20.0 points" bare, where the plain
gate's line gives "(95% CI ...)" from the paired counts (convert/gap_intervals.py); report.json and report.md kept no
interval of the rule's answers either."""

from __future__ import annotations

import numpy as np

from convert.gate import gate, gate_under_rule
from convert.intervals import paired_difference
from convert.mode_lines import mode_lines
from convert.stored_rule_sections import stored_rules_section

CLASSES = ["COVID", "Normal"]
LIMITS = {"max_drop": 1.0, "max_class_drop": 2.0}


def _films() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """10 COVID and 10 Normal test films; the file gives two Normal films COVID 0.4: still Normal at the most probable
    class, COVID under its rule (COVID at p >= 0.3), so only the rule's answers lose Normal sensitivity."""
    y = np.array([0] * 10 + [1] * 10)
    keras = np.where(y[:, None] == 0, [0.9, 0.1], [0.1, 0.9])
    file = keras.copy()
    file[10:12] = [0.4, 0.6]
    return y, keras, file


def _figures(acc: float) -> dict:
    return {"accuracy": acc, "balanced_accuracy": acc,
            "per_class": [{"class": c, "sensitivity": acc, "specificity": acc} for c in CLASSES]}


def test_the_worst_class_line_under_a_stored_rule_carries_its_paired_interval():
    y, keras, file = _films()
    plain = gate(_figures(1.0), _figures(1.0), **LIMITS)
    judged = gate_under_rule(plain, y, keras, file, CLASSES, (0, 0.3), 1.0, (y, keras), **LIMITS)
    lo, hi = paired_difference(8, 0, 2, 0)  # Normal films: 8 right by both, 2 made wrong by the file under its rule
    under = judged["under_rule"]
    assert under["sensitivity_points_ci"]["Normal"] == [round(100 * lo, 2), round(100 * hi, 2)]
    assert under["sensitivity_points_ci"]["COVID"] is not None

    entry = {"delta": {"accuracy_points": 0.0, "sensitivity_points": {"COVID": 0.0, "Normal": 0.0}},
             "agreement": {"class_agreement": 1.0}, "gate": judged}
    line = mode_lines("int8", _figures(1.0), _figures(1.0), entry, LIMITS)[1]
    assert line.startswith(f"int8: worst class under its rule Normal: sensitivity -20.0 points "
                           f"(95% CI {100 * lo:+.1f} to {100 * hi:+.1f}), accuracy -10.0")

    # report.md's table of the gate under the rule gives the same change and interval as the line
    decision = {"class": "COVID", "threshold": 0.3, "target_sensitivity": 1.0,
                "chosen_films": {"sensitivity": 1.0, "specificity": 1.0},
                "test": {"sensitivity": 1.0, "sensitivity_ci": [0.7, 1.0], "specificity": 0.8, "specificity_ci": [0.5, 0.9]}}
    md = "\n".join(stored_rules_section({"int8": {"decision": decision, "gate": judged}}, LIMITS["max_class_drop"]))
    assert f"Normal 100.0 / 80.0 (-20.0, {100 * lo:+.1f} to {100 * hi:+.1f})" in md


def test_a_report_written_before_the_interval_was_kept_gives_the_shares_alone():
    y, keras, file = _films()
    judged = gate_under_rule(gate(_figures(1.0), _figures(1.0), **LIMITS), y, keras, file, CLASSES, (0, 0.3), 1.0,
                             (y, keras), **LIMITS)
    judged["under_rule"].pop("sensitivity_points_ci", None)
    decision = {"class": "COVID", "threshold": 0.3, "target_sensitivity": 1.0,
                "chosen_films": {"sensitivity": 1.0, "specificity": 1.0},
                "test": {"sensitivity": 1.0, "sensitivity_ci": [0.7, 1.0], "specificity": 0.8, "specificity_ci": [0.5, 0.9]}}
    md = "\n".join(stored_rules_section({"int8": {"decision": decision, "gate": judged}}))
    assert "Normal 100.0 / 80.0 |" in md
    entry = {"delta": {"accuracy_points": 0.0, "sensitivity_points": {"COVID": 0.0, "Normal": 0.0}},
             "agreement": {"class_agreement": 1.0}, "gate": judged}
    line = mode_lines("int8", _figures(1.0), _figures(1.0), entry, LIMITS)[1]
    assert "worst class under its rule Normal: sensitivity -20.0 points, accuracy" in line
