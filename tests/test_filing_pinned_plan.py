"""train.filing_plan pinned by hand mutants the other filing tests let live: a cell without a suffix names the film
of that stem and an image suffix only, and a placeholder label ('todo') is no class folder of OUT to search."""

from __future__ import annotations

import os

from tests.filing_films import export_sheet, file_into


def test_a_cell_without_a_suffix_names_the_film_not_a_note_of_its_stem(tmp_path, capsys):
    sheet = export_sheet(tmp_path / "export", "filename,label\np0,Normal\np1.png,Normal\np2.png,COVID\n")
    (tmp_path / "export" / "p0.txt").write_text("a note on p0")
    rc, said, err = file_into(sheet, tmp_path / "out", capsys)
    assert rc == 0 and "ambiguous" not in said, said + err
    assert (tmp_path / "out" / "Normal" / "p0.png").exists()


def test_a_users_link_in_a_folder_named_for_a_placeholder_label_is_never_taken_out(tmp_path, capsys):
    sheet = export_sheet(tmp_path / "export", "filename,label\np0.png,todo\np1.png,Normal\np2.png,COVID\n")
    out = tmp_path / "out"
    (out / "todo").mkdir(parents=True)
    os.link(tmp_path / "export" / "p0.png", out / "todo" / "p0.png")  # the user's own, no record: not this command's
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 0 and (out / "todo" / "p0.png").exists(), said + err
