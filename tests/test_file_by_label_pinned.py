"""train.file_by_label pinned where mutation testing found it unpinned (session 69): how many names each line
shows, a sheet with a file column but no label column, rows shorter than the header, and a name typed in
another case that two films share."""

from __future__ import annotations

from pathlib import Path

import pytest

from train.file_by_label import SheetError, main, plan, read_sheet


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path


def test_each_kind_of_row_left_out_shows_three_names_then_dots(tmp_path, capsys):
    _write(tmp_path / "export" / "0.png", "film")
    rows = "".join(f"gone{i}.png,COVID\n" for i in range(4))
    sheet = _write(tmp_path / "export" / "labels.csv", "filename,label\n0.png,Normal\n" + rows)
    assert main([str(sheet), "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "4 row(s) name no film found under " in out
    assert "gone0.png, gone1.png, gone2.png, ...\n" in out and "gone3.png" not in out
    three = _write(tmp_path / "export" / "three.csv", "filename,label\n0.png,Normal\n" + rows.split("\n", 1)[1])
    assert main([str(three), "--out", str(tmp_path / "out")]) == 1
    assert "gone1.png, gone2.png, gone3.png\n" in capsys.readouterr().out  # all three, no dots


@pytest.mark.parametrize("header, missing", [("filename,notes", "label column"), ("notes,label", "file column")])
def test_a_sheet_with_one_of_its_two_columns_is_refused_naming_the_one_missing(tmp_path, header, missing):
    sheet = _write(tmp_path / "labels.csv", f"{header}\na.png,COVID\n")
    with pytest.raises(SheetError, match=f"has no {missing} \\(its columns: "):
        read_sheet(sheet, None, None)


def test_a_row_shorter_than_the_header_gives_an_empty_cell_not_an_error(tmp_path):
    sheet = _write(tmp_path / "labels.csv", "filename,label\na.png\nb.png,COVID\n")
    assert read_sheet(sheet, None, None)[2] == [("a.png", ""), ("b.png", "COVID")]
    sheet = _write(tmp_path / "labels2.csv", "label,filename\nCOVID\nNormal,b.png\n")
    assert read_sheet(sheet, None, None)[2] == [("", "COVID"), ("b.png", "Normal")]


def test_a_name_in_another_case_that_two_films_share_is_ambiguous(tmp_path):
    for folder in ("a", "b"):
        _write(tmp_path / "export" / folder / "p1.png", folder)
    films, filing = plan([("P1.PNG", "COVID")], tmp_path / "export", tmp_path / "out")
    assert films == {} and filing.ambiguous == ["P1.PNG"] and filing.not_found == []


def test_a_name_typed_in_another_case_finds_its_film_and_an_exact_name_wins_over_its_case_twin(tmp_path):
    _write(tmp_path / "export" / "a" / "p1.png", "a")
    _write(tmp_path / "export" / "Q2.png", "q")
    films, filing = plan([("P1.PNG", "COVID"), ("q2.PNG", "Normal")], tmp_path / "export", tmp_path / "out")
    assert films == {str(tmp_path / "export" / "a" / "p1.png"): "COVID", str(tmp_path / "export" / "Q2.png"): "Normal"}
    assert filing.not_found == []
    _write(tmp_path / "export" / "b" / "P1.png", "b")  # a case twin elsewhere: the exact name is the row's film
    films, filing = plan([("p1.png", "COVID")], tmp_path / "export", tmp_path / "out")
    assert films == {str(tmp_path / "export" / "a" / "p1.png"): "COVID"} and filing.ambiguous == []


def test_films_are_filed_by_folder_then_path_whatever_the_rows_order(tmp_path):
    from train.file_by_label import Filing, file_films

    export, out = tmp_path / "export", tmp_path / "out"
    for name in ("z.png", "a.png", "m.png"):
        _write(export / name, name)
        _write(out / "COVID" / name, "another file")  # each kept, not overwritten: kept in the order filed
    films, filing = plan([("z.png", "COVID"), ("m.png", "COVID"), ("a.png", "COVID")], export, out)
    assert file_films(films, out, filing).kept == ["COVID/a.png", "COVID/m.png", "COVID/z.png"]
    assert isinstance(filing, Filing) and filing.made == 0


def test_a_different_file_of_the_same_size_and_time_already_there_is_kept_not_counted_filed(tmp_path):
    import os

    from train.file_by_label import file_films

    export, out = tmp_path / "export", tmp_path / "out"
    film, there = _write(export / "a.png", "film A"), _write(out / "COVID" / "a.png", "film B")  # same size
    os.utime(there, ns=(film.stat().st_atime_ns, film.stat().st_mtime_ns))  # and time: only its bytes differ
    films, filing = plan([("a.png", "COVID")], export, out)
    file_films(films, out, filing)
    assert filing.kept == ["COVID/a.png"] and filing.filed == {} and there.read_text() == "film B"


def test_the_summary_names_the_classes_most_films_first_then_by_name_twenty_at_most(tmp_path):
    from train.file_by_label import Filing, summary

    line = summary(Filing(filed={"b": 1, "a": 1, "c": 3}, made=5), tmp_path / "labels.csv", tmp_path / "out")[0]
    assert line.endswith("(hard links; 5 new, 0 there already): c 3, a 1, b 1")
    twenty = {f"k{i:02d}": 1 for i in range(20)}
    line = summary(Filing(filed=twenty), tmp_path / "labels.csv", tmp_path / "out")[0]
    assert line.endswith(", k18 1, k19 1")
    line = summary(Filing(filed={**twenty, "k20": 1}), tmp_path / "labels.csv", tmp_path / "out")[0]
    assert line.endswith(", k18 1, k19 1, ...")
