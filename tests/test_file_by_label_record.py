"""python -m train.file_by_label takes out of OUT only what it filed itself (OUT/.filed.csv, train.filed_record):
never a backup copy of the export kept in OUT, nor another sheet's film of the same name and bytes; a film
re-exported (new bytes) and relabelled has its old filing taken out, and its MANIFEST.csv row goes with it."""

from __future__ import annotations

import errno
import os
import shutil

from tests.filing_films import film_at, run_filing
from train.filed_record import RECORD, read_record


def _tree(out):
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != RECORD)


def test_a_backup_copy_of_the_export_kept_in_out_is_never_taken_out(tmp_path, capsys):
    ds = tmp_path / "ds"
    film_at(ds / "export" / "c0.png", 0), film_at(ds / "export" / "n0.png", 1)
    shutil.copytree(ds / "export", ds / "export_backup")  # the user's backup of the export, kept beside it
    (ds / "export" / "labels.csv").write_text("filename,label\nc0.png,COVID\nn0.png,Normal\n")
    for _ in range(2):  # OUT the folder above the sheet's is refused (the export would be a class): nothing touched
        rc, said, err = run_filing([str(ds / "export" / "labels.csv"), "--out", str(ds)], capsys)
        assert rc == 2 and "taken out" not in said and "give a folder beside it" in err
    assert sorted(os.listdir(ds / "export_backup")) == ["c0.png", "n0.png"]
    assert sorted(os.listdir(ds)) == ["export", "export_backup"]


def test_two_sheets_filed_into_one_out_keep_each_others_film_of_one_name_and_bytes(tmp_path, capsys):
    film_at(tmp_path / "h1" / "IM-0001.png", 7)
    (tmp_path / "h2").mkdir()
    shutil.copy2(tmp_path / "h1" / "IM-0001.png", tmp_path / "h2" / "IM-0001.png")
    (tmp_path / "h1" / "labels.csv").write_text("filename,label,ward\nIM-0001.png,Normal,A\n")
    (tmp_path / "h2" / "labels.csv").write_text("filename,label,ward\nIM-0001.png,COVID,B\n")
    out = tmp_path / "OUT"
    for sheet in ["h1", "h2", "h1", "h2"]:
        rc, said, _ = run_filing([str(tmp_path / sheet / "labels.csv"), "--out", str(out)], capsys)
        assert rc == 0 and "taken out" not in said
    assert _tree(out) == ["COVID/IM-0001.png", "MANIFEST.csv", "Normal/IM-0001.png"]
    assert (out / "MANIFEST.csv").read_text().splitlines() == ["file,ward", "Normal/IM-0001.png,A",
                                                               "COVID/IM-0001.png,B"]


def _reexported(tmp_path, capsys, forget_record: bool):
    data = tmp_path / "data"
    film_at(data / "n0.png", 1), film_at(data / "c0.png", 2), film_at(data / "c1.png", 3)
    (data / "labels.csv").write_text("filename,label\nn0.png,Normal\nc0.png,COVID\nc1.png,COVID\n")
    out = tmp_path / "data_by_class"
    assert run_filing([str(data / "labels.csv")], capsys)[0] == 0
    if forget_record:  # an OUT filed by 0.54.0, which kept no record
        (out / RECORD).unlink(missing_ok=True)
    (data / "c0.png").unlink()
    film_at(data / "c0.png", 4)  # the hospital's re-export: new bytes, a new file
    (data / "labels.csv").write_text("filename,label\nn0.png,Normal\nc0.png,Normal\nc1.png,COVID\n")
    return out, run_filing([str(data / "labels.csv")], capsys)


def test_a_reexported_film_relabelled_is_taken_out_of_its_old_class_by_the_record(tmp_path, capsys):
    out, (rc, said, _) = _reexported(tmp_path, capsys, forget_record=False)
    assert rc == 0 and "taken out there" in said and "COVID/c0.png" in said
    assert _tree(out) == ["COVID/c1.png", "Normal/c0.png", "Normal/n0.png"]
    assert sorted(read_record(out)) == ["COVID/c1.png", "Normal/c0.png", "Normal/n0.png"]


