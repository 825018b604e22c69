"""A recorded filing of ``python -m train.file_by_label`` whose film is found again after the export was reshaped:
a copy (the disk refused links) filed from a film that moved with the export, a film moved to another folder within
the moved export (its row removed: said, not left with exit 0), and a film whose row moved to a second sheet of the
same folder (the record line handed over to the sheet that files it now). Leads of the rerun fuzzer
(tests/filing_fuzz.py), each made by hand."""

from __future__ import annotations

import errno
import os

from tests.filing_films import export_sheet, file_into, film_at


def test_a_copy_filed_from_a_film_moved_with_the_export_its_row_removed_is_said(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EXDEV, "cross-device")))
    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, "filename,label\np0.png,Normal\nl1.png,COVID\n", ("p0.png",))
    film_at(export / "tgt" / "t1.png", 7)
    (export / "sub1").mkdir()
    (export / "sub1" / "l1.png").symlink_to("../tgt/t1.png")  # a film that is a link within the export
    assert file_into(sheet, out, capsys)[0] == 0
    assert (out / "COVID" / "l1.png").is_file() and not (out / "COVID" / "l1.png").samefile(export / "tgt" / "t1.png")
    sheet.write_text("filename,label\np0.png,Normal\n")  # its row removed
    assert file_into(sheet, out, capsys)[0] == 1
    os.rename(export, tmp_path / "export2")
    export = tmp_path / "export2"
    (export / "sub0").mkdir()
    os.rename(export / "sub1" / "l1.png", export / "sub0" / "l1.png")  # the link moved within the moved export
    rc, said, _ = file_into(export / "labels.csv", out, capsys)
    assert rc == 1 and "no row of the sheet names now" in said  # the copy said, not left with exit 0
    assert (out / "COVID" / "l1.png").is_file()  # and not removed: bytes prove no filing enough to take it out


def test_a_film_whose_row_moved_to_a_second_sheet_is_that_sheets_from_its_run_on(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, "filename,label\np0.png,Normal\np1.png,COVID\n", ("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    sheet.write_text("filename,label\np0.png,Normal\n")
    (export / "test_labels.csv").write_text("filename,label\np1.png,COVID\n")  # its row moved to a second sheet
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 1 and "no row of the sheet names now" in said  # labels.csv cannot know yet: said, not removed
    assert file_into(export / "test_labels.csv", out, capsys)[0] == 0  # the filing is test_labels.csv's from now on
    for _ in range(2):
        rc, said, err = file_into(sheet, out, capsys)
        assert rc == 0 and "no row" not in said, (said, err)  # was exit 1 on every run
        assert file_into(export / "test_labels.csv", out, capsys)[0] == 0
    assert (out / "COVID" / "p1.png").samefile(export / "p1.png")
    (export / "test_labels.csv").write_text("filename,label\n")  # then its row removed there too: said by that sheet
    rc, said, _ = file_into(export / "test_labels.csv", out, capsys)
    assert rc == 1 and "no row of the sheet names now" in said and (out / "COVID" / "p1.png").is_file()


def test_a_film_moved_to_another_folder_within_the_moved_export_its_row_removed_is_said(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, "filename,label\np0.png,Normal\np1.png,COVID\n", ("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    sheet.write_text("filename,label\np0.png,Normal\n")  # its row removed
    assert file_into(sheet, out, capsys)[0] == 1
    os.rename(export, tmp_path / "export2")
    export = tmp_path / "export2"
    (export / "moved").mkdir()
    os.rename(export / "p1.png", export / "moved" / "p1.png")  # then the film moved into a folder of the export
    rc, said, _ = file_into(export / "labels.csv", out, capsys)
    assert rc == 1 and "no row of the sheet names now" in said  # found by its name and inode there: said
    assert (out / "COVID" / "p1.png").samefile(export / "moved" / "p1.png")  # and left for the user
