"""train.filed_record.same_sheet_place and same_sheet_by_folder pinned case by case (mutation survivors FR of session
73): a sheet read through a link to its folder (current -> export) is the recorded sheet and its films' places move to
the link's path; a sheet that is a link to another folder's, another sheet of the folder, a sheet gone, and a path
outside the sheet's folder are not moved; a relative sheet path is read from the working folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from train.filed_record import Filed, same_sheet_by_folder, same_sheet_place


@pytest.fixture
def export(tmp_path) -> Path:
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "labels.csv").write_text("file,label\n")
    (tmp_path / "export" / "other.csv").write_text("file,label\n")
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "current").symlink_to(tmp_path / "export")  # a level deeper: '..' reads elsewhere
    return tmp_path / "export"


def _entry(sheet: Path) -> Filed:
    return Filed(film="/f.png", how="link", device=1, inode=1, size=1, mtime_ns=1, sheet=str(sheet))


def test_a_sheet_through_a_link_to_its_folder_moves_its_places(export, tmp_path):
    e, current = _entry(export / "labels.csv"), tmp_path / "links" / "current"
    sheet = current / "labels.csv"
    assert same_sheet_by_folder(e, sheet)
    assert same_sheet_place(e, str(export / "sub" / "a.png"), sheet) == str(current / "sub" / "a.png")
    assert same_sheet_place(e, str(export / "..a.png"), sheet) == str(current / "..a.png")
    assert same_sheet_place(e, str(tmp_path / "elsewhere" / "a.png"), sheet) == str(tmp_path / "elsewhere" / "a.png")
    assert same_sheet_place(e, str(tmp_path), sheet) == str(tmp_path)  # the sheet's folder's parent: '..'
    assert same_sheet_place(e, "", sheet) == ""


def test_another_folders_sheet_another_sheet_and_a_sheet_gone_are_not_this_one(export, tmp_path):
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "labels.csv").symlink_to(export / "labels.csv")  # A's films, not those export filed
    e = _entry(export / "labels.csv")
    for sheet in (tmp_path / "A" / "labels.csv", tmp_path / "links" / "current" / "other.csv"):
        assert not same_sheet_by_folder(e, sheet)
        assert same_sheet_place(e, str(export / "a.png"), sheet) == str(export / "a.png")
    assert not same_sheet_by_folder(_entry(export / "gone.csv"), tmp_path / "links" / "current" / "labels.csv")
    assert not same_sheet_by_folder(_entry(Path("")), tmp_path / "links" / "current" / "labels.csv")


def test_a_relative_sheet_is_read_from_the_working_folder(export, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path / "links" / "current")
    e = _entry(export / "labels.csv")
    assert same_sheet_by_folder(e, "labels.csv")
    assert same_sheet_place(e, str(export / "a.png"), "labels.csv") == os.path.join(os.getcwd(), "a.png")
