"""train.sheet_views pinned by hand mutants the filing tests let live: PadChest's Projection column read, a view in
any case or with punctuation ('lateral', 'L.') and an oblique one (RAO) left out, a frontal value holding an L
('COSTAL') filed."""

from __future__ import annotations

from tests.filing_films import export_sheet, file_into

SHEET = ("filename,label,Projection\np0.png,Normal,lateral\np1.png,Normal,L.\np2.png,COVID,COSTAL\n"
         "p3.png,COVID,RAO\n")


def test_only_the_frontal_film_of_a_projection_column_is_filed(tmp_path, capsys):
    sheet = export_sheet(tmp_path / "export", SHEET, ("p0.png", "p1.png", "p2.png", "p3.png"))
    out = tmp_path / "out"
    rc, said, err = file_into(sheet, out, capsys)
    filed = sorted(str(p.relative_to(out)) for p in out.rglob("*.png"))
    assert filed == ["COVID/p2.png"], said + err
