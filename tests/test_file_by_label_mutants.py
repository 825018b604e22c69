"""train.file_by_label pinned (hand mutation testing, session 71): a sheet's blank row is no row left out, a cell
without its film's suffix finds a film whose suffix is upper case, a label of dots is filed inside OUT (never OUT/..),
a bare name two films share is ambiguous (not the sheet folder's own), and --out as a link to the sheet's folder is
refused."""

from __future__ import annotations

import os
from pathlib import Path

from train.file_by_label import main


def _sheet(root: Path, rows: str) -> Path:
    root.mkdir(exist_ok=True)
    sheet = root / "labels.csv"
    sheet.write_text("filename,label\n" + rows, encoding="utf-8")
    return sheet


def test_a_blank_row_is_no_row_left_out(tmp_path):
    root = tmp_path / "export"
    sheet = _sheet(root, "p1.png,COVID\n,\np2.png,Normal\n")
    (root / "p1.png").write_bytes(b"1")
    (root / "p2.png").write_bytes(b"2")
    assert main([str(sheet), "--out", str(tmp_path / "out")]) == 0


def test_a_cell_without_the_suffix_finds_a_film_whose_suffix_is_upper_case(tmp_path):
    root = tmp_path / "export"
    sheet = _sheet(root, "p1,COVID\n")
    (root / "p1.PNG").write_bytes(b"1")
    assert main([str(sheet), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "COVID" / "p1.PNG").is_file()


def test_a_label_of_dots_is_filed_inside_out(tmp_path):
    root = tmp_path / "export"
    sheet = _sheet(root, "p1.png,..\n")
    (root / "p1.png").write_bytes(b"1")
    main([str(sheet), "--out", str(tmp_path / "out")])
    assert (tmp_path / "out" / "__" / "p1.png").is_file() and not (tmp_path / "p1.png").exists()


def test_a_bare_name_two_films_share_is_ambiguous(tmp_path):
    root = tmp_path / "export"
    sheet = _sheet(root, "p1.png,COVID\n")
    (root / "sub").mkdir()
    (root / "p1.png").write_bytes(b"1")
    (root / "sub" / "p1.png").write_bytes(b"2")
    assert main([str(sheet), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out" / "COVID").exists()


def test_out_as_a_link_to_the_sheets_folder_is_refused(tmp_path):
    root = tmp_path / "export"
    sheet = _sheet(root, "p1.png,COVID\n")
    (root / "p1.png").write_bytes(b"1")
    os.symlink(root, tmp_path / "link")
    assert main([str(sheet), "--out", str(tmp_path / "link")]) == 2
