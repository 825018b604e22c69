"""``python -m train.file_by_label SHEET``: the films a sheet of labels names, filed in a folder per label.

cxr-train and cxr-evaluate read a folder per class; a hospital's export (and ieee8023's, and NIH's) is one folder
of films beside a sheet naming each film's label. Their refusal (train.label_sheet) gives this command, which
makes OUT/LABEL/FILM for each row as a hard link to the film (no second copy of a large set; a copy where the
disk cannot link) and never overwrites anything, so that it can be run again; run again after a label is corrected,
it takes the film out of its old class folder where it is its own link or copy there (train.film_places), and films
of one name in two folders are filed under their paths (site1_p1.jpeg). What it could not file is said,
not guessed: a row whose film is not under the sheet's folder, a name two films there share (which is the row's?),
a film two rows give different labels, a row with several labels (NIH's 'Effusion|Infiltration': a folder per
class holds one label a film) or none. The sheet's other columns are kept in OUT/MANIFEST.csv (train.sheet_manifest):
a patient's films kept on one side of cxr-train's split, a scanner for cxr-evaluate --by.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

from edge.cliutil import EXIT_PIPE_CLOSED
from edge.controls import CONTROL
from edge.film_files import IMAGE_SUFFIXES, is_image_name, may_be_dicom_name
from edge.output import said_name
from train.class_folders import case_twins
from train.film_places import NO_LINKS, dest_names, file_films, put_film as _put
from train.stale_films import take_out_stale
from train.filing import Filing, summary
from train.label_sheet import FILE_COLUMNS, LABEL_COLUMNS, column, sheet_rows, sorted_folder
from train.label_spellings import first_spelling
from train.manifest_text import decode
from train.sheet_manifest import carried_columns, file_manifest
from train.sheet_views import not_frontal, view_column
from train.sheet_walk import holds_sheet, in_cell_folder, sheet_folders
from train.split_labels import split_column_problem
from train.unlabelled_sheet import kaggle_sheet_words
from train.side_file import SideFileError, read_side_file

# a sheet's modality column (ieee8023's: X-ray, CT) as DICOM and exports write a plain film's: others are no films
XRAY_MODALITIES = {"xray", "cr", "dx", "dr", "xr", "radiograph", "radiography"}
# labels that say the label is not known yet (ieee8023's 'todo', 'Unknown'): no class of films
PLACEHOLDERS = {"todo", "unknown", "tbd", "?", "n/a"}

__all__ = ["NO_LINKS", "Filing", "SheetError", "_put", "file_films", "main", "plan", "read_sheet", "summary"]


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


def film_index(root: Path, out: Path) -> tuple[dict[str, list[str]], ...]:
    """Every file under ``root`` by its name, by its name in lower case (a sheet typed on Windows says P1.PNG
    for p1.png), and each film by its name without its image suffix in lower case (RSNA's patientId names
    <id>.dcm), ``out`` left out: the films filed by an earlier run are no second film of each name. Linked folders are
    searched, mask folders not (train.sheet_walk)."""
    index: dict[str, list[str]] = {}
    lower: dict[str, list[str]] = {}
    stems: dict[str, list[str]] = {}
    for folder, names in sheet_folders(root, out):  # links followed; masks passed over (train.sheet_walk)
        for name in names:
            index.setdefault(name, []).append(os.path.normpath(os.path.join(folder, name)))
            lower.setdefault(name.lower(), []).append(index[name][-1])
            stem, suffix = os.path.splitext(name)
            if suffix.lower() in IMAGE_SUFFIXES:
                stems.setdefault(stem.lower(), []).append(index[name][-1])
    return index, lower, stems


def folder_name(label: str) -> str:
    """The class folder of ``label``: '/' and '\\' (ieee8023's 'Pneumonia/Viral') made '_', as are control characters
    (a line break in a folder's name) and a name of dots."""
    name = CONTROL.sub("_", label.replace("/", "_").replace("\\", "_"))
    return "_" * len(name) if not name.strip(".") else name


def _film(value: str, root: Path, index: tuple[dict[str, list[str]], ...], filing: Filing) -> str | None:
    """The film a row's file cell names: its path under ``root`` where it is one, else the one film of its name (in
    the cell's folder where the export has it), else (no suffix in the cell) the one of that name and an image suffix."""
    rel = value.replace("\\", "/")
    exact = os.path.normpath(rel if os.path.isabs(rel) else os.path.join(root, rel))
    if "/" in rel and os.path.isfile(exact):
        return exact
    name = rel.rsplit("/", 1)[-1]  # by its name, in any case, or its stem: in the cell's folder (train.sheet_walk)
    found = in_cell_folder(rel, exact, *(ix.get(k, []) for ix, k in zip(index, (name, name.lower(), name.lower()))))
    if len(set(found)) > 1:
        filing.ambiguous.append(name)
    elif not found:
        filing.not_found.append(value)
    return found[0] if len(set(found)) == 1 else None


def plan(rows: list[tuple[str, str]], root: Path, out: Path,
         dropped: list[str] | tuple[str, ...] = ()) -> tuple[dict[str, str], Filing]:
    """(film -> its class folder, the rows left out so far) of the sheet's ``rows``; filing.named and filing.names
    hold every film a row names (a row with no label, several, or one not known yet ('todo') too, and the films of
    ``dropped``, rows read_sheet left out: filed earlier, such a film is in no class now); filing.left_cells the file
    cells of those left out whose film is not found or ambiguous (one filed earlier is in no class now either)."""
    filing, index, films = Filing(), film_index(root, out), {}
    conflicting, spellings, by_real = set(), {}, {}

    def one(film: str | None) -> str | None:  # one film reached by two links (a/p1.png, b/p1.png) is one film
        return None if film is None else by_real.setdefault(os.path.realpath(film), film)

    def left(value: str) -> None:  # a row left out: its film is in no class now (filed earlier, taken out)
        if value and (film := one(_film(value, root, index, Filing()))) is not None:
            filing.named.add(film)
        elif value:
            filing.left_cells.append(value)  # not found, or ambiguous: its earlier filing is said (train.stale_films)

    for value in dropped:
        left(value)
    for k, (value, label) in enumerate(rows):
        if not label or "|" in label or label.casefold() in PLACEHOLDERS:
            left(value)
            if label.casefold() in PLACEHOLDERS:
                filing.placeholder[label] = filing.placeholder.get(label, 0) + 1
            elif not label:
                filing.no_label += 1
            else:
                filing.multi.append(label)
            continue
        folder = folder_name(label)
        if folder != label:
            filing.renamed[label] = folder
        if (first := first_spelling(folder, spellings)) != folder:  # Normal and normal: one class (train.label_spellings)
            filing.respelt[folder], folder = first, first
        if not value:
            filing.not_found.append("(empty)")
            continue
        if (film := one(_film(value, root, index, filing))) is None:
            continue
        if not is_image_name(os.path.basename(film)) and not may_be_dicom_name(os.path.basename(film)):
            filing.not_films.append(value)  # ieee8023's volumes/*.nii.gz: no film to file with the X-rays
            continue
        filing.named.add(film)
        filing.row_of.setdefault(film, k)
        if film in films:
            filing.twice.append(os.path.basename(film))
            if films[film] != folder:
                conflicting.add(film)
        films.setdefault(film, folder)
    filing.ambiguous = sorted(set(filing.ambiguous))
    filing.conflicting = sorted(os.path.basename(f) for f in conflicting)
    filing.twice = sorted(set(filing.twice))
    filing.names, clashing = dest_names(sorted(filing.named), str(root))
    filing.clashing = [os.path.relpath(f, root) for f in clashing if f in films and f not in conflicting]
    return {f: c for f, c in films.items() if f not in conflicting and f not in clashing}, filing


def main(argv: list[str] | None = None) -> int:
    """Exit 0 where every film was filed (or was there already) but those left out on purpose (a label not known
    yet, 'todo'; another modality, CT; a lateral view; no film, .nii.gz: said, no failure), 1 where any row's film was
    not (not found, ambiguous, two labels, a file of its name there already, ...: said in the summary), filing stopped part way (a
    full disk: a script must not go on to train on part of the films) or OUT/MANIFEST.csv was not written (a
    patient's films would be split apart) or labels told apart only by punctuation were filed (TB+, TB-: cxr-train
    refuses them), 2 where the sheet gives none."""
    ap = argparse.ArgumentParser(prog="python -m train.file_by_label", description="Files the films a sheet of labels names in a folder per label, as cxr-train reads them: hard links "
                                             "(copies where the disk cannot link), nothing overwritten.",
                                 epilog="example: python -m train.file_by_label export/labels.csv "
                                        "--out export_by_class")
    ap.add_argument("sheet", type=Path, help="the sheet of labels (CSV: comma, semicolon or tab); its folder "
                                             "and those below it are searched for the films it names")
    ap.add_argument("--file-column", metavar="COLUMN", help="the column naming each film (default: filename, file, Image Index, ...)")
    ap.add_argument("--label-column", metavar="COLUMN", help="the column giving its label (default: label, class, finding, ...)")
    ap.add_argument("--all-views", action="store_true", help="file the rows whose view column says a lateral or oblique "
                    "film too (left out by default: the model is trained on frontal films)")
    ap.add_argument("--out", type=Path, metavar="DIR", help="where the folder per class is made (default: beside the sheet's "
                                             "folder, FOLDER_by_class)")
    args = ap.parse_args(argv)
    root = args.sheet.parent
    out = args.out if args.out is not None else sorted_folder(root)
    if holds_sheet(out, root):  # the export itself a class folder of OUT ('export' beside COVID and Normal)
        print(f"--out {said_name(str(out))} is the sheet's own folder or one above it, holding the films: give a "
              "folder beside it", file=sys.stderr)
        return 2
    try:
        other_modality: dict[str, int] = {}
        other_view: dict[str, int] | None = None if args.all_views else {}
        others: list[dict[str, str]] = []
        dropped: list[str] = []
        _, _, rows = read_sheet(args.sheet, args.file_column, args.label_column, other_modality, others, other_view,
                                dropped)
    except SheetError as e:
        print(e, file=sys.stderr)
        return 2
    films, filing = plan(rows, root, out, dropped)
    filing.other_modality, filing.other_view = other_modality, other_view or {}
    file_films(films, out, filing)
    take_out_stale(films, out, args.sheet, filing, {folder_name(lab) for _, lab in rows if lab and "|" not in lab
                                                    and lab.casefold() not in PLACEHOLDERS})
    file_manifest(out, filing, others)
    lines = summary(filing, args.sheet, out)
    print("\n".join(lines))
    if not filing.filed:
        print(f"nothing filed from {said_name(str(args.sheet))}", file=sys.stderr)
        return 1
    if filing.stopped:
        print(f"stopped part way: {filing.stopped}; free the space or mend the cause and run the same command again: "
              "what is filed stays, and is not filed twice", file=sys.stderr)
        return 1
    if filing.manifest_error:
        print(f"the films are filed, but the sheet's other columns are not kept: {filing.manifest_error}; mend or move "
              "it and run the same command again", file=sys.stderr)
        return 1
    if left := filing.left_out():
        purpose = f" ({filing.on_purpose()} more left out on purpose, no failure)" if filing.on_purpose() else ""
        print(f"{left} of the sheet's rows or films not filed, each kind said above{purpose}: mend the sheet or the "
              "folders and run the same command again", file=sys.stderr)
        return 1
    if twins := case_twins(list(filing.filed)):  # COVID+ and COVID-: maybe two classes, so not merged; cxr-train refuses
        print(f"class folders {', '.join(map(said_name, twins[0]))} are filed, but cxr-train takes them for one class "
              "and refuses them: relabel them in the sheet as said above and run the same command again", file=sys.stderr)
        return 1
    return 0


def run(argv: list[str] | None = None) -> int:
    """:func:`main`, ended quietly where the reader of standard output went away (``... | head -3``), as edge-classify
    is (edge.cliutil): the films are filed by then, and a BrokenPipeError's traceback said the command had failed."""
    try:
        code = main(argv)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's last flush at exit finds no pipe
        return EXIT_PIPE_CLOSED


if __name__ == "__main__":
    sys.exit(run())
