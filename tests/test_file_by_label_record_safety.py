"""OUT/.filed.csv read with care (train.filed_record, train.stale_films): a hand-edited line never removes a file
outside OUT, nor a copy that is not the film's bytes; OUT moved keeps its films in step; a record that cannot be read
whole is kept, not replaced; an OUT without a record is searched in the sheet's class folders only; a class folder
left empty is removed; one film reached through two links is one film."""

from __future__ import annotations

import os

from tests.filing_films import film_at, run_filing
from train.filed_record import RECORD

SHEET = "filename,label\n" + "".join(f"p{i}.png,{lab}\n" for i, lab in enumerate(["Normal", "Normal", "COVID"]))


def _filed(tmp_path, capsys, sheet: str = SHEET):
    export = tmp_path / "export"
    for i in range(3):
        film_at(export / f"p{i}.png", i)
    (export / "labels.csv").write_text(sheet)
    out = tmp_path / "out"
    assert run_filing([str(export / "labels.csv"), "--out", str(out)], capsys)[0] == 0
    return export, out


def _files(out):
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != RECORD)


def _line(rel: str, film: str, how: str, path) -> str:
    st = os.stat(path)
    return f"{rel},{film},{how},{st.st_dev},{st.st_ino},{st.st_size},{st.st_mtime_ns}\n"


def test_a_record_line_naming_a_file_outside_out_removes_nothing(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys)
    notes, keep = tmp_path / "notes.txt", tmp_path / "backup" / "p0_keep.png"
    notes.write_text("my notes")
    keep.parent.mkdir()
    os.link(export / "p0.png", keep)  # the user's own hard link, outside OUT
    with open(out / RECORD, "a") as f:
        f.write(_line("Normal/../../notes.txt", "../export/p0.png", "copy", notes))
        f.write(_line("Normal/../../backup/p0_keep.png", "../export/p0.png", "link", keep))
    rc, said, _ = run_filing([str(export / "labels.csv"), "--out", str(out)], capsys)
    assert rc == 0 and "taken out" not in said
    assert notes.read_text() == "my notes" and keep.exists()


def test_a_recorded_copy_whose_bytes_are_not_the_films_is_left_and_said(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys)
    mine = out / "COVID" / "notes.png"
    mine.write_bytes(b"not the film")
    with open(out / RECORD, "a") as f:
        f.write(_line("COVID/notes.png", "../export/p0.png", "copy", mine))
    rc, said, _ = run_filing([str(export / "labels.csv"), "--out", str(out)], capsys)
    assert rc == 1 and "COVID/notes.png" in said and mine.read_bytes() == b"not the film"


def test_out_moved_elsewhere_still_takes_a_relabelled_film_out_of_its_old_class(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys)
    moved = tmp_path / "deeper" / "x" / "out"
    moved.parent.mkdir(parents=True)
    out.rename(moved)
    (export / "labels.csv").write_text(SHEET.replace("p0.png,Normal", "p0.png,COVID"))
    rc, said, _ = run_filing([str(export / "labels.csv"), "--out", str(moved)], capsys)
    assert rc == 0 and "Normal/p0.png" in said
    assert _files(moved) == ["COVID/p0.png", "COVID/p2.png", "Normal/p1.png"]


def test_a_recorded_film_found_nowhere_is_said_never_kept_silently(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys)
    lines = (out / RECORD).read_text().splitlines()  # the first record (no film_path), the old filing a copy
    lines = [",".join(c.split(",")[:7]).replace(",link,", ",copy,") for c in lines]
    (out / RECORD).write_text("\n".join(lines) + "\n")
    moved = tmp_path / "deeper" / "x" / "out"
    moved.parent.mkdir(parents=True)
    out.rename(moved)
    (export / "labels.csv").write_text(SHEET.replace("p0.png,Normal", "p0.png,COVID"))
    rc, said, _ = run_filing([str(export / "labels.csv"), "--out", str(moved)], capsys)
    assert rc == 1 and "filed from a film found nowhere now" in said and "Normal/p0.png" in said
    assert (moved / "Normal" / "p0.png").exists()


def test_a_record_that_cannot_be_read_whole_is_kept_said_and_exit_1(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys)
    with open(out / RECORD, "a") as f:
        f.write("Normal/x.png,../x.png,link,1,2,3\n")  # one short line (a hand edit)
    before = (out / RECORD).read_bytes()
    rc, said, _ = run_filing([str(export / "labels.csv"), "--out", str(out)], capsys)
    assert rc == 1 and "cannot be read whole (line 5" in said
    assert (out / RECORD).read_bytes() == before


def test_without_a_record_only_the_sheets_class_folders_are_searched(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys, SHEET.replace("p2.png,COVID", "p2.png,Pneumonia"))
    (out / RECORD).unlink()  # as 0.54.0 left it
    (export / "labels.csv").write_text(SHEET)
    rc, said, _ = run_filing([str(export / "labels.csv"), "--out", str(out)], capsys)
    # Pneumonia is no label of the sheet now: no class folder of its, left as it is (a backup in OUT is not either)
    assert rc == 0 and "Pneumonia/p2.png" not in said
    assert _files(out) == ["COVID/p2.png", "Normal/p0.png", "Normal/p1.png", "Pneumonia/p2.png"]


def test_a_label_respelt_leaves_no_empty_class_folder(tmp_path, capsys):
    export, out = _filed(tmp_path, capsys, SHEET.replace("Normal", "normal"))
    (export / "labels.csv").write_text(SHEET)
    rc, _, _ = run_filing([str(export / "labels.csv"), "--out", str(out)], capsys)
    assert rc == 0 and sorted(os.listdir(out)) == [RECORD, "COVID", "Normal"]


def test_one_film_reached_through_two_links_with_two_labels_is_filed_in_neither(tmp_path, capsys):
    store, export = tmp_path / "store", tmp_path / "export"
    film_at(store / "p1.png", 1), film_at(store / "p2.png", 2)
    export.mkdir()
    (export / "a").symlink_to(store), (export / "b").symlink_to(store)
    (export / "labels.csv").write_text("filename,label\na/p1.png,Normal\nb/p1.png,COVID\np2.png,Normal\n")
    out = tmp_path / "out"
    rc, said, _ = run_filing([str(export / "labels.csv"), "--out", str(out)], capsys)
    assert rc == 1 and "with different labels, filed in no class: p1.png" in said
    assert _files(out) == ["Normal/p2.png"]
