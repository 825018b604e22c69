"""train.sheet_walk pinned by hand mutants the other filing tests let live: the folders searched for a sheet's films
pass over hidden, mask and system folders and a link up out of the export, follow a link to a folder beside it whose
name begins the export's, and go in a fixed order (a film reached by two links named by the first)."""

from __future__ import annotations

import pytest

from tests.filing_films import export_sheet, file_into, film_at
from train.filed_record import read_record

SHEET = "filename,label\np0.png,Normal\np1.png,Normal\np2.png,COVID\n"


@pytest.mark.parametrize("folder", [".cache", "lung masks", "__MACOSX"])
def test_a_film_of_the_same_name_in_a_passed_over_folder_is_no_second_film(tmp_path, capsys, folder):
    sheet = export_sheet(tmp_path / "export", SHEET)
    film_at(tmp_path / "export" / folder / "p0.png", 50)
    rc, said, err = file_into(sheet, tmp_path / "out", capsys)
    assert rc == 0 and "ambiguous" not in said, said + err


def test_a_link_up_out_of_the_export_is_not_walked(tmp_path, capsys):
    sheet = export_sheet(tmp_path / "export", SHEET)
    film_at(tmp_path / "old" / "p0.png", 50)  # beside the export: reached only by the link up
    (tmp_path / "export" / "up").symlink_to("..")
    rc, said, err = file_into(sheet, tmp_path / "out", capsys)
    assert rc == 0 and "ambiguous" not in said, said + err


def test_a_linked_folder_beside_the_export_whose_name_begins_its_name_is_walked(tmp_path, capsys):
    export = tmp_path / "export"
    for i in range(3):
        film_at(tmp_path / "exp" / f"p{i}.png", i)  # 'export' begins with 'exp': beside it, not above it
    export.mkdir()
    (export / "batch2").symlink_to(tmp_path / "exp")
    (export / "labels.csv").write_text(SHEET)
    rc, said, err = file_into(export / "labels.csv", tmp_path / "out", capsys)
    assert rc == 0 and "no film found" not in said, said + err
    assert (tmp_path / "out" / "Normal" / "p0.png").exists()


def test_a_film_reached_by_several_links_is_named_by_the_first_in_order(tmp_path, capsys):
    export = tmp_path / "export"
    for i in range(3):
        film_at(tmp_path / "store" / f"p{i}.png", i)
    export.mkdir()
    links = ["m", "c", "x", "a", "q", "f", "z", "b", "k", "e"]
    for name in links:
        (export / name).symlink_to(tmp_path / "store")
    (export / "labels.csv").write_text(SHEET)
    assert file_into(export / "labels.csv", tmp_path / "out", capsys)[0] == 0
    assert read_record(tmp_path / "out")["Normal/p0.png"].sheet_path == str(export / "a" / "p0.png")
