"""Review 72v of file_by_label: a sheet filed with --file-column on cells without a suffix (pid: p001) lost its films'
record lines to a second sheet naming them, which then said on every run to remove a film the first still files; and
a label cxr-train passes over as a folder name (Masks, lost+found, MANIFEST.csv) was filed with exit 0 and its films
never trained on."""

from __future__ import annotations

import os

from tests.filing_films import export_sheet, file_into, run_filing
from train.filed_record import read_record


def test_a_sheet_filed_by_a_column_without_suffixes_keeps_its_lines(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    export_sheet(export, "x\n", ("p001.png", "p002.png", "p003.png"))
    (export / "A.csv").write_text("pid,label\np001,Normal\np002,COVID\n")
    (export / "B.csv").write_text("filename,label\np001.png,Normal\np003.png,COVID\n")
    a = [str(export / "A.csv"), "--out", str(out), "--file-column", "pid"]
    assert run_filing(a, capsys)[0] == 0 and file_into(export / "B.csv", out, capsys)[0] == 0
    (export / "B.csv").write_text("filename,label\np003.png,COVID\n")  # B's p001 row removed; A still files it
    rc, said, err = file_into(export / "B.csv", out, capsys)
    assert rc == 0, said + err  # was exit 1: 'remove each by hand: Normal/p001.png'
    assert os.path.basename(read_record(out)["Normal/p001.png"].sheet) == "A.csv"
    assert (out / "Normal" / "p001.png").is_file() and run_filing(a, capsys)[0] == 0


def test_a_label_cxr_train_passes_over_as_a_folder_is_filed_where_it_reads_it(tmp_path, capsys):
    from train.class_folders import class_folder_names

    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, "filename,label\np0.png,Masks\np1.png,Masks\np2.png,Normal\n")
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 0, said + err
    assert "label Masks filed as _Masks" in said
    assert sorted(class_folder_names(out)) == ["Normal", "_Masks"]  # was ['Normal']: Masks/ passed over
