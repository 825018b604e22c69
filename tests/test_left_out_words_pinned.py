"""convert.left_out_words pinned where a small change to report.md's "Classes left out" or its stderr line went unseen
(hand mutation testing: each test here failed with one such change to answers_section, answers_line or _share in
place, which the tests of tests/test_left_out.py and the other fast tests of it let through)."""

from __future__ import annotations

import numpy as np

from convert.left_out import answers_by_folder
from convert.left_out_words import answers_line, answers_section

LABELS = ["COVID", "Normal"]


def _answers(folders: list[str], called: list[int], **kw) -> dict:
    probs = np.eye(2)[called]
    return answers_by_folder(folders, probs, LABELS, **kw)


def test_counts_of_thousands_of_films_read_with_a_separator():
    """Every count of report.md's section reads 1,234: the films called, flagged, seen in training."""
    a = _answers(["Viral"] * 1500, [0] * 1200 + [1] * 300, unlikeness=np.full(1500, 2.0), seen={"Viral": 2000})
    md = "\n".join(answers_section(a, LABELS))
    assert "| Viral | 1,500 | 1,200 (80%, 78-82) | 300 (20%, 18-22) | 1,500 |" in md
    assert "as films the model was trained or validated on (the same films or copies): 2,000 of Viral." in md


def test_a_check_that_flagged_no_film_still_has_its_column_and_by_source_rows_keep_the_table_square():
    """A folder the input check flagged none of: the column says 0, not missing (no check at all: no column); the rows
    split by source get an empty cell in it, as many cells as the header."""
    a = _answers(["Viral"] * 4, [0, 0, 1, 1], unlikeness=np.zeros(4), sources=["s1", "s1", "s2", "s2"])
    md = answers_section(a, LABELS)
    assert "flagged by the input check" in md[4] and md[6].endswith("| 0 |")
    assert md[7].count("|") == md[4].count("|") == md[6].count("|")
    assert "flagged" not in "\n".join(answers_section(_answers(["Viral"] * 4, [0, 0, 1, 1]), LABELS))


def test_seen_films_kept_are_said_to_be_among_the_answers():
    a = _answers(["Viral"] * 4, [0, 0, 1, 1], seen={"Viral": 2}, seen_kept=True)
    assert ("Among these films, ones the model was trained or validated on (the same films or copies): 2 of Viral. "
            "Their answers flatter it (--keep-seen kept them).") in "\n".join(answers_section(a, LABELS))


def test_only_folders_with_files_not_read_are_named_as_not_read():
    a = _answers(["Viral", "Viral", "Bacterial"], [0, 1, 1], unreadable={"Viral": 1})
    assert "Not read: 1 file of Viral (stderr gives each reason)." in answers_section(a, LABELS)[-2]


def test_the_models_own_classes_left_out_are_named_in_the_plural_and_other_folders_only_when_there_are_some():
    both = answers_section(_answers(["COVID", "Normal"], [0, 1]), LABELS)[2]
    assert both.startswith("These films are in no figure above. COVID, Normal: the model's own classes, left out with "
                           "--class-map FOLDER=-, so their sensitivity is not measured. In use")
    one = answers_section(_answers(["COVID", "Viral"], [0, 1]), LABELS)[2]
    assert "COVID: the model's own class, left out with --class-map FOLDER=-, so its sensitivity is not measured; the " \
           "other folders: the model has no answer for their class." in one


def test_a_folder_of_which_no_film_was_read_gives_counts_not_shares_on_stderr():
    a = _answers(["Viral"], [0], unreadable={"Bacterial": 2})
    assert answers_line("Bacterial", a["Bacterial"], LABELS).startswith("Bacterial (0 films, left out of the figures) "
                                                                        "called COVID 0, Normal 0")


def test_the_stderr_line_says_seen_films_kept_as_among_them_and_the_section_names_the_film_list():
    a = _answers(["Viral"] * 4, [0, 0, 1, 1], seen={"Viral": 1500}, seen_kept=True)
    assert answers_line("Viral", a["Viral"], LABELS).endswith("; 1,500 of them seen in training (--keep-seen)")
    assert ", and left_out.csv lists them film by film." in answers_section(a, LABELS, csv_name="left_out.csv")[2]
