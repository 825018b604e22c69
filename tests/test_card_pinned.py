"""edge.card pinned where a small change went unseen (hand mutation testing: each test here failed with one such
change to _ci, _num, _auc, unanswered, failed_gate, calibration_warning, shortcut_warning, card_head, _maker or
card_text in place, which the tests of the card that need no trained model let through)."""

from __future__ import annotations

from edge.card import (_auc, _ci, _maker, _num, calibration_warning, card_head, card_text, failed_gate,
                       shortcut_warning, unanswered)
from tests.test_card import _meta


def _line(text: str, start: str) -> str:
    return next(ln for ln in text.splitlines() if ln.startswith(start))


def test_a_figure_without_an_interval_is_its_value_alone_not_every_resample_gave_it():
    """[value, None, None] (the bootstrap gave none) is not [value, v, v] (every resample gave the same value)."""
    assert _ci([0.9, None, None]) == "0.900"
    assert _ci([0.9, 0.9, 0.9]) == "0.900 (no interval: every resample of the few test films gave it)"
    assert _num(True) == "True" and _num(0.17) == "0.170"  # a flag where a figure should be is no 1.000


def test_a_macro_auroc_reason_that_is_no_text_is_not_printed_as_a_reason():
    assert _auc({"macro_auroc": [0.9, 0.8, 0.95], "macro_auroc_no_interval": 3}) == "0.900 (0.800 to 0.950)"


def test_the_classes_a_ppv_line_leaves_out_are_named_on_two_classes_without_normal_and_only_for_their_reasons():
    """COVID vs Pneumonia has no Normal line to say which class it leaves out; a class found never (0 sensitivity)
    but called for other films (specificity under 1) is answered, not 'never answered'; a class without a
    specificity has no figure of its own."""
    two = {"COVID": {"sensitivity": [0.0], "specificity": [1.0]}, "Pneumonia": {"sensitivity": [1.0], "specificity": [0.0]}}
    assert unanswered(two) == "; no PPV for the classes never answered on the test split: COVID"
    three = {"A": {"sensitivity": [0.0], "specificity": [0.8]}, "B": {"sensitivity": [0.5], "specificity": [None]},
             "C": {"sensitivity": [0.9], "specificity": [0.9]}}
    assert unanswered(three) == "; no PPV for the classes no films of theirs among the test split: B"


def test_the_calibration_caveat_of_a_small_test_split_starts_below_twenty_films():
    at20, at19 = _meta(), _meta()
    at20["validation"]["test"]["n"], at19["validation"]["test"]["n"] = 20, 19
    assert "too few to judge calibration" not in card_text(at20, "m")
    assert "ECE 0.070 (under 20 films: too few to judge calibration)" in card_text(at19, "m")


def test_only_a_gate_that_failed_and_a_calibration_warning_with_words_are_said():
    assert failed_gate({"validation": {"gate": {"text": "x"}}}) is None  # not run: no verdict
    assert failed_gate({"validation": {"gate": {"passed": False}}}) == "this file FAILED cxr-convert's gate"
    assert calibration_warning({"validation": {"calibration_warning": "  "}}) is None
    assert shortcut_warning({"warn": False, "balanced_accuracy": 0.9, "chance": 0.5}, ["A", "B"]) is None


def test_the_head_names_an_ensemble_seed_zero_and_a_blank_maker_as_they_are():
    head = card_head({"labels": ["A", "B"], "arch": "compact", "members": 3}, "m")
    assert "(an ensemble of 3 compact models, their logits averaged: 3 times the compute of one, ?;" in head
    one = card_head({"labels": ["A", "B"], "arch": "compact", "members": 1, "training": {"settings": {"seed": 0}}}, "m")
    assert one == "m: A / B (compact, ?; trained ?, seed 0; converted by an unknown maker)"
    assert _maker("  ") == "an unknown maker"


def test_a_file_with_a_sites_rule_alone_says_it_carries_no_test_figures_and_gives_the_rule():
    rule = {"class": "COVID", "threshold": 0.3, "films": "60 films in eval4", "sensitivity": [0.9, 0.8, 0.95],
            "specificity": [0.7, 0.6, 0.8]}
    text = card_text({"labels": ["COVID", "Normal"], "validation": {"rule_on_site": rule}}, "m")
    assert "This file carries no test figures (converted before cxr-edge 0.7.0, or not by cxr-convert)." in text
    assert "Its rule (COVID whenever p >= 0.3) was chosen on 60 films in eval4; 5-fold cross-validated there" in text


def test_the_per_class_names_are_padded_to_sixteen_columns():
    assert "\n  COVID            n = 66   sensitivity 0.894" in card_text(_meta(), "m")


def test_a_card_of_drawings_gives_no_ppv_and_no_empty_advice():
    """Drawings have no clinic's prevalence; without the file's seen films there is no cxr-evaluate line at all
    (it read 'cxr-evaluate .')."""
    text = card_text({**_meta(), "synthetic_data": True}, "m")
    assert "PPV" not in text and "cxr-evaluate ." not in text and "cxr-evaluate leaves out" not in text


def test_one_chosen_film_is_one_and_three_classes_read_one_of():
    rule = {"class": "COVID", "threshold": 0.3, "sensitivity": [0.9, 0.8, 0.95], "specificity": [0.7, 0.6, 0.8],
            "chosen_films": [1, 66]}
    text = card_text({**_meta(rule_on_test=rule), "decision": {"class": "COVID", "threshold": 0.3}}, "m")
    assert "Warning: 1 of those 66 test films is one its rule was chosen on" in text
    assert "(one of A, B or C)" in card_text({**_meta(), "labels": ["A", "B", "C"]}, "m")
    assert "(A or B)" in card_text({**_meta(), "labels": ["A", "B"]}, "m")


def test_a_held_out_source_scored_under_a_rule_says_so_and_an_unscored_class_is_left_out():
    held = {"source": "hannover", "n": 51, "labels": "by its rule", "per_class": {"COVID": {"sensitivity": [1.0, None, None]}}}
    other = {"Pneumonia": {"n": 10, "called": {"COVID": 0.2, "Normal": None}}}
    text = card_text(_meta(held_out_source=held, other_classes=other, other_classes_before_rule=True), "m")
    assert "Held-out source hannover (n = 51, kept out of training and validation), by its rule: COVID" in text
    line = _line(text, "Films of its data folder's classes")
    assert line.startswith("Films of its data folder's classes it was never trained on got (counted before its "
                           "present rule was stored") and "Normal" not in line


def test_the_labels_line_says_only_a_numeric_target_and_a_stored_stamp_with_words_its_date_alone():
    def said(d: dict) -> str:
        return _line(card_text({**_meta(), "decision": {"class": "COVID", "threshold": 0.3, **d}}, "m"), "Labels")

    assert "chosen for" not in said({"target_sensitivity": True, "chosen_on": "validation split"})
    assert "rule stored" not in said({"stored": {"on": " ", "by": "cxr-evaluate"}})
    assert said({"stored": {"on": "2026-12-06T21:00:00", "by": "cxr-evaluate 0.47.0"}}).endswith(
        "(rule stored 2026-12-06 by cxr-evaluate 0.47.0)")
