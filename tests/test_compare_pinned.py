"""convert.compare and convert.compare_classes pinned where a small change went unseen (hand mutation testing: each
test here failed with one such change in place, which every earlier test of cxr-compare that needs no trained model
let through)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convert.compare import by_group, compare, group_markdown, headline, labelling, markdown, resampled, same_model
from convert.compare_classes import class_note, sides


def _site(covid_a_only: int, normal_b_only: int) -> dict:
    """40 COVID and 40 Normal films: A alone right on covid_a_only COVID films, B alone on normal_b_only Normal ones."""
    y = np.array([0] * 40 + [1] * 40)
    a, b = y.copy(), y.copy()
    b[:covid_a_only] = 1
    a[40:40 + normal_b_only] = 0
    return compare(y, a, b, ["COVID", "Normal"], n_boot=200)


def test_the_headline_gives_the_interval_low_to_high_and_each_models_own_films():
    """The whole line as a user reads it: the interval's ends in order, A's 6 films beside A."""
    assert headline(_site(6, 3)) == (
        "B - A balanced accuracy -3.8 points (95% CI -12.4 to +4.8; A 96.2%, B 92.5%); right only by A 6, only by B 3 "
        "(McNemar p = 0.508); 9 of 80 answers differ")


def test_the_headline_says_n_a_for_an_undefined_difference_and_no_levels_without_both():
    r = {**_site(2, 2), "balanced_accuracy_difference": math.nan, "balanced_accuracy_b": None}
    line = headline(r)
    assert line.startswith("B - A balanced accuracy n/a points (95% CI ") and "; A " not in line and "nan" not in line


def test_the_changed_answers_table_shows_a_dash_where_a_and_b_agree():
    """The diagonal is not a count of changed answers (it is always 0): a dash, not '0'."""
    md = markdown(_site(6, 3), "a", "b", "d", "x")
    assert "| COVID | — | 9 |" in md and "| Normal | 0 | — |" in md


def test_answers_of_another_length_than_the_labels_are_refused_in_words():
    with pytest.raises(ValueError, match="3 labels but 3 and 2 answers"):
        compare(np.array([0, 1, 0]), np.array([0, 1, 0]), np.array([0, 1]), ["COVID", "Normal"])


def test_too_few_films_starts_below_20_and_no_films_are_not_too_few():
    """20 films are enough for the warning to go; 19 are not; an empty set is not 'too few to judge' (one film of 0
    moves nothing, and the caveat would divide by 0)."""
    def few(n: int) -> bool:
        y = np.array([0, 1] * (n // 2) + [0] * (n % 2), dtype=int)
        return compare(y, y, y, ["COVID", "Normal"], n_boot=20)["too_few_films"]
    assert (few(19), few(20), few(0)) == (True, False, False)


def test_a_score_interval_is_used_when_any_class_not_only_the_last_has_changes_one_way():
    """COVID: 3 changed answers, all A's; Normal: 2 A's and 5 B's. A bootstrap could never favour B within COVID:
    MOVER's interval, recorded as such."""
    y = np.array([0] * 30 + [1] * 30)
    a, b = y.copy(), y.copy()
    b[:3] = 1
    a[30:35] = 0
    b[35:37] = 0
    r = compare(y, a, b, ["COVID", "Normal"], n_boot=200)
    assert [(c["only_a_right"], c["only_b_right"]) for c in r["per_class"]] == [(3, 0), (2, 5)]
    assert r["balanced_accuracy_difference_ci_method"] == "mover"


def test_an_interval_of_unknown_method_is_not_said_to_be_resampled():
    """compare.json of an earlier version records no method: not claimed as a bootstrap one."""
    assert resampled({"balanced_accuracy_difference_ci_method": "mover", "by": {"source": {"s1": {}}}}) == []


def test_a_group_without_copies_records_no_distinct_count():
    g = by_group(np.array([0] * 20 + [1] * 20), np.zeros(40, int), np.zeros(40, int), ["COVID", "Normal"],
                 ["s1"] * 40, n_boot=20, copy_of=list(range(40)))
    assert "distinct_films" not in g["s1"]


def test_the_by_table_says_too_few_below_20_films_and_joins_its_notes():
    g = by_group(np.zeros(25, int), np.zeros(25, int), np.zeros(25, int), ["COVID", "Normal"],
                 ["s1"] * 20 + ["s2"] * 5, n_boot=20)
    rows = {line.split(" | ")[0]: line for line in group_markdown("source", g) if line.startswith("| s")}
    assert rows["| s1"].endswith("| COVID films only: COVID sensitivity |")
    assert rows["| s2"].endswith("| COVID films only: COVID sensitivity; too few films |")


