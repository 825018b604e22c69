"""A sheet filed by its real path, then read through a link to its folder (current -> export), then its export
moved (current re-pointed): a film whose row was removed kept the real path in OUT/.filed.csv while the sheet's
other filings took the link's, so once the film was renamed in the moved export nothing proved its filing moved,
and it was left in its class with exit 0 (fuzz seed 18173)."""

from __future__ import annotations

import os

from tests.filing_films import export_sheet, file_into

SHEET = "filename,label\np0.png,COVID\np1.png,Normal\np2.png,Normal\n"


def _moved(tmp_path, export, link):
    """The export moved to export2, the link re-pointed to it."""
    os.rename(export, tmp_path / "export2")
    link.unlink()
    link.symlink_to(tmp_path / "export2")
    return tmp_path / "export2"


def test_a_removed_rows_film_is_said_after_the_export_moved_under_the_link(tmp_path, capsys):
    export, out, link = tmp_path / "export", tmp_path / "out", tmp_path / "current"
    sheet = export_sheet(export, SHEET)
    link.symlink_to(export)
    assert file_into(sheet, out, capsys)[0] == 0  # by its real path
    sheet.write_text(SHEET.replace("p2.png,Normal\n", ""))
    rc, said, err = file_into(link / "labels.csv", out, capsys)  # through the link now
    assert rc == 1 and "Normal/p2.png" in said, said + err
    os.rename(export / "p2.png", export / "p2_r.png")  # re-exported under a new name, no row for it
    _moved(tmp_path, export, link)
    rc, said, err = file_into(link / "labels.csv", out, capsys)
    assert rc == 1 and "no row of the sheet names now" in said and "Normal/p2.png" in said, said + err
    assert (out / "Normal" / "p2.png").exists()  # said, never removed


def test_a_renamed_sheets_removed_row_is_said_after_the_export_moved_under_the_link(tmp_path, capsys):
    export, out, link = tmp_path / "export", tmp_path / "out", tmp_path / "current"
    sheet = export_sheet(export, SHEET)
    link.symlink_to(export)
    assert file_into(sheet, out, capsys)[0] == 0  # by its real path
    sheet.unlink()  # saved under a new name, the row removed, and read through the link
    (export / "labels_v2.csv").write_text(SHEET.replace("p2.png,Normal\n", ""))
    rc, said, err = file_into(link / "labels_v2.csv", out, capsys)
    assert rc == 1 and "Normal/p2.png" in said, said + err
    os.rename(export / "p2.png", export / "p2_r.png")
    _moved(tmp_path, export, link)
    rc, said, err = file_into(link / "labels_v2.csv", out, capsys)
    assert rc == 1 and "no row of the sheet names now" in said and "Normal/p2.png" in said, said + err
    assert (out / "Normal" / "p2.png").exists()


def test_a_sheet_that_is_a_link_to_another_folders_sheet_keeps_that_folders_filings(tmp_path, capsys):
    """A/labels.csv a link to B/labels.csv, each folder its own films: A's run (its films other bytes than those
    filed, so not filed) re-recorded B's filings as A's films, and a later relabel in the shared sheet took B's film
    out as "a copy of its same bytes" that was none (review 73a). The same file by another folder is not the same
    sheet's place: B's lines are kept as B's."""
    a, b, out = tmp_path / "A", tmp_path / "B", tmp_path / "out"
    export_sheet(b, SHEET)
    export_sheet(a, "", seed=50)
    (a / "labels.csv").unlink()
    (a / "labels.csv").symlink_to(b / "labels.csv")
    assert file_into(b / "labels.csv", out, capsys)[0] == 0
    before = (out / ".filed.csv").read_text()
    assert file_into(a / "labels.csv", out, capsys)[0] == 1  # A's films have other bytes than those filed
    assert (out / ".filed.csv").read_text() == before
