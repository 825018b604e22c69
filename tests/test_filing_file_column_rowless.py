"""A sheet filed with --file-column png (cells p0, without a suffix) beside a default file column that names other
files (image: scan0.dcm, none in the export): read again by its default column to tell whether it still names a
film another sheet shares (train.rowless_filings.named_by_sheet), it named none, so the shared film's record line
was handed to train_labels.csv while test_labels.csv still filed it; p0's row then removed from train_labels.csv
was said "no row of the sheet names now ... remove each by hand" (exit 1) of a film test_labels.csv still files."""

from __future__ import annotations

from tests.filing_films import export_sheet, file_into, run_filing
from train.filed_record import read_record


def _both_filed(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    export_sheet(export, "x\n")
    (export / "labels.csv").unlink()
    (export / "test_labels.csv").write_text("image,png,label\nscan0.dcm,p0,COVID\n")
    (export / "train_labels.csv").write_text("filename,label\np0.png,COVID\np1.png,COVID\np2.png,Normal\n")
    test = [str(export / "test_labels.csv"), "--out", str(out), "--file-column", "png"]
    assert run_filing(test, capsys)[0] == 0
    assert file_into(export / "train_labels.csv", out, capsys)[0] == 0
    return export, out, test


def test_the_shared_films_line_stays_with_the_sheet_filed_by_its_given_column(tmp_path, capsys):
    export, out, _ = _both_filed(tmp_path, capsys)
    assert read_record(out)["COVID/p0.png"].sheet == str(export / "test_labels.csv")


def test_the_shared_row_removed_from_the_other_sheet_is_no_failure(tmp_path, capsys):
    export, out, test = _both_filed(tmp_path, capsys)
    (export / "train_labels.csv").write_text("filename,label\np1.png,COVID\np2.png,Normal\n")
    rc, said, err = file_into(export / "train_labels.csv", out, capsys)
    assert rc == 0, said + err
    assert (out / "COVID" / "p0.png").is_file()  # test_labels.csv still files it
    assert run_filing(test, capsys)[0] == 0


def test_a_film_neither_sheet_names_is_still_said(tmp_path, capsys):
    export, out, test = _both_filed(tmp_path, capsys)
    (export / "train_labels.csv").write_text("filename,label\np1.png,COVID\np2.png,Normal\n")
    assert file_into(export / "train_labels.csv", out, capsys)[0] == 0
    (export / "test_labels.csv").write_text("image,png,label\nscan1.dcm,p1,COVID\n")  # p0's row gone here too
    rc, said, err = run_filing(test, capsys)
    assert rc == 1 and "COVID/p0.png" in said + err
