"""OUT/.filed.csv read strictly (train.filed_record), pinned by hand mutants that the other filing tests let live: a
line naming a file under a class folder that is a link out of OUT, or one folder deeper, never removes it; a record of
another header, an unknown ``how``, or one that is a folder is unreadable (never taken for no record); a film's path
is read normalised; a symbolic link is no filing; a path outside the sheet's old folder is not moved with it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.filing_films import export_sheet, file_into
from train.filed_record import (RECORD, Filed, RecordUnreadable, filed_now, in_out, moved_path, read_record)

SHEET = "filename,label\np0.png,Normal\np1.png,Normal\np2.png,COVID\n"


def _line(rel: str, film: str, how: str, path) -> str:
    st = os.stat(path)
    return f"{rel},{film},{how},{st.st_dev},{st.st_ino},{st.st_size},{st.st_mtime_ns}\n"


def _filed(tmp_path: Path, capsys) -> tuple[Path, Path]:
    sheet = export_sheet(tmp_path / "export", SHEET)
    out = tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0
    return sheet.parent, out


def test_a_record_line_under_a_class_folder_linked_out_of_out_removes_nothing(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    keep = elsewhere / "p0.png"
    os.link(export / "p0.png", keep)  # the user's own hard link, outside OUT
    (out / "Old").symlink_to(elsewhere, target_is_directory=True)
    with open(out / RECORD, "a") as f:
        f.write(_line("Old/p0.png", "../export/p0.png", "link", keep))
    rc, said, _ = file_into(export / "labels.csv", out, capsys)
    assert keep.exists() and "taken out" not in said


def test_a_record_line_one_folder_deeper_in_a_class_folder_removes_nothing(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys)
    keep = out / "Normal" / "keep" / "p2.png"
    keep.parent.mkdir()
    os.link(export / "p2.png", keep)  # the user's own hard link, in a folder of their own under Normal/
    with open(out / RECORD, "a") as f:
        f.write(_line("Normal/keep/p2.png", "../export/p2.png", "link", keep))
    rc, said, _ = file_into(export / "labels.csv", out, capsys)
    assert keep.exists() and "taken out" not in said


@pytest.mark.parametrize("rel", ["Normal/..", "Normal/sub/p0.png", "/abs/p0.png", "Normal", "../p0.png",
                                 "Linked/p0.png"])
def test_in_out_is_only_class_slash_name_in_a_real_folder_of_out(tmp_path, rel):
    (tmp_path / "out" / "Normal" / "sub").mkdir(parents=True)
    (tmp_path / "out" / "Linked").symlink_to(tmp_path, target_is_directory=True)
    assert not in_out(tmp_path / "out", rel)
    assert in_out(tmp_path / "out", "Normal/p0.png")


@pytest.mark.parametrize("text", ["a,b,c,d,e,f,g\nNormal/p0.png,../e/p0.png,link,1,2,3,4\n",
                                  "file,film,how,device,inode,size,mtime_ns\nNormal/p0.png,../e/p0.png,junk,1,2,3,4\n"])
def test_a_record_of_another_header_or_an_unknown_how_is_unreadable(tmp_path, text):
    (tmp_path / RECORD).write_text(text)
    with pytest.raises(RecordUnreadable):
        read_record(tmp_path)


def test_a_record_that_is_a_folder_is_unreadable_not_taken_for_none(tmp_path):
    (tmp_path / RECORD).mkdir()
    with pytest.raises(RecordUnreadable):
        read_record(tmp_path)


def test_a_first_record_lines_film_is_read_normalised(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / RECORD).write_text("file,film,how,device,inode,size,mtime_ns\n"
                                           "Normal/p0.png,../export/./p0.png,link,1,2,3,4\n")
    entry = read_record(tmp_path / "out")["Normal/p0.png"]
    assert entry.film == os.path.join(os.path.realpath(tmp_path), "export", "p0.png")


def test_a_symbolic_link_to_the_film_is_no_filing_of_it(tmp_path):
    film = tmp_path / "p0.png"
    film.write_bytes(b"film")
    (tmp_path / "out" / "Normal").mkdir(parents=True)
    (tmp_path / "out" / "Normal" / "p0.png").symlink_to(film)
    assert filed_now(tmp_path / "out", "Normal/p0.png", str(film)) is None


def test_a_path_outside_the_old_sheet_folder_is_not_moved_with_it(tmp_path):
    root = tmp_path / "new" / "export2"
    root.mkdir(parents=True)
    (root / "labels.csv").write_text(SHEET)
    old = str(tmp_path / "export" / "labels.csv")  # moved away: export/ is gone
    entry = Filed("", "link", 1, 2, 3, 4, sheet=old)
    outside = str(tmp_path / "other" / "p0.png")
    assert moved_path(entry, outside, root) == outside
    inside = str(tmp_path / "export" / "d" / "p0.png")
    assert moved_path(entry, inside, root) == str(root / "d" / "p0.png")
