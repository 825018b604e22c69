"""Review 72y of file_by_label's later changes: a second sheet sharing many films with the first read that sheet again
for each (2,000 shared films: 30 s); a first sheet filed with --file-column, read back by the default columns, lost
its rows, so its film's record line went to the second sheet, which then said to remove a film the first still files;
a class folder left holding only a Mac's .DS_Store beside the respelt one made cxr-train refuse OUT, both runs exit 0;
a flipped film's probability kept with all its float digits."""

from __future__ import annotations

from tests.filing_films import export_sheet, file_into, run_filing
from train.filed_record import read_record


def test_a_sheet_sharing_many_films_is_read_once(tmp_path, capsys):
    from train.rowless_filings import _sheet_names

    export, out = tmp_path / "export", tmp_path / "out"
    names = tuple(f"p{i}.png" for i in range(40))
    rows = "".join(f"{n},COVID\n" for n in names)
    export_sheet(export, "filename,label\n" + rows, names)
    (export / "test_labels.csv").write_text("filename,label\n" + rows)
    assert file_into(export / "labels.csv", out, capsys)[0] == 0
    _sheet_names.cache_clear()
    assert file_into(export / "test_labels.csv", out, capsys)[0] == 0
    assert _sheet_names.cache_info().misses == 1  # labels.csv read once, not once a shared film


def test_a_first_sheet_filed_by_another_file_column_keeps_its_film(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    export_sheet(export, "x\n")
    (export / "train_labels.csv").write_text("filename,png_file,label\nIMG_0001.dcm,p0.png,COVID\n"
                                             "IMG_0002.dcm,p1.png,COVID\nIMG_0003.dcm,p2.png,Normal\n")
    (export / "test_labels.csv").write_text("filename,label\np0.png,COVID\n")
    train = [str(export / "train_labels.csv"), "--out", str(out), "--file-column", "png_file"]
    assert run_filing(train, capsys)[0] == 0
    assert file_into(export / "test_labels.csv", out, capsys)[0] == 0
    assert read_record(out)["COVID/p0.png"].sheet == str(export / "train_labels.csv")  # was test_labels.csv's
    (export / "test_labels.csv").write_text("filename,label\np1.png,COVID\n")  # p0's row removed from test alone
    rc, said, err = file_into(export / "test_labels.csv", out, capsys)
    assert rc == 0 and "no row of the sheet names now" not in said + err
    assert (out / "COVID" / "p0.png").is_file() and run_filing(train, capsys)[0] == 0


def test_a_class_folder_left_with_a_desktops_litter_alone_is_removed(tmp_path, capsys):
    from train.discovery import discover

    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, "filename,label\np0.png,Normal\np1.png,covid\np2.png,covid\n")
    assert file_into(sheet, out, capsys)[0] == 0
    (out / "covid" / ".DS_Store").write_bytes(b"Bud1")  # Finder opened it
    (out / "covid" / "._p1.png").write_bytes(b"\x00\x05\x16\x07")
    sheet.write_text("filename,label\np0.png,Normal\np1.png,COVID\np2.png,COVID\n")
    assert file_into(sheet, out, capsys)[0] == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["COVID", "Normal"]  # covid/ stayed for .DS_Store
    discover(out)  # was refused: class folders COVID and covid differ only in case


def test_a_class_folder_with_a_users_file_stays(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    sheet = export_sheet(export, "filename,label\np0.png,Normal\np1.png,covid\n")
    assert file_into(sheet, out, capsys)[0] == 0
    (out / "covid" / ".DS_Store").write_bytes(b"Bud1")
    (out / "covid" / "notes.txt").write_text("mine")
    sheet.write_text("filename,label\np0.png,Normal\np1.png,COVID\n")
    file_into(sheet, out, capsys)
    assert (out / "covid" / "notes.txt").read_text() == "mine" and (out / "covid" / ".DS_Store").exists()


def test_a_flipped_films_probability_keeps_only_the_digits_it_needs():
    from convert.gate import flip_probability

    assert flip_probability(0.893500245521601) == 0.8935002  # was kept whole: 0.893500245521601
    assert flip_probability(0.100456) == 0.10046 and flip_probability(0.25) == 0.25
