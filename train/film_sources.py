"""Each film's source, for the per-source figures, the shortcut audit and --holdout-source: MANIFEST.csv's
source (or source_repo) column where there is one, else the Kaggle COVID-19 Radiography Database's own metadata
spreadsheets (train.kaggle_metadata). What leaves films without a source is said (no row, a blank cell, rows of
films not there, no source column), since a film without one silently drops out of those figures.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from edge.figures import counted
from edge.output import said_name
from train.manifest import NOT_GIVEN, manifest_key, manifest_path, read_manifest
from train.manifest_labels import disagreement_warning, label_disagreements
from train.manifest_paths import unlike_films
from train.source_column_hint import ByCommand, source_column_hint


def attach_sources(items: list, data_dir: Path, log: Callable[[str], None], check_labels: bool = True,
                   by: ByCommand = ByCommand(), names_given: bool = True) -> None:
    """Source of each image: MANIFEST.csv's source (or source_repo) column where there is one, else
    the Kaggle database's metadata spreadsheets where there are some. Films without a row and rows
    without a film are said: either means the per-source figures,
    the shortcut audit's strongest clue and --holdout-source miss those films. ``items``:
    train.data.Item, whose ``source`` is set. Raises ManifestError as read_manifest does.
    ``check_labels``: compare MANIFEST.csv's labels with the films' (not where their class folders
    stand for other classes, as an --add-data folder's under --class-map: label_disagreements later). ``by``: whose
    --by the note on a MANIFEST.csv without a source column points to, and the columns it groups by already.
    ``names_given``: the classes were named (--classes, or a model's labels); else each folder's name becomes a class
    unchecked, and a Kaggle folder that lost its sheet to a misspelling is asked about (train.misspelt_folders)."""
    twice: list[str] = []
    columns, rows = read_manifest(data_dir, twice)
    path = manifest_path(data_dir)
    csv_said = said_name(str(path or Path(data_dir) / "MANIFEST.csv"))  # its path, as 'films/MANIFEST.csv' (not "films's")
    if not rows:
        if path:  # else the report says there is no MANIFEST.csv, beside one
            log(f"warning: {said_name(str(path))} has no rows (only its header), so it gives no film a source")
        _kaggle_sources(items, data_dir, log, names_given)
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
            _kaggle_sources(items, data_dir, log, names_given)
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


def _kaggle_sources(items: list, data_dir: Path, log: Callable[[str], None], names_given: bool = True) -> None:
    """Without a MANIFEST.csv: the sources the Kaggle COVID-19 Radiography Database's own metadata
    spreadsheets give (train.kaggle_metadata), said in one line; films of a class that has one
    but no row there are said too, and (``names_given`` False) a folder without one beside a sheet of a like name
    without a folder, as the misspelling it likely is (Nromal/, Normal.metadata.xlsx)."""
    from train.kaggle_metadata import film_key, kaggle_sources, metadata_files
    from train.misspelt_folders import misspelt_pairs, misspelt_warning, sheets_without_folder

    sources = kaggle_sources(data_dir, log)
    if not sources:
        return
    with_sheet = {folder.casefold() for folder in metadata_files(data_dir)}
    folders = {it.path.replace("\\", "/").split("/")[0] for it in items}
    without = sorted(f for f in folders if f.casefold() not in with_sheet)
    if without and not names_given and (pairs := misspelt_pairs(without, sheets_without_folder(data_dir))):
        log(misspelt_warning(pairs, data_dir))  # the missing sheet said with it: one message
        without = [f for f in without if f not in dict(pairs)]
    if without:
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
