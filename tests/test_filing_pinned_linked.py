"""A film in a linked sub-folder of the export (batch2 -> a store elsewhere) whose row was removed from the sheet:
its filing lies in the sheet's folder by the path the sheet gave it, and is said (exit 1), never left in its class
silently (train.rowless_filings.in_sheet_folder resolved the link, found the film outside the export, exit 0)."""

from __future__ import annotations

from tests.filing_films import file_into, film_at

SHEET = "filename,label\nbatch2/p0.png,Normal\nbatch2/p1.png,Normal\nbatch2/p2.png,COVID\n"


def test_a_removed_rows_film_in_a_linked_sub_folder_is_said_and_kept(tmp_path, capsys):
    export, store, out = tmp_path / "export", tmp_path / "store", tmp_path / "out"
    for i in range(3):
        film_at(store / f"p{i}.png", i)
    export.mkdir()
    (export / "batch2").symlink_to(store)
    sheet = export / "labels.csv"
    sheet.write_text(SHEET)
    assert file_into(sheet, out, capsys)[0] == 0 and (out / "Normal" / "p0.png").exists()
    sheet.write_text(SHEET.replace("batch2/p0.png,Normal\n", ""))
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and "no row of the sheet names now" in said and "Normal/p0.png" in said, said + err
    assert (out / "Normal" / "p0.png").exists() and (store / "p0.png").exists()
