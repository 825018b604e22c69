"""Two sheets beside one export (train_labels.csv and test_labels.csv, or one per ward) filed by
``python -m train.file_by_label`` into one OUT, the default FOLDER_by_class: each run took the other sheet's films,
lying in its folder and named by no row of its own, for rows removed from it (exit 1 on every run, for ever). Each
line of OUT/.filed.csv now says which sheet filed it (``sheet``); only this sheet's lines, or lines of no sheet known
(an older record, a sheet since moved), are said so."""

from __future__ import annotations

import os

from tests.filing_films import film_at, run_filing
from train.filed_record import COLUMNS, RECORD, read_record

TRAIN = "filename,label\np0.png,Normal\np1.png,COVID\np2.png,Normal\n"
TEST = "filename,label\nq0.png,Normal\nq1.png,COVID\n"


def _export(folder):
    for i, name in enumerate(("p0.png", "p1.png", "p2.png", "q0.png", "q1.png")):
        film_at(folder / name, i)
    (folder / "train_labels.csv").write_text(TRAIN)
    (folder / "test_labels.csv").write_text(TEST)
    return folder / "train_labels.csv", folder / "test_labels.csv", folder.parent / f"{folder.name}_by_class"


def _run(sheet, capsys):
    return run_filing([str(sheet)], capsys)  # the default --out: both sheets file into FOLDER_by_class


def _said_of(text, names):
    return [n for n in names if n in text]


def test_two_sheets_of_one_folder_filed_into_one_out_leave_each_others_films_alone(tmp_path, capsys):
    train, test, out = _export(tmp_path / "export")
    for sheet, others in [(train, ("q0.png", "q1.png")), (test, ("p0.png", "p1.png", "p2.png"))] * 2:
        rc, said, err = _run(sheet, capsys)
        assert rc == 0, said + err  # was 1 from the second sheet's first run on: the other's films 'rows removed'
        assert _said_of(said + err, others) == [] and "its row removed" not in said
    record = read_record(out)
    assert sorted(record) == ["COVID/p1.png", "COVID/q1.png", "Normal/p0.png", "Normal/p2.png", "Normal/q0.png"]
    assert {rel: os.path.basename(e.sheet) for rel, e in record.items()} == {
        "COVID/p1.png": "train_labels.csv", "COVID/q1.png": "test_labels.csv", "Normal/p0.png": "train_labels.csv",
        "Normal/p2.png": "train_labels.csv", "Normal/q0.png": "test_labels.csv"}
    assert record["Normal/p0.png"].sheet == str(train.resolve())

    train.write_text(TRAIN.replace("p2.png,Normal\n", ""))  # a row removed from one sheet: that sheet says it
    rc, said, _ = _run(train, capsys)
    assert rc == 1 and "no row of the sheet names now (its row removed): Normal/p2.png" in said
    assert _said_of(said, ("q0.png", "q1.png")) == []
    rc, said, err = _run(test, capsys)  # the other does not: not its film
    assert rc == 0 and "p2.png" not in said + err and (out / "Normal" / "p2.png").exists()


def test_an_older_record_without_the_sheet_is_read_and_each_sheet_takes_its_own_lines(tmp_path, capsys):
    train, test, out = _export(tmp_path / "export")
    assert _run(train, capsys)[0] == 0
    lines = (out / RECORD).read_text().splitlines()
    assert lines[0].split(",") == COLUMNS and COLUMNS[-1] == "sheet"
    (out / RECORD).write_text("".join(line.rsplit(",", 1)[0] + "\n" for line in lines))  # the 9-column record
    assert {e.sheet for e in read_record(out).values()} == {""}
    assert _run(train, capsys)[0] == 0  # rerun, the sheet that files them takes its lines of no sheet known
    assert {os.path.basename(e.sheet) for e in read_record(out).values()} == {"train_labels.csv"}
    assert _run(test, capsys)[0] == 0
    assert {os.path.basename(e.sheet) for e in read_record(out).values()} == {"train_labels.csv", "test_labels.csv"}
    assert (out / RECORD).read_text().splitlines()[0].split(",") == COLUMNS


def test_an_older_records_lines_of_another_sheet_are_said_as_before_until_that_sheet_files_them(tmp_path, capsys):
    train, test, out = _export(tmp_path / "export")
    assert _run(train, capsys)[0] == 0
    lines = (out / RECORD).read_text().splitlines()
    (out / RECORD).write_text("".join(line.rsplit(",", 1)[0] + "\n" for line in lines))  # 0.55-era: no sheet
    rc, said, _ = _run(test, capsys)  # train's lines of no sheet known: any sheet's, as before
    assert rc == 1 and "its row removed" in said and "Normal/p0.png" in said
    assert _run(train, capsys)[0] == 0  # train takes its lines: from then on each leaves the other's alone
    assert _run(test, capsys)[0] == 0 and _run(train, capsys)[0] == 0


def test_a_sheet_renamed_still_says_a_row_removed_from_it(tmp_path, capsys):
    train, test, out = _export(tmp_path / "export")
    assert _run(train, capsys)[0] == 0 and _run(test, capsys)[0] == 0
    renamed = train.with_name("train_labels_v2.csv")
    os.rename(train, renamed)  # its lines' sheet is gone from its path: any sheet's, this one's too
    renamed.write_text(TRAIN.replace("p2.png,Normal\n", ""))
    rc, said, _ = _run(renamed, capsys)
    assert rc == 1 and "no row of the sheet names now (its row removed): Normal/p2.png" in said
    assert _said_of(said, ("q0.png", "q1.png")) == []
