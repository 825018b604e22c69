"""edge.answer_worth pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which test_prevalence.py let through)."""

from __future__ import annotations

from edge.answer_worth import no_better, only_none_seen, predictive_values


def test_a_prevalence_of_0_or_1_has_predictive_values():
    """A card judges its rates at any share from 0 to 1: 0 is no class film at all, every positive answer false."""
    assert predictive_values(0.9, 0.8, 0.0) == (0.0, 1.0)
    assert predictive_values(0.9, 0.8, 1.0) == (1.0, 0.0)


def test_a_ppv_of_1_is_only_no_false_call_seen_where_the_specificity_is_1():
    assert only_none_seen(1.0, 1.0) and not only_none_seen(1.0, 0.99) and not only_none_seen(0.99, 1.0)


def test_rates_stored_to_3_decimals_that_sum_to_1_are_no_better_than_no_test():
    """5/7 and 2/7 stored as 0.714 and 0.286 give a PPV of 0.05000000000000002 at 5%: no better than no test, as the
    report said from the counts, not 'better' by a rounding."""
    ppv = predictive_values(0.714, 0.286, 0.05)[0]
    assert ppv > 0.05 and no_better(ppv, 0.05) and not no_better(0.0501, 0.05)


def test_a_ppv_or_npv_with_no_value_says_why_in_the_reports_words():
    """_worth gave a bare 'n/a'; report.md's table says 'n/a: the model never answered Lung' (edge.answer_worth.
    no_value_words, shared). The multi-class line leaves such a class out: the card names them after it, once
    (tests/test_card_claims.py)."""
    from edge.answer_worth import _worth, ppv_line

    never = {"sensitivity": [0.0, 0.0, 0.2], "specificity": [1.0, 0.9, 1.0]}
    always = {"sensitivity": [1.0, 0.9, 1.0], "specificity": [0.0, 0.0, 0.2]}
    good = {"sensitivity": [0.9, 0.8, 0.95], "specificity": [0.8, 0.7, 0.9]}
    line = ppv_line({"COVID": good, "Lung": never, "Viral": good})
    assert "COVID 19% (12% to 33% within the test figures' intervals), Viral 19%" in line and "Lung" not in line
    assert _worth(never["sensitivity"], never["specificity"], 0, name="COVID", classes=["COVID", "Normal"]) == (
        None, "n/a", ", the model never answered COVID")
    assert _worth(always["sensitivity"], always["specificity"], 1, name="COVID", classes=["COVID", "Normal"])[1:] == (
        "n/a", ", the model never answered Normal")
    assert _worth(always["sensitivity"], always["specificity"], 1, name="COVID", classes=["COVID", "Normal", "Viral"])[2] == (
        ", the model answered COVID for every film")
