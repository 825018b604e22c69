"""A third review of file_by_label's OUT/.filed.csv (train.rowless_filings, train.stale_films, train.filed_record):
a film whose row now leaves it out while its film cannot be found (or its name is two films'), and a film whose row
was removed, stayed in their old class with exit 0; a sheet film that is a symbolic link, re-pointed and relabelled,
kept its old filing; an OUT above the sheet's folder made the export a class; with no record, a user's own links under
other names were taken out as 'filed by an earlier run'."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.filing_films import export_sheet, file_into, film_at
from train.filed_record import COLUMNS, RECORD, read_record

SHEET = "filename,label,view,modality\n" + "".join(
    f"p{i}.png,{lab},PA,X-ray\n" for i, lab in enumerate(["Normal", "Normal", "COVID"]))
LEFT_OUT = {"todo": "p0.png,todo,PA,X-ray", "no label": "p0.png,,PA,X-ray", "several": "p0.png,A|B,PA,X-ray",
            "lateral": "p0.png,Normal,L,X-ray", "CT": "p0.png,Normal,PA,CT"}


def _export(folder, sheet=SHEET, names=("p0.png", "p1.png", "p2.png"), seed=0):
    return export_sheet(folder, sheet, names, seed)


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if (p.is_file() or p.is_symlink()) and p.name not in (RECORD, "MANIFEST.csv"))


@pytest.mark.parametrize("how", ["removed", "ambiguous"])
@pytest.mark.parametrize("row", sorted(LEFT_OUT))
def test_a_left_out_rows_film_that_cannot_be_found_keeps_no_silent_filing(tmp_path, capsys, row, how):
    sheet, out = _export(tmp_path / "export"), tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0 and (out / "Normal" / "p0.png").exists()
    if how == "removed":
        (tmp_path / "export" / "p0.png").unlink()  # gone from the export
    else:
        film_at(tmp_path / "export" / "old" / "p0.png", 9)  # its name now two films': which is the row's?
    sheet.write_text(SHEET.replace("p0.png,Normal,PA,X-ray", LEFT_OUT[row]))
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1, said + err  # was 0: the film trained as Normal, a label the sheet no longer gives it
    assert "filed from the film of a row that now leaves it out" in said and "Normal/p0.png" in said
    assert (out / "Normal" / "p0.png").exists()  # said, never removed: no film proves it the row's
    (out / "Normal" / "p0.png").unlink()  # removed by hand as said: no failure from then on
    rc, said, _ = file_into(sheet, out, capsys)
    assert "Normal/p0.png" not in said and "Normal/p0.png" not in read_record(out)


def test_another_sheets_film_of_a_left_out_rows_name_is_not_said(tmp_path, capsys):
    sheet_a, out = _export(tmp_path / "A"), tmp_path / "out"
    sheet_b = _export(tmp_path / "B", "filename,label\nq0.png,COVID\np0.png,todo\n", ("q0.png",), seed=20)
    assert file_into(sheet_a, out, capsys)[0] == 0
    rc, said, _ = file_into(sheet_b, out, capsys)  # B's p0.png is found nowhere: A's Normal/p0.png is none of B's
    assert rc == 0 and "Normal/p0.png" not in said and (out / "Normal" / "p0.png").exists()


def test_a_row_removed_from_the_sheet_leaves_its_film_said_never_removed(tmp_path, capsys):
    sheet, out = _export(tmp_path / "export"), tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0
    sheet.write_text(SHEET.replace("p1.png,Normal,PA,X-ray\n", ""))
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 1 and "no row of the sheet names now (its row removed): Normal/p1.png" in said  # was exit 0
    assert "run that sheet once" in said and "remove each by hand, or its line in the record" in said
    assert _files(out) == ["COVID/p2.png", "Normal/p0.png", "Normal/p1.png"]
    (out / "Normal" / "p1.png").unlink()
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 0 and "Normal/p1.png" not in said


def test_a_symbolic_link_film_repointed_and_relabelled_leaves_its_old_class(tmp_path, capsys):
    store, export, out = tmp_path / "store", tmp_path / "export", tmp_path / "out"
    for i in range(3):
        film_at(store / f"p{i}.png", i)
    export.mkdir()
    for i in range(3):
        (export / f"p{i}.png").symlink_to(f"../store/p{i}.png")
    (export / "labels.csv").write_text(SHEET)
    assert file_into(export / "labels.csv", out, capsys)[0] == 0
    film_at(store / "p0_v2.png", 7)  # re-exported: the sheet's p0.png now leads to the new file
    (export / "p0.png").unlink()
    (export / "p0.png").symlink_to("../store/p0_v2.png")
    (export / "labels.csv").write_text(SHEET.replace("p0.png,Normal", "p0.png,COVID"))
    rc, said, _ = file_into(export / "labels.csv", out, capsys)
    assert rc == 0 and "taken out there" in said and "Normal/p0.png" in said
    assert _files(out) == ["COVID/p0.png", "COVID/p2.png", "Normal/p1.png"]  # was Normal/p0.png too: two classes
    assert (out / "COVID" / "p0.png").read_bytes() == (store / "p0_v2.png").read_bytes()
    assert read_record(out)["COVID/p0.png"].sheet_path == str(export / "p0.png")  # the link's path, not resolved


def test_a_record_without_sheet_path_is_still_read_and_kept_in_step(tmp_path, capsys):
    sheet, out = _export(tmp_path / "export"), tmp_path / "out"
    assert file_into(sheet, out, capsys)[0] == 0
    lines = (out / RECORD).read_text().splitlines()
    assert lines[0].split(",") == COLUMNS and COLUMNS[8:] == ["sheet_path", "sheet"]
    (out / RECORD).write_text("".join(line.rsplit(",", 2)[0] + "\n" for line in lines))  # the 8-column record
    assert read_record(out)["Normal/p0.png"].sheet_path == ""
    sheet.write_text(SHEET.replace("p0.png,Normal", "p0.png,COVID"))
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 0 and _files(out) == ["COVID/p0.png", "COVID/p2.png", "Normal/p1.png"]
    assert (out / RECORD).read_text().splitlines()[0].split(",") == COLUMNS  # rewritten whole, with it


@pytest.mark.parametrize("above", [1, 2])
def test_out_above_the_sheets_folder_is_refused(tmp_path, capsys, above):
    sheet = _export(tmp_path / "ds" / "export")
    out = sheet.parents[above]  # ds, or the folder above it
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 2 and "the sheet's own folder or one above it" in err and "give a folder beside it" in err
    assert not (out / "Normal").exists() and not (out / "COVID").exists()  # was filed: 'export' a class beside them


def test_out_inside_the_sheets_folder_still_files_and_moves_a_relabelled_film(tmp_path, capsys):
    sheet = _export(tmp_path / "export")
    out = tmp_path / "export" / "by_class"
    assert file_into(sheet, out, capsys)[0] == 0
    sheet.write_text(SHEET.replace("p0.png,Normal", "p0.png,COVID"))
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 0 and _files(out) == ["COVID/p0.png", "COVID/p2.png", "Normal/p1.png"]


def test_without_a_record_a_users_own_links_under_other_names_are_kept_and_said(tmp_path, capsys):
    sheet, out = _export(tmp_path / "export"), tmp_path / "out"
    (out / "Normal").mkdir(parents=True)
    (out / "COVID").mkdir()
    os.link(tmp_path / "export" / "p0.png", out / "Normal" / "patient_A_2019.png")  # the user's own hard link
    (out / "Normal" / "p1_mine.png").symlink_to("../../export/p1.png")  # and symbolic link
    os.link(tmp_path / "export" / "p2.png", out / "Normal" / "p2.png")  # the film's own name, another class: ours
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 1 and "under a name this command never gives it" in said  # was exit 0, both removed
    assert "Normal/patient_A_2019.png" in said and "Normal/p1_mine.png" in said
    assert _files(out) == ["COVID/p2.png", "Normal/p0.png", "Normal/p1.png", "Normal/p1_mine.png",
                           "Normal/patient_A_2019.png"]
    assert "taken out there" in said and "Normal/p2.png" in said


def test_a_backup_beside_the_export_survives_out_given_beside_it(tmp_path, capsys):
    sheet = _export(tmp_path / "export")
    shutil.copytree(tmp_path / "export", tmp_path / "export_backup")
    for _ in range(2):
        rc, said, _ = file_into(sheet, tmp_path / "out", capsys)
        assert rc == 0 and "taken out" not in said and "left in OUT" not in said
    assert sorted(os.listdir(tmp_path / "export_backup")) == ["labels.csv", "p0.png", "p1.png", "p2.png"]