def test_labelling_says_where_a_rule_was_chosen_and_that_a_rule_was_set_aside():
    assert labelling(["COVID", "Normal"], (0, 0.2), "val films").endswith(
        "else the most probable of the other classes; chosen on val films (--most-probable ignores it)")
    assert labelling(["COVID", "Normal"], None, None, ignored=(0, 0.2)) == (
        "labels by the most probable class (its stored rule ignored: --most-probable)")
    assert labelling(["COVID", "Normal"], None, None) == "labels by the most probable class"


def _info(**kw) -> dict:
    return {"answers_from": ["weights-1"], "preprocess": {"size": 224}, "labels": ["COVID", "Normal"],
            "decision": (0, 0.2), **kw}


def test_same_model_tells_one_file_from_identical_bytes_from_one_model_in_two_files(tmp_path):
    a, b, c = tmp_path / "a.tflite", tmp_path / "b.tflite", tmp_path / "c.tflite"
    a.write_bytes(b"model")
    b.write_bytes(b"model")
    c.write_bytes(b"model, written later")
    assert "are the same model file" in same_model(a, tmp_path / "." / "a.tflite", _info(), _info(), False)
    assert "(identical bytes)" in same_model(a, b, _info(), _info(), False)
    assert "and rule; the files differ in other records" in same_model(a, c, _info(), _info(), False)
    assert "their rules set aside by --most-probable" in same_model(a, c, _info(), _info(decision=None), True)


@pytest.mark.parametrize("other", [{"decision": (0, 0.3)}, {"preprocess": {"size": 192}}, {"labels": ["A", "B"]},
                                   {"answers_from": ["weights-2"]}])
def test_two_models_that_differ_in_any_one_record_are_compared(tmp_path, other):
    a, c = tmp_path / "a.tflite", tmp_path / "c.tflite"
    a.write_bytes(b"model")
    c.write_bytes(b"other model")
    assert same_model(a, c, _info(), _info(**other), False) is None


def test_models_whose_weights_are_unknown_are_not_called_the_same(tmp_path):
    a, c = tmp_path / "a.tflite", tmp_path / "c.tflite"
    a.write_bytes(b"model")
    c.write_bytes(b"other model")
    assert same_model(a, c, _info(answers_from=None), _info(answers_from=None), False) is None


def _r(ci, p, only_a, only_b, per_class) -> dict:
    return {"balanced_accuracy_difference_ci": ci, "mcnemar_p": p, "only_a_right": only_a, "only_b_right": only_b,
            "per_class": [{"class": n, "difference": d, "difference_ci": c, "only_a_right": oa, "only_b_right": ob}
                          for n, d, c, oa, ob in per_class]}


def test_mcnemar_favours_a_model_at_p_0_05_not_above_and_an_interval_ending_at_0_favours_neither():
    assert sides(_r([-0.2, 0.0], 0.05, 0, 6, [])) == (0, 1)
    assert sides(_r([0.0, 0.2], 0.07, 0, 6, [])) == (0, 0)


COVID_B = ("COVID", 0.2, [0.05, 0.35], 0, 8)  # a class interval above 0: B did better on COVID films
NORMAL_EVEN = ("Normal", 0.05, [-0.05, 0.15], 0, 2)


def test_a_class_favouring_the_model_the_verdict_names_better_needs_no_note():
    assert class_note(_r([0.05, 0.3], 0.01, 0, 10, [COVID_B, NORMAL_EVEN])) == []


def test_a_class_favouring_a_model_is_named_where_mcnemar_names_none():
    """The interval favours B but p = 0.2: the verdict names no model, so COVID's own interval is a lead worth naming,
    with its ends in order."""
    note = class_note(_r([0.05, 0.3], 0.2, 0, 10, [COVID_B, NORMAL_EVEN]))[0]
    assert ("Within a class, though: COVID sensitivity B - A +20.0 points (95% CI +5.0 to +35.0; right only by A 0, "
            "only by B 8): model B did better on these COVID films.") in note


def test_a_class_interval_that_starts_at_0_is_no_lead():
    assert class_note(_r([-0.1, 0.3], 0.5, 0, 3, [("COVID", 0.1, [0.0, 0.3], 0, 3), NORMAL_EVEN])) == []


def test_the_notes_on_the_films_speak_of_two_models_and_give_each_models_design():
    """compare.md before any figure: a renamed folder, the seen check and the study design, each said of two models."""
    from convert.compare import film_notes

    r = {"class_folders": {"covid": "COVID", "other": "-"}, "left_out_films": {"other": 3}, "classes": ["COVID", "Normal"],
         "seen_in_training": None, "study_design": {"A (a)": {"kind": "external", "films": 5, "films_named": 5}}}
    notes = film_notes(r)
    assert "other left out (3 films). Each model calls every film COVID or Normal" in notes[0]
    assert notes[2].startswith("Whether either model saw any of these films in training could not be checked")
    assert notes[4] == "- A (a): external validation by source name: no film here comes from a source it was trained on."
