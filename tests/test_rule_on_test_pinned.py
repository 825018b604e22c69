"""convert/rule_on_test.py scored directly (its other tests go through cxr-convert on tiny_run): a rule chosen on the
validation split, scored on 4 hand-made test films. Hand counts: rule COVID whenever p >= 0.3; COVID films p = 0.9,
0.8, 0.2 (two caught: tp 2, fn 1, sensitivity 2/3); Normal films p(COVID) = 0.4, 0.1 (one flagged: fp 1, tn 1)."""

from __future__ import annotations

import numpy as np

from convert.rule_on_test import rule_on_test

CLASSES = ["COVID", "Normal"]


def test_a_validation_rule_is_scored_on_the_test_films_without_a_site_warning():
    y = np.array([0, 0, 0, 1, 1])
    p = np.array([[0.9, 0.1], [0.8, 0.2], [0.2, 0.8], [0.4, 0.6], [0.1, 0.9]])
    logged: list[str] = []
    decision = {"class": "COVID", "threshold": 0.3}
    entry = rule_on_test(decision, None, {}, "model_int8.tflite", y, p, CLASSES, None, logged.append)
    assert {k: entry["test"][k] for k in ("tp", "fn", "tn", "fp")} == {"tp": 2, "fn": 1, "tn": 1, "fp": 1}
    assert entry["test"]["sensitivity"] == 2 / 3
    assert "versus_most_probable" not in entry and "chosen_films_warning" not in entry and logged == []
    chosen = {"versus_most_probable": "v", "others_on_validation": "o"}
    entry = rule_on_test(decision, chosen, {}, "model_int8.tflite", y, p, CLASSES, None, logged.append)
    assert entry["versus_most_probable"] == "v" and entry["others_on_validation"] == "o"
