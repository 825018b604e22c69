"""The gate's per-class drop rule and kept_decimals (convert/gate.py) at the edges the older tests left open: a drop
a hair over the limit, a class with no sensitivity before one that fell, a drop over its limit by whole tenths, and
which limit each figure in deltas() is held to. Expected values worked by hand from the rules in the docstrings:
_points gives the fewest decimals (1 to 4) that put a drop above its limit, kept_decimals rounds to at least 2."""

from __future__ import annotations

from convert.gate import deltas, gate, kept_decimals


def _figures(covid, normal=0.9, accuracy=0.9) -> dict:
    return {"accuracy": accuracy, "balanced_accuracy": accuracy,
            "per_class": [{"class": "COVID", "sensitivity": covid, "specificity": 0.9},
                          {"class": "Normal", "sensitivity": normal, "specificity": 0.9}]}


def test_a_drop_a_hair_over_the_class_limit_fails():
    # 100 x (1 - 0.979995) = 2.0005 points against a limit of 2: over it by 0.0005, far more than float noise;
    # written with the fewest decimals that show it over: "2.0" and "2.00" do not, "2.001" does
    v = gate(_figures(1.0), _figures(0.979995), max_drop=50.0, max_class_drop=2.0)
    assert v == {"passed": False, "reasons": ["COVID sensitivity fell 2.001 points (limit 2)"]}


def test_a_class_without_a_sensitivity_does_not_hide_the_next_class():
    # COVID has no test film (None); Normal falls 0.9 -> 0.85, 5 points against a 2-point limit
    v = gate(_figures(None, 0.9), _figures(None, 0.85), max_drop=50.0, max_class_drop=2.0)
    assert v["passed"] is False and v["reasons"] == ["Normal sensitivity fell 5.0 points (limit 2)"]


def test_kept_decimals_keeps_two_even_where_one_shows_the_drop_over():
    # 2.547 against 2: "2.5" already shows it over (1 decimal), but report.json keeps at least 2: -2.55
    assert kept_decimals(-2.547, 2.0) == -2.55


def test_deltas_holds_accuracy_to_max_drop_and_sensitivity_to_max_class_drop():
    # accuracy 0.9 -> 0.88997 and COVID 0.9 -> 0.88997: both fall 1.003 points
    ref, new = _figures(0.9), _figures(0.88997, accuracy=0.88997)
    d = deltas(ref, new, None, {"max_drop": 1.0, "max_class_drop": 5.0})
    assert d["accuracy_points"] == -1.003 and d["sensitivity_points"]["COVID"] == -1.0  # within 5: 2 decimals
    d = deltas(ref, new, None, {"max_drop": 5.0, "max_class_drop": 1.0})
    assert d["accuracy_points"] == -1.0 and d["sensitivity_points"]["COVID"] == -1.003
