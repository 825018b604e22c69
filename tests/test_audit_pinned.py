"""train.audit pinned where a small change went unseen (hand mutation testing: each test here failed with one such
change in place, which the fast tests of tests/test_audit.py let through). The shortcut audit says how well the
files alone predict the class; its give-aways and its p-value are what a reader acts on."""

from __future__ import annotations

import numpy as np

from train.audit import (file_traits, naive_bayes_predict, shortcut_audit, stratified_folds, summary_line,
                         trait_codes)


def _border(kept: tuple[int, int]) -> str:
    return file_traits(b"", np.zeros((100, 200), np.uint8), kept)["border"]


def test_the_border_bands_are_one_and_ten_percent_of_the_area():
    assert [_border(k) for k in ((100, 199), (100, 197), (89, 200))] == ["none", "under 10%", "10% or more"]


def test_a_perfect_shortcut_has_the_smallest_p_the_permutations_can_give():
    """199 label permutations: p = 1/200 where none reaches the observed score (said 'p = 0.005')."""
    y = np.array([0] * 20 + [1] * 20)
    audit = shortcut_audit([{"format": "JPEG"}] * 20 + [{"format": "PNG"}] * 20, y, ["COVID", "Normal"])
    assert audit["combined_p"] == 1 / 200 and audit["permutations"] == 199 and audit["warn"]
    assert "(p = 0.005 by permuting the labels, chance 0.50," in summary_line(audit)


def test_chance_is_over_the_classes_present_not_the_models():
    y = np.array([0] * 10 + [1] * 10)
    audit = shortcut_audit([{"format": "PNG"}] * 20, y, ["COVID", "Normal", "Viral"])
    assert audit["chance"] == 0.5


def test_a_source_known_for_only_some_films_is_no_trait_that_varies():
    """Films without a MANIFEST.csv row have an unknown source, not a source of their own."""
    y = np.array([0] * 10 + [1] * 10)
    audit = shortcut_audit([{"source": "site", "format": f} for f in ["PNG", "JPEG"] * 5]
                           + [{"format": f} for f in ["PNG", "JPEG"] * 5], y, ["COVID", "Normal"])
    assert list(audit["traits"]) == ["format"]
    assert trait_codes([("",), ("a",), ("b",)]).ravel().tolist() == [-1, 0, 1]


def test_an_unknown_value_says_nothing_about_the_class():
    train = np.array([[0], [1], [1], [1]])
    y = np.array([0, 1, 1, 1])
    assert naive_bayes_predict(train, y, np.array([[-1]]), 2).tolist() == [0]  # no evidence: the first class
    unknown_in_training = np.array([[0], [-1], [-1], [-1], [1]])
    # unknowns of class 1 do not count as value 1: value 1 is seen once in each class then, and class 0 wins ties
    assert naive_bayes_predict(unknown_in_training, np.array([0, 1, 1, 1, 0]), np.array([[1]]), 2).tolist() == [0]


def test_add_one_smoothing_lets_an_unseen_value_be_outweighed():
    """A value one class never showed is unlikely for it, not impossible: a trait that says class 0 firmly outweighs
    two values class 0 never showed and class 1 showed once (near-zero counts would let the rarer misses decide)."""
    train = np.array([[0, 0, 0]] * 6 + [[1, 1, 1]] * 6 + [[1, 2, 2]])
    y = np.array([0] * 6 + [1] * 7)
    assert naive_bayes_predict(train, y, np.array([[0, 2, 2]]), 2).tolist() == [0]


def test_the_folds_are_dealt_in_a_seeded_random_order():
    y = np.array([0] * 20)
    assert stratified_folds(y, 5, 0).tolist() != stratified_folds(y, 5, 1).tolist()


def _give_aways(values: list[str], y: list[int], n_other: int = 0) -> list[tuple]:
    """Give-aways of ``values`` (format), padded with ``n_other`` films half of each class of a neutral value."""
    traits = [{"format": v} for v in values] + [{"format": "BMP"}] * n_other
    labels = np.array(y + [0, 1] * (n_other // 2))
    audit = shortcut_audit(traits, labels, ["COVID", "Normal"])
    return [(g["value"], g["class"], g["count"]) for g in audit["give_aways"]], audit


def test_a_give_away_needs_five_films_and_two_percent_of_the_set():
    assert _give_aways(["PNG"] * 5 + ["JPEG"] * 4, [0] * 9, 40)[0] == [("PNG", "COVID", 5)]
    assert _give_aways(["PNG"] * 7, [0] * 7, 294)[0] == [("PNG", "COVID", 7)]  # 2% of 301 is 7


def test_a_give_away_is_a_value_95_percent_in_one_class_and_the_largest_come_first():
    found, audit = _give_aways(["PNG"] * 20 + ["TIFF"] * 6 + ["GIF"] * 7 + ["JPEG"] * 8,
                               [0] * 19 + [1] + [1] * 6 + [0] * 7 + [1] * 8, 40)
    assert found == [("PNG", "COVID", 20), ("JPEG", "Normal", 8), ("GIF", "COVID", 7), ("TIFF", "Normal", 6)]
    line = summary_line(audit)
    assert "format JPEG: 100% Normal (n = 8); format GIF: 100% COVID (n = 7)" in line and "TIFF" not in line


def test_an_audit_recorded_before_folds_were_recorded_is_said_as_five_fold():
    old = {"combined": 0.9, "chance": 0.5, "n": 40, "traits": {"format": {}}, "give_aways": []}
    assert "chance 0.50, 5-fold cross-validated, 40 films)" in summary_line(old)
