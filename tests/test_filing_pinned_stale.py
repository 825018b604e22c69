"""train.stale_films pinned by hand mutants the other filing tests let live: the sheet's film itself, named by a
symbolic link into OUT, is never taken out; without a record a user's symbolic link of a film's name leading to
another file is left; a filing that stopped part way takes nothing out."""

from __future__ import annotations

import os
from pathlib import Path

from tests.filing_films import export_sheet, file_into, film_at
from train.filed_record import RECORD

SHEET = "filename,label\np0.png,Normal\np1.png,Normal\np2.png,COVID\n"


def _filed(tmp_path: Path, capsys) -> tuple[Path, Path]:
    sheet = export_sheet(tmp_path / "export", SHEET)
    out = tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0
    return sheet.parent, out


def test_a_film_the_sheet_names_by_a_link_into_out_is_never_taken_out(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys)
    (export / "p0.png").unlink()
    (export / "p0.png").symlink_to(out / "Normal" / "p0.png")  # deduplicated: the export's film now lives in OUT
    (export / "labels.csv").write_text(SHEET.replace("p0.png,Normal", "p0.png,COVID"))
    file_into(export / "labels.csv", out, capsys)
    assert (export / "p0.png").exists(), "the sheet's own film was removed"


def test_without_a_record_a_link_of_a_films_name_to_another_file_is_left(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys)
    (out / RECORD).unlink()  # an OUT filed by 0.54.0
    other = film_at(tmp_path / "mine" / "x.png", 9)
    (out / "COVID" / "p0.png").symlink_to(other)  # the user's own link, to another film
    file_into(export / "labels.csv", out, capsys)
    assert os.path.islink(out / "COVID" / "p0.png") and other.exists()


def test_a_filing_stopped_part_way_takes_nothing_out(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys)
    (out / "Zed").write_bytes(b"a file where the class folder goes")
    (export / "labels.csv").write_text("filename,label\np0.png,COVID\np1.png,Normal\np2.png,Zed\n")
    rc, said, _ = file_into(export / "labels.csv", out, capsys)
    assert rc == 1 and "stopped part way" in said
    assert (out / "Normal" / "p0.png").exists(), "a stopped filing took a film out"
