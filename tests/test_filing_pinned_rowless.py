"""train.rowless_filings pinned by hand mutants the other filing tests let live: a left-out row whose film is gone
names its old filing however its cell spells the film (no suffix, a Windows path), said as that row's."""

from __future__ import annotations

import pytest

from tests.filing_films import export_sheet, file_into

SHEET = "filename,label\n{cell},Normal\np1.png,Normal\np2.png,COVID\n"


@pytest.mark.parametrize("cell,film", [("p0", "p0.png"), ("images\\p0.png", "images/p0.png")])
def test_a_left_out_rows_gone_film_is_said_as_that_rows_however_its_cell_spells_it(tmp_path, capsys, cell, film):
    sheet = export_sheet(tmp_path / "export", SHEET.format(cell=cell), (film, "p1.png", "p2.png"))
    out = tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0 and (out / "Normal" / "p0.png").exists()
    (tmp_path / "export" / film).unlink()
    sheet.write_text(SHEET.format(cell=cell).replace(f"{cell},Normal", f"{cell},todo"))
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and "filed from the film of a row that now leaves it out" in said, said + err
    assert (out / "Normal" / "p0.png").exists()
