"""train.file_by_label pinned by hand mutants its other tests let live: a folder at a cell's path is no film, a film
in OUT named by its path is never said as a second filing, a copy under a film's filed (renamed) name is said, and a
recorded filing whose film is still there is not said lost."""

from __future__ import annotations

import os
import shutil

from tests.filing_films import export_sheet, file_into, film_at


def test_a_folder_at_a_cells_path_is_no_film_the_film_of_its_name_is(tmp_path, capsys):
    exp = tmp_path / "export"
    film_at(exp / "scans" / "p1.png", 1)
    film_at(exp / "scans" / "p1" / "x.png", 2)  # a folder at the cell's very path, the film p1.png beside it
    (exp / "labels.csv").write_text("filename,label\nscans/p1,Normal\nscans/p1/x.png,COVID\n")
    # the cell 'scans/p1' names no path that is a file: the film p1.png in scans/ (its stem)
    rc, said, err = file_into(exp / "labels.csv", tmp_path / "out", capsys)
    assert rc == 0, said + err
    assert (tmp_path / "out" / "Normal" / "p1.png").is_file()


def test_a_film_the_sheet_names_in_a_class_folder_of_out_is_never_said_a_second_filing(tmp_path, capsys):
    out = tmp_path / "out"
    film_at(out / "Normal" / "mine.png", 9)  # a user's film kept in OUT/Normal, the sheet naming it by its path
    sheet = export_sheet(tmp_path / "export", f"filename,label\np0.png,Normal\n{out / 'Normal' / 'mine.png'},COVID\n",
                         ("p0.png",))
    assert file_into(sheet, out, capsys)[0] == 0
    rc, said, err = file_into(sheet, out, capsys)  # recorded now: OUT/Normal/mine.png is the film itself, unrecorded
    assert rc == 0 and "not known" not in said + err, said + err
    assert (out / "Normal" / "mine.png").is_file() and (out / "COVID" / "mine.png").is_file()


def test_a_copy_under_a_films_filed_name_not_its_own_in_another_class_is_said(tmp_path, capsys):
    sheet = export_sheet(tmp_path / "export", "filename,label\na/p1.png,Normal\nb/p1.png,COVID\n",
                         ("a/p1.png", "b/p1.png"))
    out = tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0
    (filed,) = os.listdir(out / "Normal")  # two films named p1.png: each filed under its path's name (a_p1.png)
    assert filed != "p1.png"
    shutil.copyfile(out / "Normal" / filed, out / "COVID" / filed)  # a user's copy in the other class, unrecorded
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and f"COVID/{filed}" in said + err and "not known to be the film" in said + err, said + err
    assert (out / "COVID" / filed).is_file()  # said, never removed



def test_a_filing_whose_film_is_still_there_is_not_said_lost_for_another_film_of_its_name(tmp_path, capsys):
    other = film_at(tmp_path / "archive" / "p1.png", 5)  # another export's film, its sheet removed since
    (tmp_path / "archive" / "old.csv").write_text(f"filename,label\n{other},Normal\n")
    out = tmp_path / "out"
    assert file_into(tmp_path / "archive" / "old.csv", out, capsys)[0] == 0
    (tmp_path / "archive" / "old.csv").unlink()
    sheet = export_sheet(tmp_path / "export", "filename,label\np1.png,COVID\n", ("p1.png",))
    rc, said, err = file_into(sheet, out, capsys)  # its own p1.png: the archive's filing is none of its, not lost
    assert rc == 0 and "found nowhere" not in said + err, said + err
    assert (out / "Normal" / "p1.png").is_file() and (out / "COVID" / "p1.png").is_file()


def test_a_removed_rows_film_named_by_a_path_out_of_the_sheets_folder_is_said_not_left_in_its_class(tmp_path,
                                                                                                   capsys):
    other = film_at(tmp_path / "other" / "q.png", 5)
    sheet = export_sheet(tmp_path / "export", f"filename,label\n{other},Normal\np0.png,COVID\n", ("p0.png",))
    out = tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0 and (out / "Normal" / "q.png").is_file()
    sheet.write_text("filename,label\np0.png,COVID\n")  # its row removed: the record says this sheet filed q.png
    rc, said, err = file_into(sheet, out, capsys)
    said += err
    assert rc == 1 and "Normal/q.png" in said and "named by its path) that no row of the sheet names now" in said, said


def test_a_class_folder_made_a_file_leaves_nothing_to_remove_said_once_as_gone(tmp_path, capsys):
    sheet = export_sheet(tmp_path / "export", "filename,label\np0.png,Normal\np1.png,COVID\n", ("p0.png", "p1.png"))
    out = tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0
    shutil.rmtree(out / "Normal")
    (out / "Normal").write_text("notes\n")  # a file where the class folder was: Normal/p0.png is nowhere
    sheet.write_text("filename,label\np0.png,COVID\np1.png,COVID\n")
    rc, said, err = file_into(sheet, out, capsys)
    assert "not known to be the film" not in said + err, said + err  # never 'remove it by hand': nothing is there
    assert "Normal/p0.png" not in (out / ".filed.csv").read_text()
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 0 and "Normal/p0.png" not in said + err, said + err


def test_a_label_starting_with_a_dot_is_filed_in_a_class_folder_cxr_train_reads_not_a_hidden_one(tmp_path, capsys):
    from train.class_folders import class_folder_names
    sheet = export_sheet(tmp_path / "export", "filename,label\np0.png,.Normal\np1.png,COVID\n", ("p0.png", "p1.png"))
    out = tmp_path / "out"
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 0 and (out / "_Normal" / "p0.png").is_file() and not (out / ".Normal").exists(), said + err
    assert "_Normal" in said + err  # the label's folder said, as a '/' made '_' is
    assert set(class_folder_names(out)) == {"_Normal", "COVID"}
    assert not os.path.exists(out / ".Normal")
