"""A film renamed in the export (its row still naming the old name, said not found), then the sheet renamed
(labels.csv made labels_v2.csv), then the film's row removed, then the export moved: the sheet's filed lines took
the new sheet's name on the run after the rename, but the film not found kept the old one, which named no sheet in
the moved export; its filing was taken for another sheet's and left in its class with exit 0 (fuzz seed 100288)."""

from __future__ import annotations

import os

from tests.filing_films import export_sheet, file_into

SHEET = "filename,label\np0.png,COVID\np1.png,Normal\np2.png,Normal\n"


def test_a_renamed_sheets_not_found_film_is_said_after_its_row_went_and_the_export_moved(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, SHEET)
    assert file_into(sheet, out, capsys)[0] == 0
    os.rename(export / "p2.png", export / "p2_r.png")  # re-exported under a new name, its row not mended
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and "p2.png" in said, said + err
    sheet.rename(export / "labels_v2.csv")  # the sheet saved under a new name
    sheet = export / "labels_v2.csv"
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and "p2.png" in said, said + err
    sheet.write_text(SHEET.replace("p2.png,Normal\n", ""))  # its row removed
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and "Normal/p2.png" in said, said + err
    os.rename(export, tmp_path / "export2")  # the export moved
    rc, said, err = file_into(tmp_path / "export2" / "labels_v2.csv", out, capsys)
    assert rc == 1 and "no row of the sheet names now" in said and "Normal/p2.png" in said, said + err
    assert (out / "Normal" / "p2.png").exists()  # said, never removed
