"""A class folder of OUT the sheet still gives, replaced by a file: the run stopped with "OUT/Normal/a.png: File
exists; free the space or mend the cause", naming the film and blaming the disk (review 72v). The file is named as
what it is, and what to do."""

from __future__ import annotations

from tests.filing_films import export_sheet, file_into


def test_a_class_folder_that_is_a_file_is_said_so(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, "filename,label\np0.png,Normal\np1.png,COVID\n")
    out.mkdir()
    (out / "Normal").write_text("not a folder")
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1
    assert f"{out / 'Normal'} is a file, not a class folder: move it aside" in err, err
    assert "File exists" not in err and (out / "Normal").read_text() == "not a folder"
