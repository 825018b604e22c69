"""Two sheets of one export that file one film into one OUT (train_labels.csv and test_labels.csv both name p0.png),
one of them then relabelling it: each sheet's run took the other's filing of the film out of its class (exit 0), so
the film's class in OUT was whichever sheet ran last. The other sheet's filing is left while it still names the
film, and the two labels are said (exit 1)."""

from __future__ import annotations

from tests.filing_films import export_sheet, file_into

TRAIN = "filename,label\np0.png,COVID\np1.png,COVID\np2.png,Normal\n"


def _filed_by_both(tmp_path, capsys):
    export, out = tmp_path / "export", tmp_path / "out"
    export_sheet(export, TRAIN)
    (export / "labels.csv").rename(export / "train_labels.csv")
    (export / "test_labels.csv").write_text("filename,label\np0.png,COVID\n")
    assert file_into(export / "train_labels.csv", out, capsys)[0] == 0
    assert file_into(export / "test_labels.csv", out, capsys)[0] == 0
    return export, out


def test_a_film_relabelled_in_one_sheet_is_not_taken_out_of_the_others_class(tmp_path, capsys):
    export, out = _filed_by_both(tmp_path, capsys)
    (export / "test_labels.csv").write_text("filename,label\np0.png,Normal\n")
    rc, said, err = file_into(export / "test_labels.csv", out, capsys)
    assert (out / "COVID" / "p0.png").is_file()  # train_labels.csv still files it in COVID
    assert rc == 1 and "COVID/p0.png" in said and "two labels" in said


def test_both_sheets_runs_leave_the_film_where_each_files_it_and_say_so(tmp_path, capsys):
    export, out = _filed_by_both(tmp_path, capsys)
    (export / "train_labels.csv").write_text(TRAIN.replace("p0.png,COVID", "p0.png,Normal"))
    file_into(export / "train_labels.csv", out, capsys)
    file_into(export / "test_labels.csv", out, capsys)
    rc, said, _ = file_into(export / "train_labels.csv", out, capsys)
    assert (out / "COVID" / "p0.png").is_file() and (out / "Normal" / "p0.png").is_file()
    assert rc == 1 and "COVID/p0.png" in said


def test_the_labels_made_one_again_is_quiet(tmp_path, capsys):
    export, out = _filed_by_both(tmp_path, capsys)
    (export / "test_labels.csv").write_text("filename,label\np0.png,Normal\n")
    file_into(export / "test_labels.csv", out, capsys)
    (export / "test_labels.csv").write_text("filename,label\np0.png,COVID\n")
    assert file_into(export / "test_labels.csv", out, capsys)[0] == 0
    assert not (out / "Normal" / "p0.png").exists()
