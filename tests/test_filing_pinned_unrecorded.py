"""train.unrecorded_films pinned by hand mutants the other filing tests let live: only files the record does not
name, in real class folders of OUT (no link out of OUT), whose bytes are the film's, are said as not this command's
filing; names matched in any case and by the film's filed name."""

from __future__ import annotations

import os
import shutil

from tests.filing_films import export_sheet, file_into

SHEET = "filename,label\np0.png,Normal\np1.png,Normal\np2.png,COVID\n"


def test_another_exports_recorded_filing_of_the_same_name_and_bytes_is_not_said(tmp_path, capsys):
    a = export_sheet(tmp_path / "a", SHEET)
    b = export_sheet(tmp_path / "b", "filename,label\np0.png,COVID\nq1.png,Normal\n", ("p0.png", "q1.png"), 7)
    shutil.copyfile(tmp_path / "a" / "p0.png", tmp_path / "b" / "p0.png")  # b's film a copy of a's: its name, bytes
    out = tmp_path / "out"
    assert file_into(a, out, capsys)[0] == 0
    rc, said, err = file_into(b, out, capsys)
    assert rc == 0 and "not known to be the film" not in said, said + err
    assert (out / "Normal" / "p0.png").exists() and (out / "COVID" / "p0.png").exists()


def _filed(tmp_path, capsys, names=("p0.png", "p1.png", "p2.png"), sheet=SHEET):
    sheet_file, out = export_sheet(tmp_path / "export", sheet, names), tmp_path / "out"
    assert file_into(sheet_file, out, capsys)[0] == 0
    return sheet_file, out


def test_a_copy_of_the_film_in_a_class_folder_linked_out_of_out_is_not_said(tmp_path, capsys):
    sheet, out = _filed(tmp_path, capsys)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(tmp_path / "export" / "p2.png", elsewhere / "p2.png")  # a user's folder, not OUT's
    shutil.rmtree(out / "Normal")
    (out / "Normal").symlink_to(elsewhere)
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and "is a link to" in said and "not known to be the film" not in said, said + err
    assert (elsewhere / "p2.png").exists()


def test_a_users_symbolic_link_to_a_film_in_another_class_is_said(tmp_path, capsys):
    sheet, out = _filed(tmp_path, capsys)
    (out / "COVID" / "p1.png").symlink_to(tmp_path / "export" / "p1.png")  # p1 is Normal
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and "not known to be the film" in said and "COVID/p1.png" in said, said + err
    assert (out / "COVID" / "p1.png").is_symlink()


def test_a_copy_of_a_film_whose_name_has_capitals_in_another_class_is_said(tmp_path, capsys):
    sheet, out = _filed(tmp_path, capsys, ("P0.png", "p1.png", "p2.png"), SHEET.replace("p0.png", "P0.png"))
    shutil.copyfile(tmp_path / "export" / "P0.png", out / "COVID" / "P0.png")
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and "not known to be the film" in said and "COVID/P0.png" in said, said + err


def test_a_file_of_other_bytes_same_size_and_time_in_another_class_is_not_said(tmp_path, capsys):
    sheet, out = _filed(tmp_path, capsys)
    film, other = tmp_path / "export" / "p0.png", out / "COVID" / "p0.png"
    data = film.read_bytes()
    other.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))  # its size, other bytes
    st = os.stat(film)
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))  # and its time: only its bytes tell them apart
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 0 and "COVID/p0.png" not in said, said + err
