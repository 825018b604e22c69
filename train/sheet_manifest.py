"""OUT/MANIFEST.csv of ``python -m train.file_by_label``: the sheet's other columns kept beside the films it filed.

A folder per class holds each film's label and nothing else: the columns a hospital's labels.csv has beside it
(scanner, ward), NIH's Data_Entry_2017.csv ('Patient ID', 'View Position') and ieee8023's metadata.csv
('patientid', 'view') were dropped, so ``cxr-evaluate MODEL OUT --by scanner`` had no column to group by, and
cxr-train split NIH's follow-up films of one patient between training and test (train.patients reads the patient from
MANIFEST.csv). Each filed film gets a row: ``file`` (its path in OUT, LABEL/NAME) and the sheet's other columns, its
patient column under the name train.patients reads first (``patient_id``).

A MANIFEST.csv there already (a run again, another sheet filed into the same OUT, one written by hand) is merged
with, never written over: its rows of other films stay as they are, a film's row takes the sheet's values where the
sheet gives one (a blank cell erases nothing), a film taken out of its old class keeps its row under its new path.
One that cannot be read whole (no file column, a quote never closed, two rows of one film that disagree, two columns
of one name, a row of values without a file) is left as it is and said: rewritten, what the reader could not tell
apart, or left out, would be lost.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from edge.atomic import write_text
from edge.output import said_name
from edge.spreadsheet import formula_guarded
from train.manifest import ManifestError, ManifestRows, manifest_key, manifest_path, read_manifest
from train.label_sheet import sheet_rows
from train.manifest_text import decode
from train.side_file import read_side_file
from train.filing import Filing
from train.patients import patient_column

FILE = "file"
PATIENT = "patient_id"  # the first name train.patients.PATIENT_COLUMNS looks for


def carried_columns(header: list[str], body: list[list[str]], file_index: int, label_index: int
                    ) -> list[tuple[int, str]]:
    """(index in the sheet, name in MANIFEST.csv) of each column kept: all but the file and label columns, the
    patient column as ``patient_id``; a column without a name left out where it holds nothing (NIH's sheet ends
    each line with a comma), else named by its place. Names alike in any case made apart (_2): the reader and
    ``--by`` tell columns by name, and a second 'file' would have been taken for the first."""
    others = [(i, h) for i, h in enumerate(header) if i not in (file_index, label_index)]
    patient = patient_column([h for _, h in others if h])
    patient_index = next((i for i, h in others if h == patient), None)
    taken, kept = {FILE}, []
    for i, name in others:
        if not name:
            if not any(len(r) > i and r[i].strip() for r in body):
                continue
            name = f"column {i + 1}"
        name = PATIENT if i == patient_index else name
        unique, n = name, 1
        while unique.casefold() in taken:
            n += 1
            unique = f"{name}_{n}"
        taken.add(unique.casefold())
        kept.append((i, unique))
    return kept


def _merged(old_columns: list[str], old_rows: ManifestRows, new: dict[str, dict[str, str]],
            moved: dict[str, str], gone: set[str] = frozenset()) -> tuple[list[str], list[dict[str, str]]]:
    """(columns, rows) of the manifest: the old one's rows in their order (those of films taken out of a class
    under their new path, those of ``gone``, taken out and filed nowhere, left out), each film this run filed given
    its sheet values, then those it had no row for."""
    file_column = next((c for c in old_columns if c.lower() == FILE), FILE)
    names = {c.casefold(): c for c in reversed(old_columns)}  # 'Scanner' in the sheet is the manifest's 'scanner'
    if (patient := patient_column(old_columns)) is not None:
        names[PATIENT] = patient  # one patient column: patients.py reads one, and the other's films had none
    columns = list(dict.fromkeys(old_columns or [FILE]))
    rows: dict[str, dict[str, str]] = {}
    for key, row in old_rows.items():
        if key in gone:
            continue  # its film was taken out and filed nowhere: cxr-train warned of a row naming no film
        kept = rows.setdefault(moved.get(key, key), {})
        kept.update({c: v for c, v in row.items() if c != file_column and not kept.get(c)})
    for key in sorted(new):
        if not new[key] and key not in rows:
            continue  # a sheet of file and label alone: no row to add (a DICOM film's header still names its patient)
        kept = rows.setdefault(key, {})
        for c, v in new[key].items():
            name = names.setdefault(c.casefold(), c)
            if name not in columns:
                columns.append(name)
            if v.strip():
                kept[name] = v
    return columns, [{file_column: key, **row} for key, row in rows.items()]


def write_manifest(out: str | os.PathLike, new: dict[str, dict[str, str]], moved: dict[str, str],
                   gone: list[str] | tuple[str, ...] = ()) -> str:
    """Write ``out``/MANIFEST.csv with ``new`` (each filed film's path in OUT -> the sheet's other columns) merged
    into the one there (``moved``: the old path of each film this run took out of a class -> its new path; ``gone``:
    the paths of films it took out and filed nowhere, whose rows are dropped), as one atomic replace; the line that
    says what it holds. Raises ManifestError where the one there cannot be merged."""
    twice: list[str] = []
    old_columns, old_rows = read_manifest(out, twice)
    path = manifest_path(out) or Path(out) / "MANIFEST.csv"
    if twice:
        raise ManifestError(f"{said_name(str(path))} has two rows that disagree for {said_name(twice[0])}"
                            f"{f' (and {len(twice) - 1} more films)' if len(twice) > 1 else ''}: rewritten, only the "
                            "first would be kept")
    if named_twice := sorted({c for c in old_columns if old_columns.count(c) > 1}):
        raise ManifestError(f"{said_name(str(path))} has two columns named {named_twice[0]!r}: rewritten, only the "
                            "first one's values would be kept; give each column a name of its own")
    if blank := _rows_without_file(path, old_columns):
        raise ManifestError(f"{said_name(str(path))} has {blank} row(s) with values but no 'file' (a note under the "
                            "table?): rewritten, they would be lost; move them out of it")
    moved = {manifest_key(k): v for k, v in moved.items() if manifest_key(k) in old_rows}
    dropped = {k for k in map(manifest_key, gone) if k in old_rows}
    if not any(new.values()) and not moved and not dropped:
        return ""  # nothing of this sheet's for it to hold: left as it is
    columns, rows = _merged(old_columns, old_rows, new, moved, dropped)
    text = "".join(_line(values) for values in [columns, *([row.get(c, "") for c in columns] for row in rows)])
    if _holds(path, text):
        return ""  # a rerun restating every row: the file left as it is, and nothing said of it
    write_text(path, text)
    left = f", {len(dropped)} row(s) of films taken out and filed nowhere dropped" if dropped else ""
    if not any(new.values()):
        return f"updated {said_name(str(path))}: {len(moved)} film(s) moved to another class keep their rows there{left}"
    others = [c for c in columns if c.lower() != FILE]
    kept = len(rows) - len(new)
    shown = ", ".join(map(said_name, others[:8])) + (", ..." if len(others) > 8 else "")
    return (f"wrote {said_name(str(path))}: {len(new)} film{'s' * (len(new) != 1)} with the sheet's other columns"
            f" ({shown or 'none'})" + (f", {kept} other row{'s' * (kept != 1)} kept" if kept else "")
            + (f"; each film's patient in {patient_column(columns)!r}: cxr-train keeps a patient's films on one side "
               "of the split" if patient_column(columns) else "") + left)


def _holds(path: Path, text: str) -> bool:
    """Whether ``path`` holds ``text`` already, as write_text would write it (a rerun said 'wrote MANIFEST.csv' and
    replaced it with the same bytes)."""
    from edge.names import as_text

    try:
        return path.read_bytes() == as_text(text).encode("utf-8")
    except OSError:
        return False


def _line(values: list[str]) -> str:
    """One line of MANIFEST.csv, safe to open in a spreadsheet: a cell it would run as a formula (ieee8023's
    clinical_notes, a public sheet's cell '=HYPERLINK(...)') written with an apostrophe before it, which spreadsheets
    hide and train.manifest's reader takes off (a plain number, -1, stays one); a cell holding ';' quoted, where
    Excel's list separator is ';' and would split it into a cell the guard never saw (edge.spreadsheet)."""
    text = io.StringIO()
    csv.writer(text, lineterminator=";\n").writerow([formula_guarded(v) for v in values])
    return text.getvalue()[:-2] + "\n"


def _rows_without_file(path: Path, columns: list[str]) -> int:
    """How many rows of the manifest at ``path`` hold a value but no film in their file column: read_manifest leaves
    them out, so a merge that rewrote the file lost them (a note written under the table)."""
    if not columns:
        return 0
    rows = sheet_rows(decode(read_side_file(path)))[1:]
    at = next(i for i, c in enumerate(columns) if c.lower() == FILE)
    return sum(1 for r in rows if any(v.strip() for v in r) and not (len(r) > at and r[at].strip()))


def file_manifest(out: str | os.PathLike, filing: Filing, others: list[dict[str, str]]) -> Filing:
    """OUT/MANIFEST.csv for the films ``filing`` placed, each with ``others`` of its sheet row (read_sheet's), where
    the sheet has other columns or OUT has a manifest to keep in step (a film moved to another class); what was
    written, or why not, in filing.manifest and filing.manifest_error. A sheet of file and label alone adds no rows:
    a row without a patient would hide the patient a DICOM film's header names (train.patients)."""
    moved = {where: filing.placed[film] for where, film in filing.moved_to.items() if film in filing.placed}
    gone = sorted({where for where, film in filing.moved_to.items() if film not in filing.placed}
                  | set(filing.gone) - set(filing.placed.values()))  # taken out, or removed by hand since
    if not (filing.placed and any(others) or (moved or gone) and manifest_path(out) is not None):
        return filing  # nothing filed or taken out that it holds (a film taken out and filed nowhere: its row dropped)
    new = {manifest_key(rel): others[filing.row_of[film]] if film in filing.row_of else {}
           for film, rel in filing.placed.items()}
    try:
        filing.manifest = write_manifest(out, new, moved, gone)
    except ManifestError as e:
        filing.manifest_error = str(e)
    except OSError as e:
        filing.manifest_error = f"{said_name(str(Path(out) / 'MANIFEST.csv'))} cannot be written: {e.strerror or e}"
    return filing
