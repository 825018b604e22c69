"""A label two sheets (or a sheet and a user) spell differently only in case, filed into one OUT: test_labels.csv's
'covid' made covid/ beside train_labels.csv's COVID/, each run exited 0, and cxr-train refused OUT ('class folders
COVID and covid differ only in case'). Filed in the class folder OUT has, and said; a sheet's own folder still
follows its label's new spelling."""

from __future__ import annotations

from tests.filing_films import export_sheet, file_into, film_at


def _class_folders(out):
    return sorted(p.name for p in out.iterdir() if p.is_dir())


def test_a_second_sheets_label_in_another_case_goes_in_the_first_sheets_folder(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    export_sheet(export, "filename,label\np0.png,COVID\np1.png,Normal\n")
    film_at(export / "p2.png", 2)
    (export / "test_labels.csv").write_text("filename,label\np2.png,covid\n")
    assert file_into(export / "labels.csv", out, capsys)[0] == 0
    rc, said, err = file_into(export / "test_labels.csv", out, capsys)
    assert rc == 0, said + err
    assert _class_folders(out) == ["COVID", "Normal"]  # was COVID, Normal, covid
    assert (out / "COVID" / "p2.png").is_file()
    assert "label covid filed in COVID, the class folder there already" in said
    assert file_into(export / "labels.csv", out, capsys)[0] == 0  # the first sheet's rerun leaves p2 alone
    assert (out / "COVID" / "p2.png").is_file()


def test_a_users_own_folder_is_kept_as_spelt(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    export_sheet(export, "filename,label\np0.png,normal\n")
    film_at(out / "Normal" / "mine.png", 9)  # a film the user filed by hand
    assert file_into(export / "labels.csv", out, capsys)[0] == 0
    assert _class_folders(out) == ["Normal"] and (out / "Normal" / "p0.png").is_file()


def test_a_sheets_own_label_respelt_moves_its_folder(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, "filename,label\np0.png,normal\np1.png,COVID\n")
    assert file_into(sheet, out, capsys)[0] == 0
    sheet.write_text("filename,label\np0.png,Normal\np1.png,COVID\n")  # the sheet's own spelling mended
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 0, said + err
    assert _class_folders(out) == ["COVID", "Normal"] and (out / "Normal" / "p0.png").is_file()
