"""A data folder's MANIFEST.csv, as people save it: Excel's UTF-8 with a byte-order mark, Windows
code page 1252 (Latin-1), UTF-16, and semicolons (Excel where the decimal mark is a comma) or tabs
between the columns. Its ``file`` column (a film's path relative to the folder) keys the rows; the
other columns say what the film is: a ``source`` for the per-source figures and ``--holdout-source``,
anything for ``cxr-evaluate --by``. A cell begun with an apostrophe before =, +, - or @ is read without it, as
spreadsheets show it (train.sheet_manifest writes one so: opened in a spreadsheet, it is not run as a formula).
What its rows give the films is train.film_sources's (their sources) and train.manifest_labels's (labels checked).
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from pathlib import Path

from edge.output import said_name
from edge.spreadsheet import formula_unguarded
from train.manifest_paths import Inside, row_name
from train.manifest_text import (ManifestError, check_is_text, csv_error, decode, extra_values, line_in_one_cell,
                                 separator)
from train.side_file import SideFileError, read_side_file

NOT_GIVEN = "(not given)"  # a film's source (or --by group) where it has none: one name in every table and file


class ManifestRows(dict):
    """MANIFEST.csv's rows by their ``file`` value (forward slashes). A film's row is the one of its exact
    path; failing that, the one whose path differs only in case or Unicode form (macOS file systems
    hand out decomposed names, Excel writes composed ones; COVID/ and covid/ are one folder on Windows
    and macOS, where the manifest may have been written). Exact first: on Linux, IM0.png and im0.png
    (or café.png composed and decomposed) are two films, each with its own row; folded alone, both took
    the first row, and the second film's source and groups were lost."""

    def __init__(self) -> None:
        super().__init__()
        self._folded: dict[str, str] = {}

    def add(self, name: str, row: dict[str, str]) -> dict[str, str]:
        """Keep ``row`` under ``name`` unless a row of that name came first; the row kept."""
        kept = self.setdefault(name, row)
        self._folded.setdefault(_folded(name), name)
        return kept

    def key(self, path: str) -> str | None:
        """The name of ``path``'s row: its own, else one that differs only in case or Unicode form; None."""
        name = manifest_key(path)
        return name if dict.__contains__(self, name) else self._folded.get(_folded(name))

    def get(self, path: str, default=None):  # type: ignore[override]
        name = self.key(path)
        return default if name is None else self[name]


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def read_manifest(data_dir: str | Path, twice: list[str] | None = None) -> tuple[list[str], ManifestRows]:
    """(columns, rows by their ``file`` value) of ``data_dir``/MANIFEST.csv; ([], {}) without one.

    Header names are stripped of spaces and the ``file`` column is found whatever its case; rows
    are keyed by their path (ManifestRows: look a film up with rows.get(its path)). The
    file itself may be named in any case (manifest.csv, as Windows and macOS users may save it).
    Raises ManifestError when there is no ``file`` column, when a quote is never closed (the rest
    of the file read as one value), or when MANIFEST.csv is a link to nothing, a folder, a FIFO or
    device, or too large to be one (train.side_file), so that sources never silently vanish. A path
    is read as written tidily (row_name): ``./COVID/a.png`` (as ``find .`` lists it), ``COVID//a.png``,
    ``Normal/../COVID/a.png`` and ``/abs/DATA/COVID/a.png`` (``find $PWD``) are COVID/a.png. A film with
    two rows that disagree keeps its first; ``twice`` (if given) gets its path."""
    path = manifest_path(data_dir)
    if path is None:
        return [], ManifestRows()
    try:
        data = read_side_file(path)
    except FileNotFoundError:
        raise ManifestError(f"{said_name(str(path))} is a link to {said_name(str(path.resolve()))}, which does not exist: the films' sources are "
                            "there; restore it, or delete the link") from None
    except SideFileError as e:
        raise ManifestError(f"{e}; MANIFEST.csv gives the films' sources: put the real file there, or remove "
                            "this one") from None
    except OSError as e:
        raise ManifestError(f"{said_name(str(path))} cannot be read ({e.strerror or e}): the films' sources are there") from None
    check_is_text(data, path)
    text = decode(data)
    delimiter, skip = separator(text)  # Excel's sep= line, else the one the header uses most
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    read = [1]  # the lines read whole: a bad value starts on the next one, however far the reader went
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text)))  # a long notes cell is no error: the whole text is in memory already
    try:
        return _rows(reader, path, twice, read, Path(data_dir), skip)
    except csv.Error as e:
        raise ManifestError(csv_error(path, text, read[0], reader.line_num, e)) from None
    finally:
        csv.field_size_limit(limit)


def _rows(reader, path: Path, twice: list[str] | None, read: list[int],
          data_dir: Path, skip: int = 0) -> tuple[list[str], ManifestRows]:
    for _ in range(skip):  # Excel's sep= line, blank lines above the header
        next(reader, None)
    columns = [formula_unguarded(c.strip()) for c in next(reader, [])]
    read[0] = reader.line_num
    key = next((c for c in columns if c.lower() == "file"), None)
    if key is None:
        shown = ", ".join(repr(c[:40]) + ("..." if len(c) > 40 else "") for c in columns[:8])  # not a page of noise
        shown += ", ..." if len(columns) > 8 else ""
        raise ManifestError(f"{said_name(str(path))} has no 'file' column (its columns: {shown or 'none'}); its first line must name "
                            "the columns, one of them 'file' with each film's path relative to the folder "
                            "(e.g. COVID/img-001.png), separated by commas, semicolons or tabs")
    rows = ManifestRows()
    inside = Inside(data_dir)
    once = len(set(columns)) == len(columns)
    for values in reader:
        line, read[0] = read[0] + 1, reader.line_num
        if extra := [v for v in values[len(columns):] if v.strip()]:
            raise ManifestError(extra_values(path, line, len(columns), len(values), extra, reader))
        if len(values) == 1 < len(columns) and (said := line_in_one_cell(path, line, values[0], len(columns), reader)):
            raise ManifestError(said)
        row = {c: formula_unguarded(v.strip()) for c, v in zip(columns, values)} if once else _first_of_each(columns, values)
        name = row_name(row.get(key, ""), inside)
        if name:
            row[key] = name
            first = rows.add(name, row)
            if first is not row and first != row and twice is not None:
                twice.append(name)
    return columns, rows


def _first_of_each(columns: list[str], values: list[str]) -> dict[str, str]:
    """A row's values by column, a column named twice taking its first (as of Source and SOURCE the first is read):
    the last had silently taken the place of the first."""
    row: dict[str, str] = {}
    for c, v in zip(columns, values):
        row.setdefault(c, formula_unguarded(v.strip()))
    return row


def manifest_path(data_dir: str | Path) -> Path | None:
    """``data_dir``/MANIFEST.csv, or the one entry there whose name is that in another case: whatever it
    is (a link to nothing or to a folder, a FIFO), so that read_manifest says what it is, rather than
    the films' sources vanishing without a word."""
    exact = Path(data_dir) / "MANIFEST.csv"
    if os.path.lexists(exact):
        return exact
    try:
        return next((p for p in sorted(Path(data_dir).iterdir()) if p.name.lower() == "manifest.csv"), None)
    except OSError:
        return None


def manifest_key(path: str) -> str:
    """A film's path as MANIFEST.csv rows are named: forward slashes (ManifestRows finds the row of a
    path that differs only in case or Unicode form)."""
    return path.replace("\\", "/")
