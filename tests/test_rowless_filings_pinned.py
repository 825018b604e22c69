"""train.rowless_filings.named_by_sheet pinned case by case (mutation survivors of session 73): whether the sheet that
recorded a filing still names its film, by its file column (rows left out too, a CT slice's, cells without a
suffix), by a whole film name in any cell, and what a sheet that cannot be read or was edited between two calls counts as."""

from __future__ import annotations

import os

from train.filed_record import Filed
from train.rowless_filings import named_by_sheet, names_recorded

REL = "Pneumonia/p0.png"


def _entry(tmp_path) -> Filed:
    path = str(tmp_path / "p0.png")
    return Filed(film=path, how="link", device=1, inode=2, size=3, mtime_ns=4, film_path=path, sheet_path=path,
                 sheet=str(tmp_path / "labels.csv"))


def _named(tmp_path, text: str) -> bool:
    (tmp_path / "labels.csv").write_text(text)
    return named_by_sheet(REL, _entry(tmp_path))


def test_a_sheet_gone_or_unreadable_is_taken_to_name_it(tmp_path):
    assert named_by_sheet(REL, _entry(tmp_path))  # gone
    (tmp_path / "labels.csv").mkdir()  # there, but no file to read
    assert named_by_sheet(REL, _entry(tmp_path))


def test_the_file_column_names_it_filed_or_left_out_with_or_without_its_suffix(tmp_path):
    assert _named(tmp_path, "filename,label\np0,Pneumonia\n")
    assert _named(tmp_path, "filename,label\np0,todo\n")
    assert not _named(tmp_path, "filename,label\np4,todo\n")
    assert _named(tmp_path, "filename,label,modality\np0,Pneumonia,CT\n")  # a row left out as no plain film


def test_a_cell_elsewhere_names_it_only_by_its_whole_name(tmp_path):
    (tmp_path / "p4.png").write_bytes(b"x")  # the file column names a film of the folder: it is the sheet's column
    assert not _named(tmp_path, "filename,label,patient\np4.png,Normal,p0\n")
    assert _named(tmp_path, "filename,label,patient\np4.png,Normal, p0.png \n")


def test_a_sheet_of_no_file_column_names_it_by_any_cell(tmp_path):
    assert _named(tmp_path, "pid,label\n p0 ,Pneumonia\n")  # filed with --file-column pid


def test_a_sheet_edited_between_two_calls_is_read_again(tmp_path):
    assert _named(tmp_path, "filename,label\np0.png,Normal\n")
    sheet = tmp_path / "labels.csv"
    st = sheet.stat()
    sheet.write_text("filename,label\np9.png,Normal\n")  # the same size
    os.utime(sheet, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert not named_by_sheet(REL, _entry(tmp_path))


def _deep_entry(export) -> Filed:
    path = str(export / "d3" / "p0.png")
    return Filed(film=path, how="link", device=1, inode=2, size=3, mtime_ns=4, film_path=path, sheet_path=path,
                 sheet=str(export / "labels.csv"))


def test_a_cell_of_the_very_path_names_it_while_the_filing_sheet_still_names_it_too(tmp_path):
    (tmp_path / "labels.csv").write_text("filename,label\nd3/p0.png,Pneumonia\n")
    assert names_recorded(_deep_entry(tmp_path), ["d3/p0.png"], tmp_path, "Pneumonia/p0.png")
    assert names_recorded(_deep_entry(tmp_path), ["d3\\p0.png"], tmp_path, "Pneumonia/p0.png")  # a Windows export


def test_a_cell_naming_another_path_first_does_not_end_the_search(tmp_path):
    (tmp_path / "labels.csv").write_text("filename,label\np4.png,Normal\n")
    assert names_recorded(_entry(tmp_path), ["p1.png", "p0.png"], tmp_path, REL)


def test_the_sheets_folder_read_through_a_link_names_the_path_the_record_holds(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    (export / "labels.csv").write_text("filename,label\nd3/p0.png,Pneumonia\n")
    (tmp_path / "current").symlink_to(export)
    assert names_recorded(_deep_entry(export), ["d3/p0.png"], tmp_path / "current", "Pneumonia/p0.png")
    current = tmp_path / "current"  # the record's path spelt in another case (a sheet made on Windows): its link
    assert names_recorded(_deep_entry(current), ["../CURRENT/d3/p0.png"], current, "Pneumonia/p0.png")


def test_a_filing_recorded_without_its_path_in_the_sheets_folder_is_named_by_no_cell(tmp_path, monkeypatch):
    (tmp_path / "labels.csv").write_text("filename,label\np4.png,Normal\n")
    entry = Filed(film=str(tmp_path / "p0.png"), how="link", device=1, inode=2, size=3, mtime_ns=4,
                  sheet=str(tmp_path / "labels.csv"))
    monkeypatch.chdir(tmp_path)
    assert not names_recorded(entry, [".", "p0.png"], tmp_path, REL)
