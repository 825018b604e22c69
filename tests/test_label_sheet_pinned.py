"""train.label_sheet pinned where mutation testing found it unpinned (session 69): a sheet read by its first MiB
only (NIH's is 8 MB) with the row cut there left out, a sheet of one row, one with a file column but no label
column, rows shorter than the header, the first 200 rows as those that must name a film, which files are sheets,
and the advice: the first sheet by name, its five commonest labels, the running Python in its command."""

from __future__ import annotations

from pathlib import Path

import shlex
import sys

from train.label_sheet import filing_command, label_sheets, read_label_sheet, sheet_advice

MIB = 1 << 20  # written out: the head read is pinned, not whatever the module's constant says


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode())
    return path


def test_a_large_sheet_is_counted_from_its_first_mib_without_the_row_cut_there(tmp_path):
    row = "f000000.png,Normal\n"  # 19 bytes; the MiB ends 14 bytes into a row: 'f000123.png,No'
    pad = next(k for k in range(19) if (MIB - len("filename,label\n") - k) % len(row) == 14)
    header = "filename,label" + " " * pad + "\n"
    whole = (MIB - len(header)) // len(row)  # rows wholly inside the first MiB
    text = header + "".join(f"f{i:06d}.png,Normal\n" for i in range(whole + 3000))
    assert len(text) > MIB + 50_000
    sheet = read_label_sheet(_write(tmp_path / "labels.csv", text))
    assert sheet is not None and sheet.labels == {"Normal": whole}  # not 'No' 1, nor the rows after the MiB


def test_a_sheet_of_one_row_is_a_sheet_and_a_header_alone_is_none(tmp_path):
    sheet = read_label_sheet(_write(tmp_path / "one.csv", "filename,label\na.png,COVID\n"))
    assert sheet is not None and sheet.labels == {"COVID": 1}
    assert read_label_sheet(_write(tmp_path / "none.csv", "filename,label\n")) is None


def test_a_sheet_with_only_one_of_its_two_columns_is_none(tmp_path):
    assert read_label_sheet(_write(tmp_path / "a.csv", "filename,notes\na.png,x\n")) is None
    assert read_label_sheet(_write(tmp_path / "b.csv", "notes,label\nx,COVID\n")) is None


def test_rows_shorter_than_the_header_are_passed_over(tmp_path):
    sheet = read_label_sheet(_write(tmp_path / "s.csv", "filename,label\na.png\nb.png,COVID\nc.png,COVID\n"))
    assert sheet is not None and sheet.labels == {"COVID": 2}
    sheet = read_label_sheet(_write(tmp_path / "t.csv", "label,filename\nCOVID\nNormal,b.png\n"))
    assert sheet is not None and sheet.labels == {"Normal": 1}


def test_a_film_must_be_named_within_the_first_200_rows(tmp_path):
    notes = "".join(f"note{i},COVID\n" for i in range(199))
    found = read_label_sheet(_write(tmp_path / "found.csv", "filename,label\n" + notes + "a.png,COVID\n"))
    assert found is not None and found.labels == {"COVID": 200}  # the 200th row names a film
    late = "filename,label\n" + notes + "note199,COVID\na.png,COVID\n"
    assert read_label_sheet(_write(tmp_path / "late.csv", late)) is None  # the 201st does, too late


def _labels(folder: Path, name: str, counts: dict[str, int]) -> None:
    folder.mkdir(exist_ok=True)
    _write(folder / name, "filename,label\n" + "".join(f"{label}{i}.png,{label}\n" for label, n in counts.items()
                                                      for i in range(n)))


def test_the_advice_names_the_five_commonest_labels_then_how_many_more(tmp_path):
    _labels(tmp_path / "seven", "labels.csv", {"A": 1, "B": 7, "C": 2, "D": 6, "E": 3, "F": 5, "G": 4})
    said = sheet_advice(tmp_path / "seven")
    assert said is not None and "the label: B 7, D 6, F 5, G 4, E 3, and 2 more), " in said
    _labels(tmp_path / "six", "labels.csv", {"A": 1, "B": 7, "C": 2, "D": 6, "E": 3, "F": 5})
    said = sheet_advice(tmp_path / "six")
    assert said is not None and "the label: B 7, D 6, F 5, E 3, C 2, and 1 more), " in said
    _labels(tmp_path / "five", "labels.csv", {"A": 1, "B": 2, "C": 2, "D": 3, "E": 1})
    said = sheet_advice(tmp_path / "five")
    assert said is not None and "the label: D 3, B 2, C 2, A 1, E 1), " in said  # a tie by name; no 'more'


def test_the_first_sheet_by_name_is_advised_and_only_csv_and_tsv_files_are_sheets(tmp_path):
    data = tmp_path / "data"
    _labels(data, "b_labels.csv", {"B": 1})
    _labels(data, "a_labels.TSV", {"A": 1})  # commas in a .tsv: told by its text, as ever
    _labels(data, "labels.txt", {"T": 1})
    (data / "folder.csv").mkdir()
    assert [s.path.name for s in label_sheets(data)] == ["a_labels.TSV", "b_labels.csv"]
    said = sheet_advice(data)
    assert said is not None and said.startswith("a_labels.TSV there names") and "the label: A 1)" in said


def test_the_filing_command_runs_the_python_that_is_running(tmp_path):
    _labels(tmp_path, "labels.csv", {"A": 1})
    sheet = read_label_sheet(tmp_path / "labels.csv")
    assert sheet is not None
    words = shlex.split(filing_command(sheet, tmp_path / "out"))
    assert words == [sys.executable, "-m", "train.file_by_label", str(tmp_path / "labels.csv"), "--out",
                     str(tmp_path / "out")]


def test_a_folder_that_cannot_be_listed_has_no_sheets(tmp_path):
    assert label_sheets(tmp_path / "gone") == [] and sheet_advice(tmp_path / "gone") is None
