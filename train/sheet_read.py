"""A sheet of labels read for ``python -m train.file_by_label``: its file and label columns, each row's (file, label),
and the rows it leaves out said by kind (another modality, a lateral view), so that train.file_by_label files only
plain frontal films and says what it passed over."""

from __future__ import annotations

import csv
from pathlib import Path

from edge.output import said_name
from train.label_sheet import FILE_COLUMNS, LABEL_COLUMNS, column, sheet_rows
from train.manifest_text import decode
from train.sheet_manifest import carried_columns
from train.sheet_views import not_frontal, view_column
from train.side_file import SideFileError, read_side_file
from train.split_labels import split_column_problem
from train.unlabelled_sheet import kaggle_sheet_words

# a sheet's modality column (ieee8023's: X-ray, CT) as DICOM and exports write a plain film's: others are no films
XRAY_MODALITIES = {"xray", "cr", "dx", "dr", "xr", "radiograph", "radiography"}


class SheetError(ValueError):
    """A sheet that gives no films to file: not readable, or without the file or label column. Says why."""


def read_sheet(path: Path, file_column: str | None, label_column: str | None,
               other_modality: dict[str, int] | None = None,
               others: list[dict[str, str]] | None = None, other_view: dict[str, int] | None = None,
               dropped: list[str] | None = None) -> tuple[str, str, list[tuple[str, str]]]:
    """(file column, label column, (file, label) of each row) of the sheet at ``path``: UTF-8 with or without a
    byte-order mark, code page 1252 or UTF-16; comma, semicolon or tab between its columns (train.manifest_text).
    Columns not given are told by their names as the refusal told them (train.label_sheet). Where the sheet has a
    column 'modality', rows of another than a plain film (ieee8023's CT slices) are left out, counted in
    ``other_modality``: filed with the X-rays they would be trained on as films of their class. ``others`` gets each
    row kept's other columns, as OUT/MANIFEST.csv names them (train.sheet_manifest: a scanner for --by, a patient).
    Given ``other_view``, rows whose view column says a lateral or oblique film are left out and counted there
    (train.sheet_views); ``dropped`` gets the file cell of each row left out, whose film an earlier run may have filed."""
    try:
        text = decode(read_side_file(path))
    except SideFileError as e:
        raise SheetError(str(e)) from None
    except OSError as e:
        raise SheetError(f"{said_name(str(path))} cannot be read: {e.strerror or e}") from None
    try:
        rows = sheet_rows(text)
    except csv.Error as e:
        raise SheetError(f"{said_name(str(path))} cannot be read as CSV: {e}") from None
    header = [h.strip() for h in rows[0]] if rows else []
    fc = column(header, (file_column,) if file_column else FILE_COLUMNS)
    lc = column(header, (label_column,) if label_column else LABEL_COLUMNS)
    if not lc and not label_column and (words := kaggle_sheet_words(path, header)):
        raise SheetError(words)
    if not fc or not lc:
        missing = " and ".join(f"{what} column {given!r}" if given else f"{what} column"
                               for what, given, found in (("file", file_column, fc), ("label", label_column, lc))
                               if not found)
        raise SheetError(f"{said_name(str(path))} has no {missing} (its columns: {', '.join(map(repr, header[:12])) or 'none'}"
                         f"{', ...' if len(header) > 12 else ''}): name them with --file-column and --label-column")
    if problem := split_column_problem(header, rows[1:], fc, lc, LABEL_COLUMNS):
        raise SheetError(f"{said_name(str(path))}: {problem}")
    fi, li = header.index(fc), header.index(lc)
    mc = column(header, ("modality",))
    mi = header.index(mc) if mc else -1
    vi = header.index(vc) if other_view is not None and (vc := view_column(header)) else -1
    carried = carried_columns(header, rows[1:], fi, li) if others is not None else []
    kept = []
    for r in rows[1:]:
        if not any(v.strip() for v in r):
            continue
        modality = r[mi].strip() if 0 <= mi < len(r) else ""
        if modality and "".join(ch for ch in modality.lower() if ch.isalnum()) not in XRAY_MODALITIES:
            if other_modality is not None:
                other_modality[modality] = other_modality.get(modality, 0) + 1
            if dropped is not None and len(r) > fi:
                dropped.append(r[fi].strip())
            continue
        if other_view is not None and 0 <= vi < len(r) and not_frontal(view := r[vi].strip()):
            other_view[view] = other_view.get(view, 0) + 1
            if dropped is not None and len(r) > fi:
                dropped.append(r[fi].strip())
            continue
        kept.append((r[fi].strip() if len(r) > fi else "", r[li].strip() if len(r) > li else ""))
        if others is not None:
            others.append({name: r[i].strip() if len(r) > i else "" for i, name in carried})
    return fc, lc, kept
