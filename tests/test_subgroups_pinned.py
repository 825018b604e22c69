"""convert.subgroups pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which every earlier test of the per-source and --by tables that needs no trained model let
through)."""

from __future__ import annotations

import numpy as np

from convert.subgroups import (balanced_accuracy_cell, by_chance, classes_below_overall, copy_groups, natural_order,
                               note, per_source, per_source_section, subgroup_section)

CLASSES = ["COVID", "Normal"]


def _said(answers: list[int]) -> np.ndarray:
    return np.eye(2)[np.array(answers)] * 0.8 + 0.1


def _every_film_normal() -> dict:
    """Source s1: 20 COVID and 20 Normal films; s2: 5 COVID films; the model calls every film Normal."""
    y = np.array([0] * 20 + [1] * 20 + [0] * 5)
    return per_source(y, _said([1] * 45), CLASSES, ["s1"] * 40 + ["s2"] * 5, n_boot=20)


def test_the_per_source_answers_mark_20_films_of_one_answer_and_name_the_answer_given():
    md = per_source_section(_every_film_normal(), CLASSES, " (int8, test split)")
    assert md[0] == "## Per source (int8, test split)"
    assert "| s1 | COVID | 20 | 0 | 20 | **one answer for all** |" in md
    assert "| s2 | COVID | 5 | 0 | 5 |  |" in md
    assert not any(line.startswith("| s2 | Normal |") for line in md)  # s2 holds no Normal film: no row of zeros
    assert any(line.startswith("**One answer for all** the films here, of every source: the model gave every film "
                               "Normal,") for line in md)


def test_one_answer_for_every_film_is_not_said_where_no_source_has_20_films_of_a_class():
    ps = per_source(np.zeros(5, int), _said([1] * 5), CLASSES, ["s2"] * 5, n_boot=20)
    assert not any("One answer for all" in line for line in per_source_section(ps, CLASSES))


def test_a_group_of_two_classes_is_given_balanced_accuracy_and_a_class_name_is_text():
    s = {"balanced_accuracy": 0.5, "balanced_accuracy_ci": [0.4, 0.6], "classes_present": ["*COVID*", "Normal"]}
    assert "sensitivity" not in balanced_accuracy_cell(s)
    assert balanced_accuracy_cell({**s, "classes_present": ["*COVID*"]}).startswith("\\*COVID\\* sensitivity ")


def _group(n: int, present: list[str], support: list[int], ci_hi: list[float], **kw) -> dict:
    return {"n": n, "balanced_accuracy": 0.7, "balanced_accuracy_ci": [0.6, 0.8], "classes_present": present,
            "per_class": [{"class": c, "support": k, "sensitivity": 0.5, "sensitivity_ci": [0.3, h]}
                          for c, k, h in zip(CLASSES, support, ci_hi)],
            "confusion_matrix": [[support[0], 0], [0, support[1]]], **kw}


OVERALL = {"balanced_accuracy": 0.7, "per_class": [{"class": "COVID", "sensitivity": 0.9},
                                                   {"class": "Normal", "sensitivity": 0.75}]}


def test_a_note_judged_against_the_overall_figures_names_each_class_below():
    """The group's balanced accuracy (70-90) is no lower than its reference (82.5), but its COVID interval (30-60) lies under 90 and
    its Normal one (30-70) under 75: both named, escaped and comma-joined."""
    s = {**_group(40, CLASSES, [20, 20], [0.6, 0.7]), "balanced_accuracy_ci": [0.7, 0.9]}
    assert note(s, OVERALL) == "**COVID below**, **Normal below**"
    below = {**s, "balanced_accuracy_ci": [0.5, 0.65]}
    assert note(below, OVERALL) == "**below**, **COVID below**, **Normal below**"
    assert note({**s, "classes_present": ["*C*", "Normal"], "per_class": [{**s["per_class"][0], "class": "*C*"},
                                                                        s["per_class"][1]]},
                {**OVERALL, "per_class": [{"class": "*C*", "sensitivity": 0.9}, OVERALL["per_class"][1]]}) == (
        "**\\*C\\* below**, **Normal below**")


def test_classes_below_are_judged_against_overall_where_it_is_given():
    assert classes_below_overall({"s1": _group(40, CLASSES, [20, 20], [0.6, 0.95])}, OVERALL) == {"s1": ["COVID"]}


def _chance_text(groups: dict) -> str:
    return "".join(by_chance(groups))


def test_the_chance_count_starts_at_10_groups_of_20_films_and_counts_only_the_tests_made():
    """A group of one class is one test (its classes are not tested apart); a class of 20 films with 10 distinct is
    not tested; 10 groups of 20 films are enough to say it, 9 are not."""
    one = {f"g{k}": _group(20, ["COVID"], [20, 0], [0.9, 0.9]) for k in range(10)}
    assert _chance_text(one).startswith("With 10 groups of 20 films or more (10 tests: each group")
    assert "about 0.2 marks" in _chance_text(one)
    assert by_chance(dict(list(one.items())[:9])) == []
    two = {f"g{k}": _group(40, CLASSES, [20, 20], [0.9, 0.9], distinct_per_class={"COVID": 10, "Normal": 20})
           for k in range(10)}
    assert "(20 tests:" in _chance_text(two)
    assert "With 10 groups" in "".join(subgroup_section("ward", two, {**OVERALL, "balanced_accuracy_ci": [0.6, 0.8]},
                                                        CLASSES))


