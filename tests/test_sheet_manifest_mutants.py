"""Cases hand mutation testing of train.sheet_manifest found unpinned (session 70): a sheet's unnamed and alike-named
columns, a column spelt otherwise in the manifest there, the columns the closing line lists, and a film moved that
has no row to follow it (the manifest there left as it is, nothing said)."""

from __future__ import annotations

from tests.test_file_by_label_manifest import _film, _run
from train.manifest import read_manifest


def test_unnamed_and_alike_named_columns_are_kept_apart(tmp_path, capsys):
    """A column without a name that holds values is kept by its place, one of spaces only is not; 'Scanner' and
    'scanner', and a 'File' beside the file column, are made apart (_2): the reader tells columns by name."""
    for k in range(2):
        _film(tmp_path / "export" / f"{k}.png", k)
    sheet = tmp_path / "export" / "labels.csv"
    sheet.write_text("filename,label,,Scanner,scanner,File, \n0.png,COVID,x,GE,ge,a.dcm, \n1.png,Normal,,Canon,,b.dcm, \n")
    out = tmp_path / "out"
    assert _run([str(sheet), "--out", str(out)], capsys)[0] == 0
    columns, rows = read_manifest(out)
    assert columns == ["file", "column 3", "Scanner", "scanner_2", "File_2"]
    assert rows.get("COVID/0.png") == {"file": "COVID/0.png", "column 3": "x", "Scanner": "GE", "scanner_2": "ge",
                                       "File_2": "a.dcm"}


def test_a_sheets_column_goes_in_the_column_of_the_manifest_there_spelt_otherwise(tmp_path, capsys):
    _film(tmp_path / "export" / "a.png", 0)
    out = tmp_path / "out"
    _film(out / "Normal" / "z.png", 1)
    (out / "MANIFEST.csv").write_text("file,scanner\nNormal/z.png,Canon\n")
    (tmp_path / "export" / "labels.csv").write_text("filename,label,SCANNER\na.png,COVID,GE\n")
    assert _run([str(tmp_path / "export" / "labels.csv"), "--out", str(out)], capsys)[0] == 0
    assert (out / "MANIFEST.csv").read_text() == "file,scanner\nNormal/z.png,Canon\nCOVID/a.png,GE\n"


def test_the_closing_line_lists_eight_columns_and_says_there_are_more(tmp_path, capsys):
    _film(tmp_path / "export" / "a.png", 0)
    names = [f"c{k}" for k in range(1, 10)]
    (tmp_path / "export" / "labels.csv").write_text(",".join(["filename", "label", *names]) + "\na.png,COVID,"
                                                    + ",".join(names) + "\n")
    said = _run([str(tmp_path / "export" / "labels.csv"), "--out", str(tmp_path / "out")], capsys)[1]
    assert "with the sheet's other columns (c1, c2, c3, c4, c5, c6, c7, c8, ...)" in said, said


def test_a_film_moved_without_a_row_leaves_the_manifest_there_as_it_is(tmp_path, capsys):
    """A bare sheet relabels a film the manifest there (written by hand, ';' between columns) has no row for: nothing
    for it to follow, so the manifest is not rewritten and nothing is said of it."""
    for name in ("a", "b"):
        _film(tmp_path / "export" / f"{name}.png", ord(name))
    sheet, out = tmp_path / "export" / "labels.csv", tmp_path / "out"
    sheet.write_text("filename,label\na.png,COVID\nb.png,Normal\n")
    assert _run([str(sheet), "--out", str(out)], capsys)[0] == 0
    (out / "MANIFEST.csv").write_text("file;source\nNormal/b.png;site1\n")
    sheet.write_text("filename,label\na.png,Normal\nb.png,Normal\n")
    rc, said, _ = _run([str(sheet), "--out", str(out)], capsys)
    assert rc == 0 and (out / "Normal" / "a.png").exists() and "MANIFEST" not in said, said
    assert (out / "MANIFEST.csv").read_text() == "file;source\nNormal/b.png;site1\n"