def test_without_a_record_the_old_bytes_of_a_reexported_film_are_left_said_and_exit_1(tmp_path, capsys):
    out, (rc, said, _) = _reexported(tmp_path, capsys, forget_record=True)
    assert rc == 1 and "1 file(s) of a film's name left in a class folder the sheet no longer gives it" in said
    assert "COVID/c0.png; remove each by hand" in said
    assert _tree(out) == ["COVID/c0.png", "COVID/c1.png", "Normal/c0.png", "Normal/n0.png"]


def test_without_a_record_a_hard_link_to_the_film_is_taken_out_and_a_copy_never(tmp_path, capsys):
    data, out = tmp_path / "data", tmp_path / "data_by_class"
    film_at(data / "a.png", 1), film_at(data / "b.png", 2), film_at(data / "n.png", 3)
    (data / "labels.csv").write_text("filename,label\na.png,COVID\nb.png,COVID\nn.png,Normal\n")
    (out / "Normal").mkdir(parents=True)
    os.link(data / "a.png", out / "Normal" / "a.png")  # as 0.54.0 filed it, before a label was corrected
    shutil.copy2(data / "b.png", out / "Normal" / "b.png")  # as 0.54.0 copied it, or a user's own copy
    rc, said, _ = run_filing([str(data / "labels.csv")], capsys)
    assert rc == 1 and "Normal/a.png" in said.split("taken out there")[1] and "Normal/b.png; remove each by hand" in said
    assert _tree(out) == ["COVID/a.png", "COVID/b.png", "Normal/b.png", "Normal/n.png"]


def test_a_recorded_copy_is_taken_out_and_one_rewritten_since_is_left(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EXDEV, "cross-device")))
    data, out = tmp_path / "data", tmp_path / "data_by_class"
    film_at(data / "a.png", 1), film_at(data / "b.png", 2), film_at(data / "n.png", 3)
    (data / "labels.csv").write_text("filename,label\na.png,COVID\nb.png,COVID\nn.png,Normal\n")
    assert run_filing([str(data / "labels.csv")], capsys)[0] == 0
    st = os.stat(out / "COVID" / "b.png")
    os.utime(out / "COVID" / "b.png", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # rewritten since: not the copy
    (data / "labels.csv").write_text("filename,label\na.png,Normal\nb.png,Normal\nn.png,Normal\n")
    rc, said, _ = run_filing([str(data / "labels.csv")], capsys)
    assert rc == 1 and "COVID/a.png" in said.split("taken out there")[1] and "COVID/b.png; remove each by hand" in said
    assert _tree(out) == ["COVID/b.png", "Normal/a.png", "Normal/b.png", "Normal/n.png"]


def test_the_manifest_row_of_a_film_taken_out_and_filed_nowhere_is_dropped(tmp_path, capsys):
    data, out = tmp_path / "data", tmp_path / "data_by_class"
    film_at(data / "n0.png", 1), film_at(data / "c0.png", 2)
    (data / "labels.csv").write_text("filename,label,ward\nn0.png,Normal,A\nc0.png,COVID,B\n")
    assert run_filing([str(data / "labels.csv")], capsys)[0] == 0
    with open(data / "labels.csv", "a") as f:
        f.write("c0.png,Normal,B\n")  # two labels now: filed in no class
    rc, said, _ = run_filing([str(data / "labels.csv")], capsys)
    assert rc == 1 and "1 row(s) of films taken out and filed nowhere dropped" in said
    assert _tree(out) == ["MANIFEST.csv", "Normal/n0.png"]
    assert (out / "MANIFEST.csv").read_text().splitlines() == ["file,ward", "Normal/n0.png,A"]