def test_old_groups_without_their_classes_get_a_column_per_class_and_a_table_of_one_class_is_well_formed():
    old = {"s1": {**_group(40, CLASSES, [20, 20], [0.9, 0.9]), "classes_present": None}}
    head = per_source_section(old, CLASSES)[4]
    assert head == "| source | n | balanced accuracy % (95% CI) | COVID sens. % | Normal sens. % | note |"
    one = {"s1": _group(40, ["COVID"], [40, 0], [0.9, 0.9])}
    md = per_source_section(one, CLASSES)
    assert md[4:6] == ["| source | n | COVID sensitivity % (95% CI) | note |", "|---|---:|---|---|"]


def test_the_by_table_refers_to_the_per_source_table_only_when_its_rows_are_the_very_same():
    from convert.summary import summarize

    ps = _every_film_normal()
    overall = summarize(np.array([0] * 20 + [1] * 20 + [0] * 5), _said([1] * 45), CLASSES, n_boot=20)
    assert "The same groups" in "".join(subgroup_section("source", ps, overall, CLASSES, per_source_table=ps))
    reordered = {"s2": ps["s2"], "s1": ps["s1"]}
    assert "The same groups" not in "".join(subgroup_section("source", reordered, overall, CLASSES, per_source_table=ps))
    other = {**ps, "s2": {**ps["s2"], "n": 6}}
    assert "The same groups" not in "".join(subgroup_section("source", other, overall, CLASSES, per_source_table=ps))


def test_copy_groups_join_label_conflicts_and_pass_over_films_not_in_the_set():
    files = ["a", "b", "c", "d"]
    groups = copy_groups(files, [["a", "x", "b"]], [[{"file": "c", "label": "COVID"}, {"file": "d", "label": "Normal"}]])
    assert len(set(groups)) == 2 and groups[0] == groups[1] and groups[2] == groups[3]


def test_per_source_records_no_distinct_count_without_copies():
    y = np.array([0] * 20 + [1] * 20)
    ps = per_source(y, _said([0] * 40), CLASSES, ["s1"] * 40, n_boot=20, copy_of=list(range(40)))
    assert "distinct_films" not in ps["s1"] and "distinct_per_class" not in ps["s1"]


def test_numbers_in_group_names_are_ascii_digits_only():
    """'site ٣' (an Arabic-Indic 3) is text: it sorts as text, after 'site 10', not as the number 3."""
    assert natural_order(["site ٣", "site 10"]) == ["site 10", "site ٣"]


def test_a_source_is_judged_against_the_overall_figures_under_the_same_rule():
    """Under the rule 'COVID whenever p(COVID) >= 0.3' s2's COVID films (p 0.35) are found and s1's (p 0.2) are not:
    s1 is below the overall COVID sensitivity of 2/3. Held against the most probable class overall (0 COVID films
    found), it was not."""
    y = np.array(([0] * 20 + [1] * 20) * 2)
    p_covid = np.r_[[0.2] * 20, [0.1] * 20, [0.35] * 20, [0.1] * 20]
    ps = per_source(y, np.stack([p_covid, 1 - p_covid], axis=1), CLASSES, ["s1"] * 40 + ["s2"] * 40, n_boot=20,
                    rule=(0, 0.3))
    assert ps["s1"]["classes_below"] == ["COVID"] and ps["s1"]["below_overall"]


def test_a_source_of_one_class_has_no_balanced_accuracy_in_json_and_its_sensitivity_in_the_table():
    """Source s1 holds 25 COVID films, every one answered COVID: per_source gave it balanced_accuracy 1.0 (H66), which
    a script reading report.json took for a model that tells the classes apart there. Null, with the reason; the
    table still shows s1's COVID sensitivity, and still marks a source of one class below the overall figure."""
    y = np.r_[np.zeros(25, int), np.zeros(20, int), np.ones(20, int)]
    said = _said([0] * 25 + [1] * 20 + [1] * 20)  # s2's COVID films all missed
    ps = per_source(y, said, CLASSES, ["s1"] * 25 + ["s2"] * 40, n_boot=20)
    assert ps["s1"]["balanced_accuracy"] is None and ps["s1"]["balanced_accuracy_ci"] == [None, None]
    assert ps["s1"]["balanced_accuracy_no_value"].startswith("one class present (COVID films only)")
    assert ps["s2"]["balanced_accuracy"] == 0.5 and "balanced_accuracy_no_value" not in ps["s2"]
    row = next(line for line in per_source_section(ps, CLASSES) if line.startswith("| s1 |"))
    assert "COVID sensitivity 100.0 (" in row
    only_s2 = per_source(y[25:45], said[25:45], CLASSES, ["s2"] * 20, n_boot=20)  # s2's 20 COVID films, all missed
    overall = {"balanced_accuracy": 0.75, "balanced_accuracy_ci": [0.6, 0.9], "classes_present": CLASSES,
               "per_class": [{"class": "COVID", "sensitivity": 0.6}, {"class": "Normal", "sensitivity": 1.0}]}
    assert "**below**" in note(only_s2["s2"], overall)
