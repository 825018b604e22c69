"""The held-out source's gap of a file that stores a rule (cxr-convert --operating-point): convert.split_scores
scores the source under the rule, as the device answers, while report.json's test-split per_class is the most
probable class's (the rule's figures are under decision.per_class_on_test). The gap line set the one beside the other:
a rule that lowers COVID's threshold lifted the source's COVID sensitivity and not the test split's, and the line
said the model found more COVID at the unseen hospital than at home (review 67)."""

from __future__ import annotations

import numpy as np

from convert.external_section import external_gap
from convert.figures_md import fmt_ci
from convert.rule_notes import per_class_under_rule
from convert.summary import summarize

CLASSES = ["COVID", "Normal"]
RULE = (0, 0.2)  # COVID whenever p >= 0.2: far more COVID found than by the most probable class


def _figures() -> tuple[dict, dict]:
    """report.json's external and models as cxr-convert writes them for an int8 file storing RULE."""
    # test split: 10 COVID films at p_COVID 0.3 (most probable: Normal; the rule: COVID), 10 Normal at 0.1
    y = np.repeat([0, 1], 10)
    p_covid = np.where(y == 0, 0.3, 0.1)
    probs = np.stack([p_covid, 1 - p_covid], axis=1)
    int8 = {**summarize(y, probs, CLASSES, n_boot=10),
            "decision": {"class": "COVID", "threshold": RULE[1],
                         "per_class_on_test": per_class_under_rule(y, probs, *RULE, CLASSES)}}
    # the held-out source: 6 COVID films at p_COVID 0.3 too, summarised under the rule (convert.split_scores)
    ext_y, ext_p = np.zeros(6, int), np.tile([0.3, 0.7], (6, 1))
    ext = {"source": "hannover", "n": 6, "int8": summarize(ext_y, ext_p, CLASSES, n_boot=10, rule=RULE),
           "most_probable": {"int8": summarize(ext_y, ext_p, CLASSES, n_boot=10)}}
    return ext, {"int8": int8}


def test_a_rules_gap_sets_the_source_under_the_rule_beside_the_test_split_under_the_rule():
    ext, models = _figures()
    assert ext["int8"]["per_class"][0]["sensitivity"] == 1.0 and models["int8"]["per_class"][0]["sensitivity"] == 0.0
    line = external_gap(ext, models, "int8", CLASSES)
    ruled = models["int8"]["decision"]["per_class_on_test"]["COVID"]
    assert ruled["sensitivity"] == 1.0
    # the same films, labelled alike: 100 there and 100 at home, no gap; not 100 against the most probable class's 0
    assert (f"COVID sensitivity (%, 95% CI) {fmt_ci(1.0, ext['int8']['per_class'][0]['sensitivity_ci'])} there against "
            f"{fmt_ci(ruled['sensitivity'], ruled['sensitivity_ci'])} on the test split") in line
    assert "under its rule" in line  # said: the device's answers, not the most probable class's


def test_without_a_rule_the_line_is_as_before():
    ext, models = _figures()
    ext = {"source": "hannover", "n": 6, "int8": ext["most_probable"]["int8"]}
    models["int8"]["decision"] = None
    line = external_gap(ext, models, "int8", CLASSES)
    assert "under its rule" not in line
    assert (f"int8 COVID sensitivity (%, 95% CI) {fmt_ci(0.0, ext['int8']['per_class'][0]['sensitivity_ci'])} there "
            f"against {fmt_ci(0.0, models['int8']['per_class'][0]['sensitivity_ci'])} on the test split") in line


def test_a_rules_source_figures_with_nothing_like_them_on_the_test_split_give_no_line():
    """An older report.json: the test split's figures under the rule (per_class_on_test) and the source's at the most
    probable class both missing. The line set the source under the rule beside the test split's most probable class,
    unlike figures, and said nothing of it (session 69's review): no line is the honest one."""
    ext, models = _figures()
    del ext["most_probable"], models["int8"]["decision"]["per_class_on_test"]
    assert external_gap(ext, models, "int8", CLASSES) is None
    ext, models = _figures()  # the source's most probable class there: both at it, as before
    del models["int8"]["decision"]["per_class_on_test"]
    line = external_gap(ext, models, "int8", CLASSES)
    assert line and "under its rule" not in line, line
