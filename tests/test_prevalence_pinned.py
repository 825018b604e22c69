"""convert.prevalence pinned where a small change went unseen (hand mutation testing: each test here failed with
one such change in place, which the tests of test_prevalence.py that need no trained model let through). These
tables say what a COVID answer is worth at a clinic's prevalence, far from the test set's."""

from __future__ import annotations

import pytest

from convert.prevalence import PREVALENCES, _pct_range, at_prevalences, parse_prevalences, under_rule


def test_the_default_prevalences_are_the_four_the_commands_show():
    """docs/commands.md: [--prevalence 0.01,0.05,0.2,0.5]."""
    assert PREVALENCES == (0.01, 0.05, 0.2, 0.5)
    row = {"class": "COVID", "sensitivity": 0.9, "sensitivity_ci": [0.8, 0.95], "specificity": 0.8,
           "specificity_ci": [0.7, 0.9]}
    assert [r["prevalence"] for r in at_prevalences([row])] == [0.01, 0.05, 0.2, 0.5]


def test_a_prevalence_of_0_is_refused():
    """At 0% no film is of the class: no answer's worth to show, and 0 is as much outside (0, 1) as 1 is."""
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_prevalences("0,0.1")


def test_with_two_classes_the_others_sensitivity_interval_is_the_rules_specificity_interval():
    per_class = [{"class": "COVID", "sensitivity": 0.9, "sensitivity_ci": [0.8, 0.95], "specificity": 0.8,
                  "specificity_ci": [0.7, 0.9]}, {"class": "Normal", "sensitivity": 0.8, "sensitivity_ci": [0.7, 0.9],
                                                  "specificity": 0.9, "specificity_ci": [0.8, 0.95]}]
    rule = {"class": "COVID", "test": {"sensitivity": 0.95, "sensitivity_ci": [0.9, 0.99], "specificity": 0.6,
                                       "specificity_ci": [0.4, 0.7]}}
    normal = under_rule(per_class, rule)[1]
    assert (normal["sensitivity_ci"], normal["specificity_ci"]) == ([0.4, 0.7], [0.9, 0.99])


def _unseen(n: int | None, lo: float | None) -> dict:
    return {"class": "COVID", "prevalence": 0.01, "ppv": 1.0, "ppv_range": [lo, 1.0], "ppv_no_false_call_among": n}


def test_no_false_call_among_one_film_or_an_uncounted_set_is_said_in_words():
    """'among 1 other film', not '1 other films'; where the rows did not count the films, 'among these films',
    not 'among None films'."""
    assert "among 1 other film)" in _pct_range(_unseen(1, 0.05), "ppv")
    assert "among these films)" in _pct_range(_unseen(None, 0.05), "ppv")


def test_a_range_with_no_lower_end_is_shown_as_a_range_not_a_crash():
    """A lower end of None (no answer at the interval's ends) has no 'at least' to give: the range is shown."""
    assert _pct_range(_unseen(12, None), "ppv") == "100.0 (n/a–100.0)"


def test_an_answer_never_given_says_why_its_ppv_or_npv_has_no_value():
    """A model that called every film COVID showed 'n/a (0.0–100.0)' as a Normal answer's worth: a bare n/a with an
    interval that says nothing. report.md says why; report.json keeps null and says why beside it."""
    import numpy as np

    from convert.prevalence import at_prevalences, section
    from convert.summary import summarize

    y = np.array([0] * 12 + [1] * 12)
    per_class = summarize(y, np.eye(2)[np.zeros(24, int)], ["COVID", "Normal"], n_boot=10)["per_class"]
    rows = at_prevalences(per_class, (0.05,))
    covid, normal = rows
    assert covid["npv"] is None and covid["npv_no_value"] == "the model never answered Normal"
    assert normal["ppv"] is None and normal["ppv_no_value"] == "the model never answered Normal"
    assert "ppv_no_value" not in covid and "npv_no_value" not in normal
    md = section(rows, ["COVID", "Normal"])
    assert "| 5% | 5.0 (3.8–6.5) *no better than no test* | n/a: the model never answered Normal | 95.0 |" in md
    assert not any("n/a (" in line for line in md)
    # three classes: a class never answered, and one answered for every film
    labels = ["COVID", "Lung_Opacity", "Viral_Pneumonia"]
    per_class = summarize(np.repeat(np.arange(3), 4), np.eye(3)[np.zeros(12, int)], labels, n_boot=10)["per_class"]
    md = section(at_prevalences(per_class, (0.05,)), labels)
    assert "| COVID | 5% | 5.0 (2.6–7.2) *no better than no test* | n/a: the model answered COVID for every film |" in md
    assert any(line.startswith("| Lung_Opacity | 5% | n/a: the model never answered Lung_Opacity | ") for line in md)


def test_a_ppv_or_npv_with_no_value_has_no_range_and_the_card_shares_its_words():
    """report.json gave "npv_range": [0.0, 1.0] beside a null npv: a range read as the value's, where there is none."""
    import numpy as np

    import edge.answer_worth
    from convert.prevalence import at_prevalences, no_value_words
    from convert.summary import summarize

    y = np.array([0] * 12 + [1] * 12)
    per_class = summarize(y, np.eye(2)[np.zeros(24, int)], ["COVID", "Normal"], n_boot=10)["per_class"]
    covid, normal = at_prevalences(per_class, (0.05,))
    assert (covid["npv"], covid["npv_range"], normal["ppv"], normal["ppv_range"]) == (None, [None, None], None, [None, None])
    assert covid["ppv_range"][0] < covid["ppv"] <= covid["ppv_range"][1] and None not in normal["npv_range"]
    assert no_value_words is edge.answer_worth.no_value_words  # one wording, on the card and in report.md
