"""A sheet of labels beside films that lie in no class folder, turned into a command that files them by class.

The most common export of a hospital's films is one folder of them and a CSV naming each file's label
(``labels.csv``: filename,label; ieee8023's ``metadata.csv``: filename,finding; NIH's ``Data_Entry_2017.csv``:
Image Index,Finding Labels). cxr-train reads a folder per class, and refused such a folder with the advice to give
its parent, whose sub-folders are no classes either. The refusal now names the sheet and its columns and gives a
command to paste that files the films it names into a folder per label (hard links where it can: no second copy
of a large set), so the next step is one line, not a script to write.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from edge.film_files import is_image_name
from edge.output import said_name
from edge.shell_words import command_text
from train.manifest_text import decode, separator
from train.split_labels import likely_label_column, split_column_problem

# header names (lower case, letters and digits only) of the two columns
FILE_COLUMNS = ("filename", "file", "filepath", "path", "image", "imageindex", "imagename", "imageid", "imagefile",
                "img", "fname", "name")
LABEL_COLUMNS = ("label", "labels", "class", "classname", "finding", "findings", "findinglabels", "diagnosis",
                 "target", "category", "result", "outcome", "pathology")
HEAD_BYTES = 1 << 20  # the header and the first rows: enough to tell the columns (NIH's sheet is 8 MB)


@dataclass
class LabelSheet:
    path: Path
    file_column: str
    label_column: str
    labels: dict[str, int]  # label -> rows read (of the sheet's head)
    chosen: bool = False  # label_column is not the one file_by_label takes by its name (that one gives train, test)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def column(header: list[str], names: tuple[str, ...]) -> str | None:
    """The first of ``names`` that ``header`` holds: as spelt, else ignoring case, spaces and punctuation
    ('Image Index' is imageindex); of two columns alike, the first."""
    keys = {_key(h): h for h in reversed(header)}  # the first of two spellings wins
    return next((n if n in header else keys[_key(n)] for n in names if n in header or _key(n) in keys), None)


def sheet_rows(text: str) -> list[list[str]]:
    """A sheet's rows, its separator told as MANIFEST.csv's is (comma, semicolon or tab; Excel's 'sep=' line left
    out); csv.Error where it is no CSV."""
    delimiter, skip = separator(text)
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text)))  # a sheet's cell may be longer than csv's default 128 KiB
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))[skip:]
    finally:
        csv.field_size_limit(limit)


def read_label_sheet(path: Path) -> LabelSheet | None:
    """``path`` as a sheet of labels (a file column whose names are films' and a label column), or None."""
    from train.side_file import SideFileError, read_side_file

    try:
        data = read_side_file(path, head=HEAD_BYTES)
    except (OSError, SideFileError):
        return None
    try:  # as train.file_by_label reads it
        rows = sheet_rows(decode(data[:data.rfind(b"\n")] if len(data) >= HEAD_BYTES else data))
    except csv.Error:
        return None
    if len(rows) < 2:
        return None
    header = [h.strip() for h in rows[0]]
    file_column, label_column = column(header, FILE_COLUMNS), column(header, LABEL_COLUMNS)
    if not file_column or not label_column:
        return None
    fi, li, chosen = header.index(file_column), header.index(label_column), False
    body = [r for r in rows[1:] if len(r) > max(fi, li)]
    if not any(is_image_name(os.path.basename(r[fi].replace("\\", "/"))) for r in body[:200]):
        return None
    if split_column_problem(header, body, file_column, label_column, LABEL_COLUMNS):  # train, test: no classes
        label_column = likely_label_column(header, body, {file_column, label_column}, LABEL_COLUMNS)
        if label_column is None:
            return None
        chosen, li = True, header.index(label_column)
    labels: dict[str, int] = {}
    for r in body:
        if len(r) > li and (label := r[li].strip()):
            labels[label] = labels.get(label, 0) + 1
    return LabelSheet(Path(path), file_column, label_column, labels, chosen) if labels else None


def label_sheets(data_dir: Path) -> list[LabelSheet]:
    """The sheets of labels directly in ``data_dir`` (*.csv, *.tsv), by name."""
    try:
        paths = sorted(p for p in Path(data_dir).iterdir() if p.suffix.lower() in (".csv", ".tsv") and p.is_file())
    except OSError:
        return []
    return [s for p in paths if (s := read_label_sheet(p))]


def sorted_folder(data_dir: Path) -> Path:
    """Where the command files the films: beside the data folder (never inside it, whose walk would find them)."""
    data_dir = Path(data_dir)
    if data_dir.name in ("", ".", ".."):
        data_dir = data_dir.resolve()
    return data_dir.parent / f"{data_dir.name}_by_class"


def filing_command(sheet: LabelSheet, out: Path) -> str:
    """The command that files the films ``sheet`` names into ``out``/LABEL/ (train.file_by_label, which tells the
    sheet's columns as :func:`read_label_sheet` did), quoted to be pasted; by the Python that is running, whose
    packages hold it."""
    import sys

    chosen = ("--label-column", sheet.label_column) if sheet.chosen else ()
    return command_text(sys.executable or "python3", "-m", "train.file_by_label", str(sheet.path), *chosen, "--out", str(out))


def sheet_advice(data_dir: Path) -> str | None:
    """'labels.csv in DIR names a label for its films (column label: COVID 24, ...): to file them in a folder
    per class, run: ...; then give --data DIR_by_class' for the first sheet of labels in ``data_dir``, or None."""
    sheets = label_sheets(data_dir)
    if not sheets:
        return None
    sheet, out = sheets[0], sorted_folder(data_dir)
    shown = ", ".join(f"{label} {n}" for label, n in sorted(sheet.labels.items(), key=lambda kv: (-kv[1], kv[0]))[:5])
    more = f", and {len(sheet.labels) - 5} more" if len(sheet.labels) > 5 else ""
    return (f"{said_name(sheet.path.name)} there names each film's label (column {sheet.file_column!r} the file, "
            f"{sheet.label_column!r} the label: {shown}{more}), but cxr-edge reads a folder per class; to file the films "
            f"so (as links, not copies, where the disk allows), run: {filing_command(sheet, out)}; "
            f"then give {said_name(str(out))} as the data folder")
