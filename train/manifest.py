"""A data folder's MANIFEST.csv, as people save it: Excel's UTF-8 with a byte-order mark, Windows
code page 1252 (Latin-1), UTF-16, and semicolons (Excel where the decimal mark is a comma) or tabs
between the columns. Its ``file`` column (a film's path relative to the folder) keys the rows; the
other columns say what the film is: a ``source`` for the per-source figures and ``--holdout-source``,
anything for ``cxr-evaluate --by``. A cell begun with an apostrophe before =, +, - or @ is read without it, as
spreadsheets show it (train.sheet_manifest writes one so: opened in a spreadsheet, it is not run as a formula).
"""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from pathlib import Path
from typing import Callable

from edge.figures import counted
from edge.output import said_name
from edge.spreadsheet import formula_unguarded
from train.class_names import same_class_key
from train.manifest_paths import Inside, row_name, unlike_films
from train.manifest_text import (DELIMITERS, ManifestError, check_is_text, csv_error, decode,  # noqa: F401
                                 extra_values, separator)
from train.side_file import SideFileError, read_side_file
from train.source_column_hint import ByCommand, source_column_hint

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


def label_disagreements(items: list, rows: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """(path, MANIFEST.csv's label) of each film whose row's label or class column names another
    class than its ``label`` (its class folder's, or the class an --add-data folder was mapped to)."""
    out = []
    for it in items:
        row = rows.get(manifest_key(it.path)) or {}
        said = next((v for c, v in row.items() if c.lower() in ("label", "class") and v), None)
        if said is not None and same_class_key(said) != same_class_key(it.label):
            out.append((it.path, said))
    return out


def disagreement_warning(data_dir: Path, disagree: list[tuple[str, str]]) -> str:
    path, said = disagree[0]
    n = len(disagree)  # one film: "for 1 film ... is not its class folder's"
    return (f"warning: for {counted(n, 'film')} in {said_name(str(data_dir))} the label in MANIFEST.csv is not "
            f"{'its' if n == 1 else 'their'} class folder's (e.g. {said_name(str(path))}: {said_name(str(said))}); the folder decides the class: check "
            "which is right")


def attach_sources(items: list, data_dir: Path, log: Callable[[str], None], check_labels: bool = True,
                   by: ByCommand = ByCommand()) -> None:
    """Source of each image: MANIFEST.csv's source (or source_repo) column where there is one, else
    the Kaggle database's metadata spreadsheets where there are some. Films without a row and rows
    without a film are said: either means the per-source figures,
    the shortcut audit's strongest clue and --holdout-source miss those films. ``items``:
    train.data.Item, whose ``source`` is set. Raises ManifestError as read_manifest does.
    ``check_labels``: compare MANIFEST.csv's labels with the films' (not where their class folders
    stand for other classes, as an --add-data folder's under --class-map: label_disagreements later). ``by``: whose
    --by the note on a MANIFEST.csv without a source column points to, and the columns it groups by already."""
    twice: list[str] = []
    columns, rows = read_manifest(data_dir, twice)
    path = manifest_path(data_dir)
    csv_said = said_name(str(path or Path(data_dir) / "MANIFEST.csv"))  # its path, as 'films/MANIFEST.csv' (not "films's")
    if not rows:
        if path:  # else the report says there is no MANIFEST.csv, beside one
            log(f"warning: {said_name(str(path))} has no rows (only its header), so it gives no film a source")
        _kaggle_sources(items, data_dir, log)
        return
    if twice:
        log(f"warning: {counted(len(twice), 'film')} {'has' if len(twice) == 1 else 'have'} two or more rows in "
            f"{csv_said} that disagree (e.g. {said_name(str(twice[0]))}); each keeps its first row: check which is right")
    lower = {c.lower(): c for c in reversed(columns)}  # Source, SOURCE: as the file column, whatever its case
    # a row's first non-blank of source and source_repo: a blank source column must not hide source_repo
    source_columns = [lower[c] for c in ("source", "source_repo") if c in lower]
    source = source_columns[0] if source_columns else None
    unlisted, used, blank = [], set(), []
    for it in items:
        key = rows.key(it.path)
        row = None if key is None else rows[key]
        if row is None:
            unlisted.append(it.path)
        used.add(key or manifest_key(it.path))
        it.source = next((v for c in source_columns if (v := (row or {}).get(c) or "").strip()), "")
        if row is not None and source_columns and not it.source:
            blank.append(it.path)
    if check_labels and (disagree := label_disagreements(items, rows)):
        log(disagreement_warning(data_dir, disagree))
    folders = {k.split("/", 1)[0] for k in used}  # rows of classes left out (--classes) are no strays
    if stray := [k for k in rows if k not in used and k.split("/", 1)[0] in folders]:
        log(f"warning: {counted(len(stray), 'row')} of {csv_said} {'names' if len(stray) == 1 else 'name'} "
            "no film found there (e.g. "
            f"{said_name(next(v for c, v in rows[stray[0]].items() if c.lower() == 'file'))}): films deleted, moved or renamed "
            "since it was written, or a manifest of another copy of the set?")
    if items and len(unlisted) == len(items) and (why := unlike_films(list(rows), data_dir, items[0].path,
                                                                     bool(stray))):
        which = f"none of the {len(rows)} rows" if len(rows) > 1 else "the one row"
        log(f"warning: {which} of {csv_said} names {'a' if len(rows) > 1 else 'no'} film found there: "
            f"{why}")
    if source is None:
        from train.kaggle_metadata import metadata_files

        if metadata_files(data_dir):  # the Kaggle database's own spreadsheets still name each film's archive
            log(f"note: {csv_said} has no source column (source or source_repo), so the sources come "
                "from the database's metadata spreadsheets")
            _kaggle_sources(items, data_dir, log)
            return
        log(f"note: {csv_said} has no source column (source or source_repo; its columns: "
            f"{', '.join(map(said_name, columns))}), so its films have no source: no per-source figures, no source in the shortcut "
            f"audit, and cxr-train --holdout-source can match file names only{source_column_hint(columns, by)}")
    else:
        # '1 of the 33 films has', its source, its file name: one film is said as one, as edge.figures.counted does
        if unlisted:
            one = len(unlisted) == 1
            log(f"warning: {len(unlisted)} of the {len(items)} films in {said_name(str(data_dir))} {'has' if one else 'have'} no row in "
                f"its MANIFEST.csv (e.g. {said_name(str(unlisted[0]))}), so {'its' if one else 'their'} source is {NOT_GIVEN}: one group "
                f"in the per-source figures, and cxr-train --holdout-source can match {'its file name' if one else 'their file names'} only")
        if blank:
            one = len(blank) == 1
            log(f"warning: {len(blank)} of the {len(items)} films in {said_name(str(data_dir))} {'has' if one else 'have'} a row in its "
                f"MANIFEST.csv whose {' and '.join(source_columns)} {'is' if len(source_columns) == 1 else 'are'} blank "
                f"(e.g. {said_name(str(blank[0]))}), so {'its' if one else 'their'} source is {NOT_GIVEN}: one group in the per-source "
                f"figures, and cxr-train --holdout-source can match {'its file name' if one else 'their file names'} only")


def _kaggle_sources(items: list, data_dir: Path, log: Callable[[str], None]) -> None:
    """Without a MANIFEST.csv: the sources the Kaggle COVID-19 Radiography Database's own metadata
    spreadsheets give (train.kaggle_metadata), said in one line; films of a class that has one
    but no row there are said too."""
    from train.kaggle_metadata import film_key, kaggle_sources, metadata_files

    sources = kaggle_sources(data_dir, log)
    if not sources:
        return
    with_sheet = {folder.casefold() for folder in metadata_files(data_dir)}
    folders = {it.path.replace("\\", "/").split("/")[0] for it in items}
    if without := sorted(f for f in folders if f.casefold() not in with_sheet):
        one = len(without) == 1
        log(f"warning: class folder{'' if one else 's'} {', '.join(without)} in {said_name(str(data_dir))} {'has' if one else 'have'} no "
            f"metadata spreadsheet ({without[0]}.metadata.xlsx) beside {'it' if one else 'them'}, as the others do, so "
            f"{'its' if one else 'their'} films' source is {NOT_GIVEN}: one group in the per-source figures, a shortcut "
            f"audit blind to their archive, and --holdout-source can match their file names only")
    described = {folder for folder, _ in sources}  # a sheet that could not be read was said already, once
    unlisted, used = [], set()
    for it in items:
        key = film_key(it.path)
        it.source = sources.get(key, "")
        used.add(key)
        if not it.source and key[0] in described:
            unlisted.append(it.path)
    present = {film_key(it.path)[0] for it in items}  # rows of classes left out (--classes) are no strays
    if stray := sorted(k for k in sources if k[0] in present and k not in used):
        one = len(stray) == 1
        log(f"warning: {len(stray)} row{'' if one else 's'} of the metadata spreadsheets of {said_name(str(data_dir))} "
            f"name{'s' if one else ''} no film found there ({'' if one else 'e.g. '}{stray[0][1]} of {stray[0][0]}): "
            f"{'a film' if one else 'films'} deleted, moved or renamed since the sheet was written?")
    named = sorted({it.source for it in items} - {""})
    # no row matched a film: "0 ()" read as a number cut off
    log("sources from the database's metadata spreadsheets (*.metadata.xlsx): "
        + (f"{len(named)} ({', '.join(named[:6])}{', ...' if len(named) > 6 else ''})" if named else
           "none matched a film")
        + "; a MANIFEST.csv with a source column would take their place")
    if unlisted:
        one = len(unlisted) == 1
        log(f"warning: {len(unlisted)} of the {len(items)} films in {said_name(str(data_dir))} {'has' if one else 'have'} no row with a "
            f"URL in {'its' if one else 'their'} class's metadata spreadsheet ({'' if one else 'e.g. '}{said_name(str(unlisted[0]))}), "
            f"so {'its' if one else 'their'} source is {NOT_GIVEN}")
