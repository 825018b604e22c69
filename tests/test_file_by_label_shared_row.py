"""Two sheets of one export that both name a film with one label (train_labels.csv and test_labels.csv sharing a
row), filed into one OUT: the film's record line stays the first sheet's while that sheet names it. Handed to the
second on its run, the second's row then removed made the second say "no row of the sheet names now ... remove each
by hand" (exit 1) of a film the first sheet still files (review 72x); which sheet ran last decided it."""

from __future__ import annotations

from tests.filing_films import export_sheet, file_into
from train.filed_record import read_record

TRAIN = "filename,label\np0.png,COVID\np1.png,COVID\np2.png,Normal\n"


def _filed_by_both(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    export_sheet(export, TRAIN)
    (export / "labels.csv").rename(export / "train_labels.csv")
    (export / "test_labels.csv").write_text("filename,label\np0.png,COVID\n")  # the row both sheets have
    assert file_into(export / "train_labels.csv", out, capsys)[0] == 0
    assert file_into(export / "test_labels.csv", out, capsys)[0] == 0
    return export, out


def test_a_shared_rows_film_stays_the_first_sheets_while_it_names_it(tmp_path, capsys):
    export, out = _filed_by_both(tmp_path, capsys)
    assert read_record(out)["COVID/p0.png"].sheet == str(export / "train_labels.csv")  # was handed to test_labels.csv


def test_the_shared_row_removed_from_the_second_sheet_is_no_failure(tmp_path, capsys):
    export, out = _filed_by_both(tmp_path, capsys)
    (export / "test_labels.csv").write_text("filename,label\n")  # the shared row removed from test_labels.csv alone
    rc, said, err = file_into(export / "test_labels.csv", out, capsys)
    assert rc != 1 or "no row of the sheet names now" not in said + err
    assert (out / "COVID" / "p0.png").is_file()  # train_labels.csv still files it
    assert file_into(export / "train_labels.csv", out, capsys)[0] == 0


def test_the_shared_row_removed_then_the_second_run_is_quiet(tmp_path, capsys):
    export, out = _filed_by_both(tmp_path, capsys)
    (export / "test_labels.csv").write_text("filename,label\np1.png,COVID\n")  # p0's row gone, p1's added
    rc, said, err = file_into(export / "test_labels.csv", out, capsys)
    assert rc == 0, said + err
