"""OUT restored from a copy the user made of it (a backup tool, a copy to another disk: the hard links to the export
broken), then a film relabelled: the restored filing in its old class is no longer known to be the command's (its
inode is not the one .filed.csv records), so the run leaves it (its record line dropped) for the user to remove.
A run on the restored OUT as it is forgot each filing (seed 150011): a filing copied back with its times is
known again. Rows a user wrote in MANIFEST.csv, and a copy of their own, stay theirs (review 73f)."""

from __future__ import annotations

import csv
import shutil

from tests.filing_films import export_sheet, file_into

SHEET = "filename,label,patient\np0.png,COVID,pt0\np1.png,Normal,pt1\n"


def _manifest_files(out) -> list[str]:
    with open(out / "MANIFEST.csv", newline="", encoding="utf-8-sig") as f:
        return sorted(row["file"] for row in csv.DictReader(f))


def test_rows_a_user_wrote_in_manifest_csv_are_kept(tmp_path, capsys):
    """A row for a film to come, and a MANIFEST.csv of the user's own in OUT before the first run: a merge dropped
    every row naming no file in OUT, said as rows "of films taken out and filed nowhere" (review 73f): they are
    the user's, kept as other rows."""
    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, SHEET, names=("p0.png", "p1.png"))
    out.mkdir()
    (out / "MANIFEST.csv").write_text("file,patient\nCOVID/gone.png,x\n")
    assert file_into(sheet, out, capsys)[0] == 0
    text = (out / "MANIFEST.csv").read_text(encoding="utf-8-sig")
    (out / "MANIFEST.csv").write_text(text + "COVID/later.png,pt9\n", encoding="utf-8")
    rc, said, _ = file_into(sheet, out, capsys)  # a plain rerun
    assert rc == 0 and {"COVID/gone.png", "COVID/later.png"} <= set(_manifest_files(out)), said


def test_a_users_own_copy_where_the_filing_was_is_never_taken_out(tmp_path, capsys):
    """The user removed the command's filing and put a plain copy of the film there (`cp`: times not kept): it is
    theirs, not known to be the command's, and a relabel leaves it (review 73f: the restore fix took it out)."""
    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, SHEET, names=("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    (out / "COVID" / "p0.png").unlink()
    shutil.copyfile(export / "p0.png", out / "COVID" / "p0.png")
    file_into(sheet, out, capsys)
    sheet.write_text(SHEET.replace("p0.png,COVID", "p0.png,Normal"))
    file_into(sheet, out, capsys)
    assert (out / "COVID" / "p0.png").exists()


def test_a_row_of_a_film_still_there_in_another_case_is_kept(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, SHEET, names=("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    text = (out / "MANIFEST.csv").read_text(encoding="utf-8-sig")
    (out / "MANIFEST.csv").write_text(text + "Normal/USER.PNG,,pt7\n", encoding="utf-8")
    (out / "Normal" / "user.png").write_bytes((export / "p1.png").read_bytes()[:-1])  # the user's own, not a film
    sheet.write_text(SHEET + "p2.png,COVID,pt2\n")
    shutil.copy(export / "p0.png", export / "p2.png")
    file_into(sheet, out, capsys)
    assert "Normal/USER.PNG" in _manifest_files(out)


def test_a_film_relabelled_after_a_run_on_the_restored_out_leaves_its_old_class(tmp_path, capsys):
    """The run on the restored OUT found each film's copy there already and dropped its line from .filed.csv
    silently (a copy there before is not known to be the command's); the film relabelled next was then left in its
    old class too, said nowhere, exit 0: one film in two classes of the training data (seed 150011)."""
    export, out, saved = tmp_path / "export", tmp_path / "out", tmp_path / "saved out"
    sheet = export_sheet(export, SHEET, names=("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    shutil.copytree(out, saved)
    shutil.rmtree(out)
    shutil.copytree(saved, out)
    assert file_into(sheet, out, capsys)[0] == 0  # the restored OUT run as it is
    sheet.write_text(SHEET.replace("p0.png,COVID", "p0.png,Normal"))
    rc, said, err = file_into(sheet, out, capsys)
    assert sorted(p.relative_to(out).as_posix() for p in out.glob("*/*.png")) == ["Normal/p0.png", "Normal/p1.png"]
    assert rc == 0, said + err


def test_a_rerun_that_changes_nothing_leaves_the_record_file_as_it_is(tmp_path, capsys):
    """.filed.csv was replaced by every run, the same bytes under a new inode and time: a backup tool saw OUT change
    at each rerun of an unchanged sheet (upgrade walk, session 73)."""
    import os

    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, SHEET, names=("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    before = os.stat(out / ".filed.csv")
    assert file_into(sheet, out, capsys)[0] == 0
    after = os.stat(out / ".filed.csv")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_restored_filing_taken_out_by_a_relabel_takes_its_manifest_row_with_it(tmp_path, capsys):
    """OUT restored from a backup with its times, then a film relabelled: its old filing was said "another file, put
    there since", kept with its MANIFEST.csv row; the user removed it as told, and every later run exited 0 with the
    row naming nothing (review 73g, fuzz seed 150003). A copy with the filing's size, times and bytes is the
    filing: taken out, its row with it."""
    export, out, saved = tmp_path / "export", tmp_path / "out", tmp_path / "saved out"
    sheet = export_sheet(export, SHEET, names=("p0.png", "p1.png"))
    assert file_into(sheet, out, capsys)[0] == 0
    shutil.copytree(out, saved)  # copies with their times (copy2)
    shutil.rmtree(out)
    shutil.copytree(saved, out)
    sheet.write_text(SHEET.replace("p0.png,COVID", "p0.png,Normal"))
    rc, said, _ = file_into(sheet, out, capsys)
    assert rc == 0 and not (out / "COVID" / "p0.png").exists(), said
    assert _manifest_files(out) == ["Normal/p0.png", "Normal/p1.png"]
    assert sorted(p.name for p in saved.rglob("*.png")) == ["p0.png", "p1.png"]  # the backup never touched
