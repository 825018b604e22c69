"""edge.stored_rule_words and edge.input_check_words pinned where a small change went unseen (hand mutation testing:
each test here failed with one such change to calls_most, chosen_on_words, _threshold_for, recount_note,
no_input_check_why, flagged_share or input_check_line in place, which the card's, the rule note's, report.md's and
edge-classify's message tests that need no trained model let through)."""

from __future__ import annotations

from edge.input_check_words import flagged_share, input_check_line, no_input_check_why
from edge.stored_rule_words import calls_most, chosen_on_words, recount_note

TWO = ["COVID", "Normal"]


def test_a_specificity_that_is_no_number_says_nothing_of_the_rule():
    """A damaged file's ['n/a']: no line, not a TypeError from 'n/a' < 0.5."""
    assert calls_most(["n/a"], "COVID") == ""


def test_a_count_of_films_that_is_a_flag_is_no_count():
    d = {"class": "COVID", "chosen_films": {"n_positive": True}}
    assert chosen_on_words(d) == "the validation split"


def test_the_counts_before_a_rule_say_which_way_it_moves_them_from_the_most_probable_class():
    """Two classes: the most probable class is COVID above 0.5, so a stored COVID rule at 0.5 labels as it did
    (the shares may differ for rounding alone), one at 0.45 gives more films COVID."""
    card = {"other_classes_before_rule": True, "other_classes_counted_under": None}
    at = {"class": "COVID", "threshold": 0.5}
    assert recount_note(card, at, TWO) == (" (counted under the most probable class; under its present rule, the shares "
                                           "may differ)")
    assert recount_note(card, {**at, "threshold": 0.45}, TWO).endswith("under its present rule, more films may get COVID)")


def test_a_rule_stored_again_with_other_notes_but_the_same_threshold_needs_no_note():
    before = {"class": "COVID", "threshold": 0.3}
    card = {"other_classes_before_rule": True, "other_classes_counted_under": before}
    assert recount_note(card, {**before, "target_sensitivity": 0.95, "stored": {"on": "2026-12-06"}}, TWO) == ""


def test_why_a_file_has_no_input_check_goes_by_the_version_that_made_it():
    """0.4.0 fitted one: a file of 0.4.0 without it had too few films; a 0.3.0 file whose figures were stamped again
    by 0.27.0 was still made by 0.3.0 (a re-stamp adds no input check)."""
    assert no_input_check_why({"created_by": "cxr-edge 0.4.0, tensorflow 2.20.0"}).startswith("its run had too few")
    restamped = {"created_by": "cxr-edge 0.3.0, tensorflow 2.20.0",
                 "validation": {"scored_by": "cxr-edge 0.27.0 (cxr-convert)"}}
    assert no_input_check_why(restamped) == "made before cxr-edge 0.4.0: convert it again to add one"


def test_a_flagged_share_that_is_no_share_is_left_unsaid():
    assert flagged_share({"typicality": {"flagged_validation": True}}) is None
    assert flagged_share({"typicality": {"flagged_validation": 1.5}}) is None
    assert flagged_share({"typicality": {"flagged_validation": 1}}) == 1.0


def test_a_file_with_an_input_check_of_no_stored_figures_still_has_one():
    line = input_check_line({"typicality": {}})
    assert line == ("Input check: a film unlike its training films (upside down, inverted, not a chest film) gets a "
                    "warning beside its answer (--refuse-atypical: no answer).")
