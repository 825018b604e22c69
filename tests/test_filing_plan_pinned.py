"""train.filing_plan.others_folders pinned case by case (mutation survivors of session 73): which class folders of
OUT count as another's (another sheet's filing, a user's film, any folder where OUT/.filed.csv cannot be read), so
that a label of this sheet spelt otherwise only in case is filed into that folder, not beside it."""

from __future__ import annotations

import os

from train.filed_record import RECORD, Filed, write_record
from train.filing_plan import folder_name, others_folders


def _out(tmp_path):
    out = tmp_path / "OUT"
    out.mkdir()
    sheet = tmp_path / "labels.csv"
    sheet.write_text("file,label\n")
    return out, sheet


def _film(out, rel: str) -> None:
    (out / rel).parent.mkdir(exist_ok=True)
    (out / rel).write_bytes(b"x")


def _ours(out, sheet, *rels: str) -> None:
    """The record saying this sheet filed ``rels``."""
    write_record(out, {rel: Filed(film=str(out / rel), how="copy", device=0, inode=0, size=1, mtime_ns=0,
                                  sheet=str(sheet)) for rel in rels})


def test_no_sheet_no_folders(tmp_path):
    out, _ = _out(tmp_path)
    _film(out, "COVID/a.png")
    assert others_folders(out, None) == []


def test_a_folder_holding_a_film_this_sheet_did_not_file_is_anothers_beside_its_own(tmp_path):
    out, sheet = _out(tmp_path)
    for rel in ("COVID/a.png", "COVID/users.png", "Normal/b.png"):
        _film(out, rel)
    _ours(out, sheet, "COVID/a.png", "Normal/b.png")
    assert others_folders(out, sheet) == ["COVID"]  # one unrecorded film is enough; Normal/ is this sheet's alone


def test_dot_folders_dot_files_and_plain_files_count_for_nothing(tmp_path):
    out, sheet = _out(tmp_path)
    _ours(out, sheet)
    (out / "0note.txt").write_text("a user's note, first in name order\n")
    _film(out, ".hidden/c.png")
    _film(out, "Mac/.DS_Store")
    _film(out, "Zed/d.png")
    assert others_folders(out, sheet) == ["Zed"]


def test_every_folder_is_anothers_where_the_record_cannot_be_read_and_in_name_order(tmp_path):
    out, sheet = _out(tmp_path)
    (out / RECORD).write_text("not the record's header\n")
    for name in ("b", "C", "a", "e"):
        _film(out, f"{name}/x.png")
    (out / "empty").mkdir()
    assert others_folders(out, sheet) == sorted(["a", "b", "C", "e", "empty"])


def test_no_out_yet_no_folders(tmp_path):
    out, sheet = _out(tmp_path)
    os.rmdir(out)
    assert others_folders(out, sheet) == []


def test_a_labels_folder_name_is_one_cxr_train_reads_as_that_class():
    assert folder_name("Pneumonia\\Viral") == "Pneumonia_Viral"  # a Windows-spelt label: no folder of folders
    assert folder_name("..") == "__" and folder_name("...") == "___"  # a name of dots: no way out of OUT
    assert folder_name(".Normal") == "_Normal"  # not a hidden folder cxr-train passes over
    assert folder_name("MANIFEST.csv") == "_MANIFEST.csv" and folder_name("readme.md") == "_readme.md"
    assert folder_name("Masks") == "_Masks" and folder_name("COVID") == "COVID"
