"""A second review of file_by_label's OUT/.filed.csv (train.stale_films, train.unrecorded_films, train.film_places):
without a record only the sheet's class folders are searched (a hard-linked backup of the export in OUT was emptied);
a class folder that is a link out of OUT is not filed through; a film's unrecorded copy in another class is said;
another sheet's film found nowhere is no failure of this sheet; a recorded path now holding a user's file is said
once and its line dropped."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.filing_films import export_sheet, file_into, film_at
from train.filed_record import RECORD, read_record

SHEET = "filename,label\n" + "".join(f"p{i}.png,{lab}\n" for i, lab in enumerate(["Normal", "Normal", "COVID"]))
RELABELLED = SHEET.replace("p0.png,Normal", "p0.png,COVID")


def _export(folder, names=("p0.png", "p1.png", "p2.png"), sheet=SHEET, seed=0):
    return export_sheet(folder, sheet, names, seed)


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name != RECORD)


@pytest.mark.parametrize("out_is_parent", [False, True])
def test_a_hard_linked_backup_of_the_export_in_out_survives_the_firstfile_into(tmp_path, capsys, out_is_parent):
    sheet = _export(tmp_path / "export")
    out = tmp_path if out_is_parent else tmp_path / "out"  # OUT the folder above the sheet's, or beside it
    (out / "backup").mkdir(parents=True)
    for i in range(3):
        os.link(tmp_path / "export" / f"p{i}.png", out / "backup" / f"p{i}.png")  # cp -al export OUT/backup
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == (2 if out_is_parent else 0) and "taken out" not in said  # OUT above the sheet's folder: refused
    assert sorted(os.listdir(out / "backup")) == ["p0.png", "p1.png", "p2.png"]


def test_a_class_folder_that_is_a_link_out_of_out_is_not_filed_through(tmp_path, capsys):
    sheet = _export(tmp_path / "export")
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere" / "Normal"
    elsewhere.mkdir(parents=True)
    (elsewhere / "user.txt").write_text("mine")
    out.mkdir()
    (out / "Normal").symlink_to(elsewhere)
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and f"{out / 'Normal'} is a link to {elsewhere}" in said and "2 film(s) not filed there" in said
    assert "replace the link with a real folder" in said and "2 of the sheet's rows or films not filed" in err
    assert os.listdir(elsewhere) == ["user.txt"] and _files(out) == ["COVID/p2.png"]
    sheet.write_text(RELABELLED)
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 1 and "1 film(s) not filed there (p1.png)" in said
    assert os.listdir(elsewhere) == ["user.txt"] and _files(out) == ["COVID/p0.png", "COVID/p2.png"]


def test_an_unrecorded_copy_left_in_an_old_class_is_said_never_removed(tmp_path, capsys):
    sheet, out = _export(tmp_path / "export"), tmp_path / "out"
    for i, label in enumerate(["Normal", "Normal", "COVID"]):  # an OUT 0.54.0 filed in copies: no record
        (out / label).mkdir(parents=True, exist_ok=True)
        shutil.copy2(tmp_path / "export" / f"p{i}.png", out / label / f"p{i}.png")
    film_at(tmp_path / "export" / "p3.png", 3)
    sheet.write_text(SHEET + "p3.png,COVID\n")  # a row added: filed now, and the record written
    rc, _, _ = file_into(sheet, out, capsys)
    assert rc == 0 and list(read_record(out)) == ["COVID/p3.png"]  # the copies there before are not known ours
    sheet.write_text(RELABELLED + "p3.png,COVID\n")
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 1 and "not known to be the film this command filed there" in said and "Normal/p0.png" in said
    assert _files(out) == ["COVID/p0.png", "COVID/p2.png", "COVID/p3.png", "Normal/p0.png", "Normal/p1.png"]


def test_an_unrecorded_hard_link_in_another_class_is_said(tmp_path, capsys):
    sheet, out = _export(tmp_path / "export"), tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0
    os.link(tmp_path / "export" / "p0.png", out / "COVID" / "p0.png")  # the user's own, not in the record
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 1 and "COVID/p0.png" in said and (out / "COVID" / "p0.png").exists()


def test_a_file_of_a_films_name_with_other_bytes_in_another_class_is_not_said(tmp_path, capsys):
    sheet, out = _export(tmp_path / "export"), tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0
    film_at(out / "COVID" / "p0.png", 99)  # another film of that name: not this sheet's p0
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 0 and "COVID/p0.png" not in said


def test_another_sheets_films_whose_export_is_gone_are_no_failure_of_this_sheet(tmp_path, capsys):
    sheet_a, out = _export(tmp_path / "export"), tmp_path / "out"
    sheet_b = _export(tmp_path / "B" / "exportB", ("b0.png", "b1.png", "b2.png"),
                      SHEET.replace("p0.", "b0.").replace("p1.", "b1.").replace("p2.", "b2."), seed=10)
    assert file_into(sheet_a, out, capsys)[0] == 0 and file_into(sheet_b, out, capsys)[0] == 0
    shutil.rmtree(tmp_path / "B")  # hospital B's export archived away; its films live on in OUT
    for _ in range(2):
        rc, said, _ = file_into(sheet_a, out, capsys)
        assert rc == 0 and "found nowhere" not in said
    assert {"Normal/b0.png", "Normal/b1.png", "COVID/b2.png"} <= set(read_record(out))  # left alone, not dropped


@pytest.mark.parametrize("put", ["file", "folder"])
def test_a_recorded_path_now_holding_a_users_file_is_said_once_and_dropped(tmp_path, capsys, put):
    sheet, out = _export(tmp_path / "export"), tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0
    mine = out / "Normal" / "p0.png"
    mine.unlink()
    if put == "file":
        mine.write_bytes(b"my own file")
    else:
        mine.mkdir()
    sheet.write_text(RELABELLED)
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 1 and "Normal/p0.png" in said
    assert "now hold another file, put there since: Normal/p0.png" in said and "Normal/p0.png" not in read_record(out)
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 0 and "Normal/p0.png" not in said
    assert mine.exists() and (out / "COVID" / "p0.png").exists()
