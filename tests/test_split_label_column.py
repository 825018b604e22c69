"""Which column of a sheet looks like its labels (train.split_labels.likely_label_column), where the one given holds
a split's names: 2 to 20 values, each shared by rows, none a film's name or a split's, the usual names first."""

from __future__ import annotations

from train.split_labels import likely_label_column, split_column_problem

NAMES = ("label", "class", "finding")


def _rows(*columns: list[str]) -> list[list[str]]:
    return [list(r) for r in zip(*columns)]


def test_a_column_of_classes_is_found_and_ids_films_splits_and_one_value_are_not():
    n = 8
    rows = _rows([f"p{i}.png" for i in range(n)], ["train"] * 6 + ["test"] * 2, [str(i) for i in range(n)],
                 ["x"] * n, ["q0.png", "q1.png"] * 4, ["COVID", "normal"] * 4)
    header = ["file", "split", "id", "site", "other", "diagnosis"]
    assert likely_label_column(header, rows, {"file", "split"}, NAMES) == "diagnosis"
    assert likely_label_column(header[:5], [r[:5] for r in rows], {"file"}, NAMES) is None


def test_a_named_column_comes_before_one_further_left_and_skipped_columns_are_passed_over():
    rows = _rows(["a", "b"] * 3, [" COVID ", "normal"] * 3)
    assert likely_label_column(["group", "Class"], rows, set(), NAMES) == "Class"
    assert likely_label_column(["group", "Class"], rows, {"Class"}, NAMES) == "group"


def test_values_are_counted_trimmed_and_more_than_twenty_or_each_on_one_row_are_no_classes():
    trimmed = _rows(["COVID", " COVID", "COVID ", "normal", "normal ", "normal"])
    assert likely_label_column(["finding"], trimmed, set(), NAMES) == "finding"
    many = _rows([f"c{i % 21}" for i in range(84)])
    assert likely_label_column(["finding"], many, set(), NAMES) is None
    twenty = _rows([f"c{i % 20}" for i in range(80)])
    assert likely_label_column(["finding"], twenty, set(), NAMES) == "finding"
    once = _rows(["COVID", "normal", "viral", "COVID"])  # 3 values of 4 rows: ids rather than classes
    assert likely_label_column(["finding"], once, set(), NAMES) is None
    assert likely_label_column(["finding"], _rows(["COVID", "normal"]), set(), NAMES) == "finding"  # a sheet of 2


def test_the_refusal_names_the_split_most_rows_give_and_the_column_to_give():
    header, rows = ["file", "split", "finding"], _rows([f"p{i}.png" for i in range(6)], ["test"] + ["train"] * 5,
                                                      ["COVID", "normal"] * 3)
    problem = split_column_problem(header, rows, "file", "split", NAMES)
    assert "a folder 'train' would hold every class mixed" in problem
    assert "its column 'finding' looks like the labels" in problem
    assert split_column_problem(header, rows, "file", "finding", NAMES) is None


def test_split_names_in_any_case_or_punctuation_are_refused_and_a_column_with_one_class_is_not():
    def problem(values: list[str]) -> str | None:
        rows = _rows([f"{i}" for i in range(len(values))], values, ["COVID", "normal"] * (len(values) // 2))
        return split_column_problem(["patientId", "label", "finding"], rows, "patientId", "label", NAMES)

    assert problem(["Train-Val", "TEST", "train", "test"]) is not None
    assert problem(["train", "holdout", "train", "holdout"]) is not None
    assert problem(["COVID", "test", "COVID", "test"]) is None  # a class among them: classes
    assert problem(["", " ", "", ""]) is None  # no label at all: the rows say so, not this


def test_the_file_column_is_never_offered_as_the_labels():
    rows = _rows(["a", "b"] * 3, ["train", "test"] * 3, ["x"] * 6)  # RSNA's patientId: no suffix, repeated
    assert "--label-column" in split_column_problem(["patientId", "split", "site"], rows, "patientId", "split", NAMES)
    assert "looks like the labels" not in split_column_problem(["patientId", "split", "site"], rows, "patientId",
                                                                "split", NAMES)
