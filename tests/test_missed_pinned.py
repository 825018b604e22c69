"""Pinned cases of convert.missed (where a class's missed films went, and the advice for misses from new sources),
one per hand mutant that the existing tests let live; pure calls with hand-built summaries and counts."""

from __future__ import annotations

from convert.missed import mostly_missed


def test_a_class_is_mostly_missed_from_ten_films_and_under_half_found():
    rows = [{"support": 10, "sensitivity": 0.4},   # 10 films, under half: advised
            {"support": 9, "sensitivity": 0.0},    # too few films
            {"support": 10, "sensitivity": 0.5},   # half found: not mostly missed
            {"support": 20, "sensitivity": None},  # nothing to judge (no films of it scored)
            {"support": 10, "sensitivity": 0.55}]
    assert mostly_missed({"per_class": rows}) == {0}


def test_source_counts_rank_by_films_then_name_and_count_the_rest_in_words():
    from convert.missed import source_counts

    assert source_counts({"b": 2, "a": 2, "c": 5, "d": 1, "e": 1}) == "c: 5, a: 2, b: 2 and 2 more sources"
    assert source_counts({"b": 2, "a": 2, "c": 5, "d": 1}) == "c: 5, a: 2, b: 2 and 1 more source"
    assert source_counts({"b": 2, "a": 2, "c": 5}) == "c: 5, a: 2, b: 2"


def test_new_source_advice_gives_each_share_its_own_advice_and_count():
    from convert.missed import NEW_SITE, SAME_SOURCE, new_source_advice

    assert new_source_advice(5, {"x": 3, "y": 2}, 0) == (" All 5 missed films come from sources the model was never "
                                                         "trained on (x: 3, y: 2): " + NEW_SITE)
    assert new_source_advice(5, {"x": 3}, 0) == (
        " 3 of the 5 missed films come from a source the model was never trained on (x: 3): for them, " + NEW_SITE
        + " The other 2 name a source it was trained on, or none: they " + SAME_SOURCE)
    assert new_source_advice(4, {"x": 3}, 2).endswith(
        " The other 1 names a source it was trained on, or none, and the model was trained or validated on 2 films of "
        "this folder (left out or marked above): it " + SAME_SOURCE)


def test_the_devices_missed_films_line_names_its_file_and_its_stored_rule():
    from convert.missed import device_misses

    classes = ["COVID", "Normal", "Other"]
    cm = [[8, 2, 0], [1, 9, 0], [0, 0, 10]]
    assert device_misses({"int8": {"confusion_matrix": cm, "decision": {"class": "COVID"}}}, "int8", classes) == [
        "Where each class's missed test films went (`model_int8.tflite`, most probable class; its stored rule changes "
        "them, see below): COVID films missed: 2 of 10 (called Normal 2); Normal films called another class: 1 of 10 "
        "(called COVID 1).", ""]
    assert device_misses({"int8": {"confusion_matrix": cm}}, "int8", classes)[0].startswith(
        "Where each class's missed test films went (`model_int8.tflite`, most probable class): COVID")
    assert device_misses({"int8": {"confusion_matrix": cm}}, None, classes) == []  # no device file named
    assert device_misses({"int8": {"confusion_matrix": cm}}, "float32", classes) == []
    assert device_misses({"int8": {"confusion_matrix": [[8, 2], [1, 9]]}}, "int8", ["COVID", "Normal"]) == []
    odd = device_misses({"int8": {"confusion_matrix": cm}}, "int8", ["*x*", "Normal", "Other"])[0]
    assert "\\*x\\* films missed: 2 of 10" in odd and "*x* films" not in odd  # a folder's name, text in report.md


def _summary(cm: list[list[int]]) -> dict:
    rows = [{"support": sum(r), "sensitivity": r[k] / sum(r) if sum(r) else None} for k, r in enumerate(cm)]
    return {"confusion_matrix": cm, "per_class": rows}


CLASSES = ["COVID", "Normal", "Other"]
CM = [[3, 9, 0], [0, 12, 0], [0, 0, 12]]  # COVID mostly called Normal


def test_a_rule_on_the_missed_class_above_one_in_k_is_the_first_suspect_though_under_a_half():
    from convert.missed import missed_classes

    [line] = missed_classes(_summary(CM), CLASSES, rule=(0, 0.4))
    assert line.startswith("COVID films here were mostly called Normal: 3 of 12 films called COVID; 9 called Normal.")
    assert "a COVID film is called COVID only when its COVID probability reaches 0.4, so the rule's threshold" in line
    [low] = missed_classes(_summary(CM), CLASSES, rule=(0, 0.3))  # under 1/3: the most probable class missed them too
    assert "rule's threshold" not in low


def test_internal_films_of_a_folder_the_model_saw_get_the_seen_advice_not_the_archives_one():
    from convert.missed import missed_classes

    [line] = missed_classes(_summary(CM), CLASSES, seen_films=4, design="internal")
    assert "The model was trained or validated on 4 films of this folder (left out or marked above)" in line
    assert "has not learnt to tell" not in line
    [own] = missed_classes(_summary(CM), CLASSES, design="internal")
    assert "it has not learnt to tell COVID apart on its own archives" in own
