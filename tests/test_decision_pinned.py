"""edge.decision's rules (and edge.threshold_text's, edge.rule_shortfall's) pinned where a small change went unseen (hand mutation testing: each test here failed
with one such change in place, which every earlier test of the module let through)."""

from __future__ import annotations

import pytest

from edge.decision import beside_rule, fmt_threshold, stored_rule
from edge.rule_shortfall import falls_short, stored_shortfall_share
from edge.threshold_text import class_and_value


def test_a_stored_threshold_of_0_is_refused_as_one_of_1_is():
    """p >= 0 labels every film the class: a file whose rule says so is damaged, not a screening rule."""
    for t in (0.0, 1.0, -0.1):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            stored_rule({"labels": ["COVID", "Normal"], "decision": {"class": "COVID", "threshold": t}})


def test_a_rule_falls_short_only_by_more_than_two_points():
    """0.941 of the next films for a 95% target (found 94 of 99) is what any rule gives by construction: no word;
    exactly 2 points under is not more than SHORTFALL; 0.5 for a target of 0.95 is."""
    assert not falls_short(0.941, 0.95)
    assert not falls_short(0.5, 0.52)  # exactly SHORTFALL under (0.52 - 0.02 is 0.5 in floats)
    assert falls_short(0.5, 0.95) and falls_short(0.49, 0.52)
    assert not falls_short(None, 0.95) and not falls_short(0.5, None)


def test_the_stored_shortfall_counts_the_films_found_from_the_stored_share():
    """15 of 22 films: the stored sensitivity 15/22 times 22 is 14.999999999999998 in floats, and must count 15,
    expected to find 15/23 of the next ones (under the 0.68 target by more than 2 points), not 14/23."""
    d = {"class": "COVID", "threshold": 0.2, "target_sensitivity": 0.68,
         "chosen_films": {"n_positive": 22, "sensitivity": 15 / 22}}
    assert stored_shortfall_share(d) == pytest.approx(15 / 23)
    assert stored_shortfall_share({**d, "target_sensitivity": 0.66}) is None  # 0.652 is within 2 points of 0.66


def test_a_threshold_typed_with_few_digits_prints_as_typed():
    """0.57 is 5699.999999999999 when scaled to 4 digits: rounded down it printed 0.5699, and typed back that
    rule would call COVID films at 0.56995 that 0.57 does not (so 0.69, 0.0157)."""
    assert [fmt_threshold(t) for t in (0.57, 0.69, 0.0157, 0.1975)] == ["0.57", "0.69", "0.0157", "0.1975"]


def test_a_rule_names_its_class_in_any_case_where_the_case_alone_tells_the_labels_apart():
    """'a-b' is the label 'A-B' (case aside), though ignoring punctuation too it would match 'AB' as well; and the
    rule as the CSV's rule column prints it, COVID>=0.2, reads back as COVID=0.2."""
    assert class_and_value("a-b=0.3", ["A-B", "AB"], "--threshold", "probability", 0.3) == (0, 0.3)
    assert class_and_value("COVID>=0.2", ["COVID", "Normal"], "--threshold", "probability", 0.3) == (0, 0.2)
    assert class_and_value("normal >= 0.25", ["COVID", "Normal"], "--threshold", "probability", 0.3) == (1, 0.25)


def test_a_probability_just_under_a_threshold_is_cut_at_the_ninth_decimal():
    """0.29999999996 under 'COVID when p >= 0.3' reads 0.3 to 4 to 9 decimals: it is shown cut to 9
    (EXACT_DIGITS, the digits the rule is printed with), not to 10."""
    assert beside_rule(0.29999999996, 0, (0, 0.3), 4) == 0.299999999
