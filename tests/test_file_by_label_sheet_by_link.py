"""One sheet reached by two paths on two runs (current -> export-2026-12, a mount seen through another path): the
record names the sheet by the path of its first run, and other_sheets took the second run's sheet for another one,
so a film whose row was removed was left in its class, exit 0 (mutation review 72f2)."""

from __future__ import annotations

from tests.filing_films import export_sheet, file_into

SHEET = "filename,label\np0.png,COVID\np1.png,Normal\np2.png,Normal\n"


def test_a_removed_rows_film_is_said_when_the_sheet_is_reached_through_a_link(tmp_path, capsys):
    export, out = tmp_path / "export-2026-12", tmp_path / "out"
    sheet = export_sheet(export, SHEET)
    (tmp_path / "current").symlink_to(export)
    assert file_into(sheet, out, capsys)[0] == 0
    sheet.write_text(SHEET.replace("p2.png,Normal\n", ""))
    rc, said, err = file_into(tmp_path / "current" / "labels.csv", out, capsys)
    assert rc == 1 and "no row of the sheet names now" in said and "Normal/p2.png" in said, said + err
    assert (out / "Normal" / "p2.png").exists()  # said, never removed


def test_a_relabelled_film_moves_when_the_sheet_is_reached_through_a_link(tmp_path, capsys):
    export, out = tmp_path / "export-2026-12", tmp_path / "out"
    sheet = export_sheet(export, SHEET)
    (tmp_path / "current").symlink_to(export)
    assert file_into(tmp_path / "current" / "labels.csv", out, capsys)[0] == 0
    sheet.write_text(SHEET.replace("p2.png,Normal", "p2.png,COVID"))
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 0, said + err
    assert (out / "COVID" / "p2.png").exists() and not (out / "Normal" / "p2.png").exists()
