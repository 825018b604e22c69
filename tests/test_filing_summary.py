"""The summary train.file_by_label prints (train.filing), from what a run did: rows filed twice alike, and films an
earlier run filed that could not be taken out (left to the user by hand, and an exit of 1)."""

from __future__ import annotations

from pathlib import Path

from train.filing import Filing, summary


def test_films_of_two_alike_rows_are_said_filed_once_and_two_labels_in_no_class():
    alike = "\n".join(summary(Filing(filed={"A": 2}, twice=["p1.png"]), Path("labels.csv"), Path("out")))
    assert "1 film(s) named by two rows or more: p1.png; each with one label, filed once" in alike
    two = "\n".join(summary(Filing(filed={"A": 2}, twice=["p1.png"], conflicting=["p1.png"]), Path("labels.csv"),
                            Path("out")))
    assert "1 of them with different labels, filed in no class: p1.png" in two


def test_films_that_could_not_be_taken_out_are_said_and_count_as_left_out():
    filing = Filing(filed={"B": 1}, stale_left=["A/p1.png"])
    lines = summary(filing, Path("labels.csv"), Path("out"))
    assert any("could not be taken out: A/p1.png; remove them by hand" in line for line in lines)
    assert filing.left_out() == 1
