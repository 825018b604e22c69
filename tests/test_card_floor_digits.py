"""A card figure judged against a floor is written on the side of it the words judge it: a rule's specificity of 500
of 1,001 films (0.4995) read "0.500: it calls most films of the other classes COVID" on the card and in
edge-classify's note, a figure at the floor beside words that put it under. Built through the pure functions."""

from __future__ import annotations

import pytest

from convert.card import beside_floor
from edge.card_figures import floor_ci, side_digits, specificity_ci
from edge import card_rule
from edge.card_rule import site_rule_line
from edge.model_notes import _specificity
from edge.rule_shortfall import SPECIFICITY_FLOOR
from edge.stored_rule_words import calls_most


def _point(text: str) -> float:
    return float(text.split(" ")[0].rstrip(":,"))


def test_a_specificity_a_hair_under_the_floor_is_written_under_it_on_the_card():
    stored = beside_floor([500 / 1001, 0.4680, 0.5310])  # cxr-convert keeps the decimals that keep it under 0.5
    assert stored[0] == 0.4995
    rule = {"class": "COVID", "threshold": 0.3, "sensitivity": [0.9, 0.8, 0.95], "specificity": stored}
    line = card_rule.test_rule_lines({}, rule, None, ["COVID", "Normal"], drawn=True)[0]
    assert "specificity 0.4995 (0.4680 to 0.5310): it calls most films of the other classes COVID" in line
    assert "0.500" not in line


def test_a_site_rule_stored_unrounded_is_written_with_the_decimals_that_keep_it_under():
    site = {"films": "validation split", "class": "COVID", "threshold": 0.3,
            "sensitivity": [0.9, 0.8, 0.95], "specificity": [0.49996, 0.47, 0.53]}
    assert "specificity 0.49996 (0.47000 to 0.53000): it calls most films" in site_rule_line(site)


def test_edge_classify_s_note_on_the_rule_writes_it_alike():
    note = _specificity({"specificity": [0.4995, 0.468, 0.531]}, "COVID", 1001)
    assert note.startswith(", specificity 0.4995 (0.4680 to 0.5310) on its 1001 films of other classes: it calls most")


@pytest.mark.parametrize("spec, shown", [([0.5, 0.47, 0.53], "0.500 (0.470 to 0.530)"),
                                         ([0.50004, 0.47, 0.53], "0.500 (0.470 to 0.530)"),
                                         ([0.4992, 0.468, 0.531], "0.499 (0.468 to 0.531)"),
                                         ([0.4995, None, None], "0.4995"), ([0.0, 0.0, 0.1], "0.000 (0.000 to 0.100)"),
                                         (None, "n/a"), ([None, None, None], "n/a")])
def test_figures_clear_of_the_floor_keep_three_decimals(spec, shown):
    assert specificity_ci(spec) == shown


def test_every_stored_share_is_written_on_the_side_its_words_judge_it():
    """k of n films for small n, and the halves less one of larger n: the point written and calls_most agree."""
    cases = [(k, n) for n in range(1, 40) for k in range(n + 1)] + [(n // 2, n) for n in (1001, 2001, 20001, 200001)]
    for k, n in cases:
        stored = beside_floor([k / n, max(0.0, k / n - 0.03), min(1.0, k / n + 0.03)])
        shown, words = specificity_ci(stored), calls_most(stored, "COVID")
        assert (_point(shown) < SPECIFICITY_FLOOR) == bool(words) == (k / n < SPECIFICITY_FLOOR), (k, n, shown)


def test_any_floor_keeps_its_figure_on_its_side():
    assert floor_ci([0.2495, 0.1, 0.4], 0.25) == "0.2495 (0.1000 to 0.4000)"
    assert floor_ci([0.2504, 0.1, 0.4], 0.25) == "0.250 (0.100 to 0.400)"  # at or over the floor: 3 decimals hold it
    assert side_digits(0.7, 0.75) == 3 and side_digits("n/a", 0.5) == 3  # a damaged file's text: no decimals to add


def test_report_md_writes_a_rule_specificity_a_hair_under_the_floor_under_it():
    """cxr-convert's report.md wrote 500 of 1,001 as "specificity 50.0 (46.8–53.0)%: it calls most films of the other
    classes COVID", the card's 0.500 defect in percent (review 73c)."""
    from convert.stored_rule_sections import device_answers_line

    test = {"sensitivity": .9, "sensitivity_ci": (.8, .95), "specificity": 500 / 1001, "specificity_ci": (.468, .53)}
    line = device_answers_line({"int8": {"decision": {"class": "COVID", "threshold": 0.3, "test": test}, "n": 1100}})[0]
    assert "specificity 49.95 (46.80–53.00)%: it calls most films of the other classes COVID" in line
    test = {**test, "specificity": 0.81, "specificity_ci": (.7, .9)}
    line = device_answers_line({"int8": {"decision": {"class": "COVID", "threshold": 0.3, "test": test}, "n": 1100}})[0]
    assert "specificity 81.0 (70.0–90.0)%." in line  # as before, away from the floor
