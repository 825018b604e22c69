"""edge-classify's note on a stored rule: what it was chosen for, on how many films, and what it reached."""

from __future__ import annotations

from edge.model_notes import rule_record

DECISION = {"class": "COVID", "threshold": 0.0996, "target_sensitivity": 0.95, "chosen_on": "validation split",
            "chosen_films": {"n_positive": 4, "n_negative": 12, "sensitivity": 1.0, "specificity": 0.583}}


def _meta(**validation) -> dict:
    test = {"n": 16, "per_class": {c: {"n": 4} for c in ("COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia")}}
    return {"decision": DECISION, "validation": {"test": test, **validation}}


def test_the_note_gives_what_the_rule_reached_on_the_test_films_not_only_its_target():
    rule = {"class": "COVID", "threshold": 0.0996, "sensitivity": [0.5, 0.15, 0.85], "specificity": [0.667, 0.39, 0.86]}
    assert rule_record(_meta(rule_on_test=rule)) == (
        "chosen for 0.95 sensitivity on the validation split's 4 COVID films; on the test split's 4 COVID films it "
        "reached sensitivity 0.500 (0.150 to 0.850), specificity 0.667 (0.390 to 0.860) on its 12 films of other classes")
    # figures of another rule do not vouch for this one; a file without them says what it knows
    other = {**rule, "threshold": 0.3}
    assert rule_record(_meta(rule_on_test=other)) == "chosen for 0.95 sensitivity on the validation split's 4 COVID films"
    assert rule_record({"decision": {"class": "COVID", "threshold": 0.1, "target_sensitivity": 0.9}}) == \
        "chosen for 0.9 sensitivity on the validation split"


def test_a_site_rule_gives_its_expected_figure_on_the_sites_next_films():
    decision = {**DECISION, "chosen_on": "films in eval4 (60, cxr-evaluate)",
                "chosen_films": {"n_positive": 15, "n_negative": 45}}
    site = {"class": "COVID", "threshold": 0.0996, "estimate": "next films", "films": "films in eval4 (60, cxr-evaluate)",
            "sensitivity": [0.9375, 0.782, 0.998], "specificity": [0.533, 0.39, 0.67]}
    meta = {**_meta(rule_on_site=site), "decision": decision}
    assert rule_record(meta) == ("chosen for 0.95 sensitivity on the 60 films of the folder 'eval4' (cxr-evaluate), 15 of them COVID; "
                                 "expected on that site's next films: sensitivity 0.938 (0.782 to 0.998), "
                                 "specificity 0.533 (0.390 to 0.670)")


def test_the_note_gives_the_rules_specificity_and_says_when_it_calls_most_other_films_its_class():
    """A rule that called every test film COVID was noted at classify time as 'it reached sensitivity 1.000' alone: read
    as a good rule. Its specificity stands beside it, with what under 0.5 means; one film is 'film', not 'films'."""
    rule = {"class": "COVID", "threshold": 0.0996, "sensitivity": [1.0, 0.207, 1.0], "specificity": [0.0, 0.0, 0.079]}
    decision = {**DECISION, "chosen_films": {**DECISION["chosen_films"], "n_positive": 1}}
    meta = {"decision": decision, "validation": {"test": {"n": 46, "per_class": {"COVID": {"n": 1}, "Normal": {"n": 45}}},
                                                 "rule_on_test": rule}}
    assert rule_record(meta) == (
        "chosen for 0.95 sensitivity on the validation split's 1 COVID film; on the test split's 1 COVID film it reached "
        "sensitivity 1.000 (0.207 to 1.000), specificity 0.000 (0.000 to 0.079) on its 45 films of other classes: it "
        "calls every film of the other classes COVID")
    old = {**rule}
    del old["specificity"]  # a file that stored no specificity: the sensitivity alone, as before
    assert rule_record({**meta, "validation": {**meta["validation"], "rule_on_test": old}}).endswith("1.000 (0.207 to 1.000)")


def test_a_rule_that_calls_half_the_other_films_its_class_is_not_said_to_call_most():
    """'Most films of the other classes' is more than half: a rule of specificity 0.500 calls half of them COVID, and
    the note said it calls most; just under half it does, and is said to."""
    rule = {"class": "COVID", "threshold": 0.0996, "sensitivity": [1.0, 0.51, 1.0], "specificity": [0.5, 0.33, 0.67]}
    meta = _meta(rule_on_test=rule)
    assert rule_record(meta).endswith("specificity 0.500 (0.330 to 0.670) on its 12 films of other classes")
    under = {**rule, "specificity": [0.499, 0.33, 0.67]}
    assert rule_record(_meta(rule_on_test=under)).endswith(
        "specificity 0.499 (0.330 to 0.670) on its 12 films of other classes: it calls most films of the other classes "
        "COVID")


def test_a_rule_stored_without_a_numeric_target_is_noted_without_one():
    """A rule stored by hand or by another tool, {"class", "threshold"} alone, is a valid rule (the device answers by
    it) but was noted as 'chosen for nan sensitivity'; a target written as text stopped edge-classify with 'unexpected
    ValueError' before its first answer. The card leaves such a target out; the note says it is not recorded."""
    rule = {"class": "COVID", "threshold": 0.0996, "sensitivity": [0.5, 0.15, 0.85]}
    for target in ({}, {"target_sensitivity": "0.95"}, {"target_sensitivity": None}, {"target_sensitivity": True}):
        meta = {**_meta(rule_on_test=rule), "decision": {"class": "COVID", "threshold": 0.0996, **target}}
        assert rule_record(meta) == ("the sensitivity it was chosen for is not recorded; on the test split's 4 COVID "
                                     "films it reached sensitivity 0.500 (0.150 to 0.850)")
