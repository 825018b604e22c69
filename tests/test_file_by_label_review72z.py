"""Review 72z of file_by_label's record hand-over: a patient column's P001 counted as naming P001.png (a cell without
a suffix, read in any column), so the film stayed the first sheet's after its row moved to the second, and the first
said on every run to remove it by hand; and a sheet renamed in the export (test_labels.csv made test_v2.csv) had its
lines taken by another sheet of the folder run first, so test_v2.csv then kept a removed row's film with exit 0."""

from __future__ import annotations

import os

from tests.filing_films import export_sheet, file_into, film_at
from train.filed_record import read_record


def _sheets(record) -> dict[str, str]:
    return {rel: os.path.basename(e.sheet) for rel, e in sorted(record.items())}


def test_a_patient_cell_names_no_film(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    export_sheet(export, "x\n", ("P001.png", "P001_2.png", "P002.png"))
    (export / "train_labels.csv").write_text("filename,label,patient\nP001.png,COVID,P001\nP001_2.png,COVID,P001\n"
                                             "P002.png,Normal,P002\n")
    assert file_into(export / "train_labels.csv", out, capsys)[0] == 0
    (export / "train_labels.csv").write_text("filename,label,patient\nP001_2.png,COVID,P001\nP002.png,Normal,P002\n")
    (export / "test_labels.csv").write_text("filename,label,patient\nP001.png,COVID,P001\n")  # its row moved
    assert file_into(export / "test_labels.csv", out, capsys)[0] == 0
    assert _sheets(read_record(out))["COVID/P001.png"] == "test_labels.csv"  # was train_labels.csv's still
    rc, said, err = file_into(export / "train_labels.csv", out, capsys)
    assert rc == 0, said + err  # was exit 1: 'remove each by hand: COVID/P001.png'


def test_another_sheets_renamed_lines_stay_its_own(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    for i in range(4):
        film_at(export / f"p{i}.png", i)
    (export / "train_labels.csv").write_text("filename,label\np0.png,COVID\np1.png,Normal\n")
    (export / "test_labels.csv").write_text("filename,label\np2.png,COVID\np3.png,Normal\n")
    assert file_into(export / "train_labels.csv", out, capsys)[0] == 0
    assert file_into(export / "test_labels.csv", out, capsys)[0] == 0
    os.rename(export / "test_labels.csv", export / "test_v2.csv")
    file_into(export / "train_labels.csv", out, capsys)  # says test's films (a sheet gone: any sheet's)
    assert _sheets(read_record(out))["Normal/p3.png"] == "test_labels.csv"  # was handed to train_labels.csv
    (export / "test_v2.csv").write_text("filename,label\np2.png,COVID\n")  # p3's row removed
    rc, said, err = file_into(export / "test_v2.csv", out, capsys)
    assert rc == 1 and "Normal/p3.png" in said, said + err  # was exit 0, p3 left in Normal
    assert (out / "Normal" / "p3.png").exists()
