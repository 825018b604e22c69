"""convert.audit_section pinned where a small change to report.md's shortcut audit went unseen (hand mutation
testing: each test here failed with one such change to audit_section in place, which the fast tests of
tests/test_audit.py and tests/test_audit_pinned.py let through)."""

from __future__ import annotations

from convert.audit_section import audit_section
from train.audit import WARN_LIFT


def _audit(**kw) -> dict:
    """A recorded audit as train.audit writes it, on two classes."""
    return {"combined": 0.7, "chance": 0.5, "lift": 0.4, "warn": False, "n": 40,
            "traits": {"format": {"values": 2, "balanced_accuracy": 0.7}, "source": {"values": 3, "balanced_accuracy": 0.6}},
            "give_aways": [], **kw}


def _md(audit: dict) -> str:
    return "\n".join(audit_section(audit))


def test_an_audit_recorded_without_its_folds_or_permutations_is_said_as_five_fold_and_its_own_permutations():
    assert "scored by 5-fold cross-validation" in _md(_audit(combined_p=0.3))
    assert "p: the share of 199 shufflings" in _md(_audit(combined_p=0.3))
    assert "p: the share of 499 shufflings" in _md(_audit(combined_p=0.3, permutations=499))


def test_p_is_given_with_three_decimals():
    """p = 0.0125 is over the 0.025 warning level's half: '0.01' would hide which side of 0.0125 it lies."""
    assert "| **all together** | | **70.0** (p = 0.013) |" in _md(_audit(combined_p=0.0125))


def test_the_below_the_warning_level_note_is_only_for_an_audit_that_ran_no_test():
    """An audit with an interval ran its test: 'no test run' would be false; a lift of exactly the warning level
    is not below it."""
    assert "Below the warning level (25% of the gap" in _md(_audit(lift=0.1))
    assert "Below the warning level" not in _md(_audit(lift=0.1, combined_ci=[0.45, 0.8]))
    assert "Below the warning level" not in _md(_audit(lift=WARN_LIFT))


def test_too_few_films_is_said_from_the_warning_level_on_and_not_below_it():
    """No warning at a lift at or above the level is explained (too few films); below it there is nothing to explain."""
    assert "On 40 films traits that carry no label score as well too often" in _md(_audit(lift=WARN_LIFT, combined_p=0.3))
    assert "too few to tell" not in _md(_audit(lift=0.1, combined_p=0.3))


def test_the_warning_gives_the_lift_in_whole_percent_and_ten_give_aways_at_most():
    assert "**Warning:** the traits close 31% of the gap" in _md(_audit(lift=0.314, warn=True, combined_p=0.005))
    give = [{"trait": "format", "value": f"v{k}", "count": 20 - k, "share": 1.0, "class": "COVID"} for k in range(12)]
    md = _md(_audit(give_aways=give))
    assert "| format | v9 | 11 | 100% COVID |" in md and "| v10 |" not in md


def test_the_table_gives_one_decimal_an_interval_where_recorded_and_names_as_text():
    """A source's or class folder's name is text in a table cell: a '|' in it would split the row."""
    md = _md(_audit(chance=1 / 3, combined_ci=[0.55, 0.81],
                    give_aways=[{"trait": "source", "value": "a|b", "count": 9, "share": 1.0, "class": "C|D"}]))
    assert "balanced accuracy % (chance 33.3%)" in md and "| format | 2 | 70.0 |" in md
    assert "| **all together** | | **70.0** (55.0–81.0) |" in md
    assert "| source | a\\|b | 9 | 100% C\\|D |" in md


def test_a_figure_exactly_at_chance_is_said_to_say_nothing():
    """'At or below chance': 50.0% against chance 50% is no finding either (hand mutation testing, session 68)."""
    from convert.audit_section import at_chance_lines

    lines = at_chance_lines(_audit(traits={"format": {"values": 2, "balanced_accuracy": 0.5}}))
    assert lines and "format 50.0%" in lines[0]


def test_traits_scoring_under_chance_close_0_percent_of_the_gap_not_a_negative_share():
    assert "these traits close 0%)" in _md(_audit(combined=0.45, lift=-0.1))
