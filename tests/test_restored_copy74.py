"""OUT restored from a copy made without its times (``cp -R backup OUT``: new times, new inodes), then the sheet
changed: a filing of a film the sheet no longer files there was left in its old class folder, the film's bytes under
two labels of the training data, exit 0 without a word (fuzz seeds 150020 and 150086 with FILING_FUZZ_RESTORE=1:
its row removed; a label corrected away from the last film of a class, said once as "another file put there" and
its line dropped, then silent). Such a file is the film's bytes at a recorded filing's path, but a user's own `cp`
of the film looks the same (review 73f): said on every run (exit 1) with what to do, never taken out."""

from __future__ import annotations

import csv
import shutil

from tests.filing_films import export_sheet, file_into

SHEET = "filename,label,patient\np0.png,COVID,pt0\np1.png,Normal,pt1\n"


def _restore_without_times(out, saved) -> None:
    """OUT saved and put back as ``cp -R`` does: each file a new copy with new times (the hard links broken)."""
    shutil.copytree(out, saved, copy_function=shutil.copyfile)
    shutil.rmtree(out)
    shutil.copytree(saved, out, copy_function=shutil.copyfile)


def _manifest_files(out) -> list[str]:
    with open(out / "MANIFEST.csv", newline="", encoding="utf-8-sig") as f:
        return sorted(row["file"] for row in csv.DictReader(f))


def test_a_restored_copy_of_a_film_whose_row_was_removed_is_said_not_left_silently(tmp_path, capsys):
    export, out, saved = tmp_path / "export", tmp_path / "out", tmp_path / "saved out"
    sheet = export_sheet(export, SHEET, names=("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    _restore_without_times(out, saved)
    sheet.write_text("filename,label,patient\np1.png,Normal,pt1\n")  # p0's row removed
    for _ in range(2):  # said on every run until the user acts, not once
        rc, said, err = file_into(sheet, out, capsys)
        assert rc == 1 and "COVID/p0.png" in said and "remove each by hand" in said, said + err
        assert (out / "COVID" / "p0.png").read_bytes() == (export / "p0.png").read_bytes()  # never taken out
    (out / "COVID" / "p0.png").unlink()  # as it said to
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 0 and "COVID/p0.png" not in (out / ".filed.csv").read_text(), said + err
    assert _manifest_files(out) == ["Normal/p1.png"]
    assert sorted(p.relative_to(saved).as_posix() for p in saved.rglob("*.png")) == ["COVID/p0.png", "Normal/p1.png"]


def test_a_restored_copy_left_in_a_class_the_sheet_no_longer_gives_is_said_on_every_run(tmp_path, capsys):
    """The label corrected away from COVID's only film: the first run said the copy 'another file, put there since'
    and dropped its line, and every later run exited 0 with the film under COVID and Normal both."""
    export, out, saved = tmp_path / "export", tmp_path / "out", tmp_path / "saved out"
    sheet = export_sheet(export, SHEET, names=("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    _restore_without_times(out, saved)
    sheet.write_text(SHEET.replace("p0.png,COVID", "p0.png,Normal"))
    for _ in range(2):
        rc, said, err = file_into(sheet, out, capsys)
        assert rc == 1 and "COVID/p0.png" in said and "remove each by hand" in said, said + err
        assert (out / "COVID" / "p0.png").exists() and (out / "Normal" / "p0.png").exists()
    (out / "COVID" / "p0.png").unlink()
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 0 and not (out / "COVID").exists(), said + err
    assert _manifest_files(out) == ["Normal/p0.png", "Normal/p1.png"]


def test_a_restored_copy_of_a_film_whose_row_was_removed_is_said_after_the_export_moved(tmp_path, capsys):
    """Its film no longer at the path recorded (``mv export export2``, the sheet with it): its bytes are looked for
    at the same place in the moved export (fuzz seed 150047 with FILING_FUZZ_RESTORE=4)."""
    export, out, saved = tmp_path / "export", tmp_path / "out", tmp_path / "saved out"
    sheet = export_sheet(export, SHEET, names=("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    _restore_without_times(out, saved)
    sheet.write_text("filename,label,patient\np1.png,Normal,pt1\n")
    export.rename(tmp_path / "export2")
    rc, said, err = file_into(tmp_path / "export2" / "labels.csv", out, capsys)
    assert rc == 1 and "COVID/p0.png" in said and "remove each by hand" in said, said + err
    assert (out / "COVID" / "p0.png").exists()


def test_a_restored_copy_of_a_deleted_film_whose_row_now_leaves_it_out_is_said(tmp_path, capsys):
    """Its film deleted from the export and its row made 'todo': no bytes to compare it with, a file of the
    recorded size at the recorded path is said all the same (fuzz seed 150108 with FILING_FUZZ_RESTORE=4)."""
    export, out, saved = tmp_path / "export", tmp_path / "out", tmp_path / "saved out"
    sheet = export_sheet(export, SHEET, names=("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    _restore_without_times(out, saved)
    (export / "p0.png").unlink()
    sheet.write_text(SHEET.replace("p0.png,COVID", "p0.png,todo"))
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and "COVID/p0.png" in said and "remove each by hand" in said, said + err
    assert (out / "COVID" / "p0.png").exists()


def test_a_run_on_an_out_restored_without_times_keeps_its_record_so_a_later_relabel_is_said(tmp_path, capsys):
    """The run on the restored OUT as it is dropped each filing's line (a copy of new times is not known to be the
    command's), so the film relabelled next was left in its old class without a word (seed 150046 with
    FILING_FUZZ_RESTORE=4, its row made lateral)."""
    export, out, saved = tmp_path / "export", tmp_path / "out", tmp_path / "saved out"
    sheet = export_sheet(export, SHEET, names=("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    _restore_without_times(out, saved)
    assert file_into(sheet, out, capsys)[0] == 0  # the restored OUT run as it is: nothing to say yet
    sheet.write_text(SHEET.replace("p0.png,COVID", "p0.png,Normal"))
    rc, said, err = file_into(sheet, out, capsys)
    assert rc == 1 and "COVID/p0.png" in said and "remove each by hand" in said, said + err
    assert (out / "COVID" / "p0.png").exists()
