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
a patient's films kept on one side of cxr-train's split, a scanner for cxr-evaluate --by. This module is the command, top
to bottom: the sheet is read by train.sheet_read and its films planned by train.filing_plan (names kept importable here).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from edge.cliutil import EXIT_PIPE_CLOSED
from edge.output import said_name
from train.class_folders import case_twins
from train.film_places import NO_LINKS, file_films, put_film as _put
from train.stale_films import take_out_stale
from train.filing import Filing, summary
from train.filing_plan import labelled_folders, plan
from train.label_sheet import sorted_folder
from train.run_lock import RunFolderBusy, run_folder_lock
from train.sheet_manifest import file_manifest
from train.sheet_read import SheetError, read_sheet
from train.sheet_walk import holds_sheet

# what a second filing into one OUT at once would do, said to it (train.run_lock)
FILING_CLASH = ("two filings at once into one folder would each keep a record of its own films alone, and a film "
                "filed by the other would not be taken out when its label changes")

__all__ = ["NO_LINKS", "Filing", "SheetError", "_put", "file_films", "main", "plan", "read_sheet", "summary"]


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
    try:  # two at once into one OUT: each wrote .filed.csv whole, and the last kept its own filings alone
        with run_folder_lock(out, "python -m train.file_by_label", FILING_CLASH, create=True):
            films, filing = plan(rows, root, out, dropped, args.sheet)
            filing.other_modality, filing.other_view = other_modality, other_view or {}
            file_films(films, out, filing)
            take_out_stale(films, out, args.sheet, filing, labelled_folders(rows))
            file_manifest(out, filing, others)
    except RunFolderBusy as e:
        print(e, file=sys.stderr)
        return 1
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
