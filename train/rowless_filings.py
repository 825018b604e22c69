"""A film ``python -m train.file_by_label`` filed earlier (OUT/.filed.csv) that no row of the sheet files now and
that train.stale_films cannot take out, said (exit 1), never removed.

Two ways a film was left trained under a label the sheet no longer gives it, exit 0: its row now leaves it out
('todo', a lateral view, CT, no label or several) while its film cannot be found (removed from the export) or its
name is two films' now (which did the row mean?), so the film reached no list of the sheet's films; or its row was
removed from the sheet. The first is known by the row's file cell, the second by the film lying in the sheet's folder.
Neither is taken out: an unresolved cell proves no film, and two sheets in one folder filed into one OUT name each
other's films in that folder (said, with what to do).
"""

from __future__ import annotations

import csv
import functools
import os
import stat
from pathlib import Path

from edge.film_files import IMAGE_SUFFIXES
from train.filed_record import Filed, moved_path, moved_place
from train.filing import Filing
from train.sheet_walk import lies_in, sheet_folders
from train.unrecorded_films import same_bytes


def cell_names(cells: list[str]) -> set[str]:
    """The names, in any case, that a sheet's file cells give (``images\\p1.png``: p1.png)."""
    return {c.replace("\\", "/").rsplit("/", 1)[-1].casefold() for c in cells if c}


def recorded_names(rel: str, entry: Filed) -> set[str]:
    """The names, in any case, a recorded filing and its film went by (its file's in OUT, the film's, its path's in
    the sheet's folder), with those without an image suffix (a cell 'p1' names p1.png, as file_by_label finds it)."""
    names = {os.path.basename(p).casefold() for p in (rel, entry.film, entry.film_path, entry.sheet_path) if p}
    return names | {stem for stem, suffix in map(os.path.splitext, names) if suffix in IMAGE_SUFFIXES}


def named_by_sheet(rel: str, entry: Filed) -> bool:
    """Whether the sheet that recorded a filing (``entry.sheet``) still names its film, labelled or left out (todo,
    CT): in its file column as read by default, or by its whole name (with an image suffix) in any cell, since it may
    have been filed with --file-column, which the record does not keep (read by the default columns it lost its
    rows). A cell elsewhere without a suffix names no film: a patient column's P001 kept P001.png this sheet's after
    its row moved to the other sheet. A sheet that cannot be read is taken to name it (its filing kept its own)."""
    try:
        st = os.stat(entry.sheet)
        names = _sheet_names(entry.sheet, st.st_mtime_ns, st.st_size)
    except (OSError, ValueError):
        return True
    return names is None or bool(recorded_names(rel, entry) & names)


@functools.lru_cache(maxsize=8)
def _sheet_names(sheet: str, mtime_ns: int, size: int) -> frozenset[str] | None:
    """The names ``sheet``'s file cells give (by the default columns, those of rows left out too), and every whole
    film name in any of its cells; read once a run however many films it shares with another sheet (read for each,
    2,000 shared films took 30 s); None where it cannot be read. Keyed on its time and size, so that a sheet edited
    between two runs in one process is read again."""
    from train.label_sheet import sheet_rows
    from train.manifest_text import decode
    from train.sheet_read import SheetError, read_sheet
    from train.side_file import SideFileError, read_side_file

    try:
        rows = sheet_rows(decode(read_side_file(sheet)))
    except (SideFileError, OSError, ValueError, csv.Error):
        return None
    every = cell_names([cell.strip() for row in rows for cell in row])
    cells: list[str] = []
    try:
        _, _, filed = read_sheet(Path(sheet), None, None, {}, None, {}, cells)
    except (SheetError, OSError, ValueError):  # no file column by its default names (filed with --file-column pid,
        return frozenset(every)  # cells p001 without a suffix): every cell's name, as no column can be told
    whole = {n for n in every if os.path.splitext(n)[1] in IMAGE_SUFFIXES}
    named = cell_names([film for film, _ in filed] + cells)
    if named and not named & _names_under(os.path.dirname(sheet)):  # its default column names no file there: it was
        return frozenset(every)  # filed with --file-column (png: p0 beside image: scan0.dcm), as where none is found
    return frozenset(whole | named)


def _names_under(root: str) -> set[str]:
    """Every file's name under ``root`` as a sheet's cell may give it: in lower case, and without an image suffix
    (a cell 'p0' names p0.png), mask and hidden folders passed over as file_by_label passes them."""
    names = {n.casefold() for _, files in sheet_folders(Path(root), Path(root) / ".none") for n in files}
    return names | {stem for stem, suffix in map(os.path.splitext, names) if suffix in IMAGE_SUFFIXES}


def _same_file(entry: Filed, path: str, copy: str = "") -> bool:
    """Whether ``path`` is the very file a hard link recorded in ``entry`` shares (its device and inode), or holds
    the bytes of ``copy``, the recorded copy in OUT still as it was filed (the disk refused links: a copy filed from
    a film moved with the export was left in its class, exit 0). Proof enough to say a filing, never to remove one."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return False
    if entry.how == "copy":
        return bool(copy) and stat.S_ISREG(st.st_mode) and st.st_size == entry.size and same_bytes(path, copy)
    return (st.st_dev, st.st_ino) == (entry.device, entry.inode)


def in_sheet_folder(entry: Filed, root: str | os.PathLike, copy: str = "",
                    found: dict[str, list[str]] | None = None) -> bool:
    """Whether a recorded film's path (as the sheet's folder held it, or the film's own) lies under ``root``, by
    absolute paths (a linked sub-folder of the export, batch2 -> /mnt/store) or with links resolved, or would were
    the export moved with its sheet since (train.filed_record.moved_path): the film there, or (a hard link) the file
    it led to there (a link sub1/l1.png to tgt/t1.png, moved to sub0/ within the moved export, its row removed, was
    left in its class, exit 0); a copy's (``copy``, its file in OUT) by its bytes there. A sheet of the same name is
    no proof alone: another hospital's export archived away. Its sheet renamed, then moved with the export (no sheet
    of its name there), the very file filed at its same place under ``root`` is (train.filed_record.moved_place); and,
    its sheet gone from its path, the very file filed anywhere under ``root`` by its name (``found``, every file there
    by its name in lower case: a film moved to another folder within the moved export was left in its class, exit 0)."""
    moved = moved_path(entry, entry.sheet_path, root)
    film = moved_path(entry, entry.film_path, root)
    if moved != entry.sheet_path and not os.path.lexists(moved) and not (film != entry.film_path
                                                                         and _same_file(entry, film, copy)):
        moved = ""
    if moved == entry.sheet_path and any((place := moved_place(entry, p, root)) != p and _same_file(entry, place, copy)
                                         for p in (entry.sheet_path, entry.film_path)):
        return True
    names = {os.path.basename(q).lower() for q in (entry.sheet_path, entry.film_path) if q}
    if entry.sheet and not os.path.lexists(entry.sheet) and any(
            _same_file(entry, p, copy) for name in names for p in (found or {}).get(name, ())):
        return True
    for path in (moved, entry.sheet_path, entry.film_path, entry.film):
        if path and lies_in(root, os.path.dirname(path)):
            return True
    return False


def names_recorded(entry: Filed, cells: list[str], root: str | os.PathLike, rel: str = "") -> bool:
    """Whether one of ``cells`` (a sheet's file cells whose film is not found or ambiguous) names a recorded film by
    its very path in the sheet's folder ``root`` (``d3/im.png``, in any case): another sheet's filing of that film is
    this sheet's to judge. A row moved to test_labels.csv, its film moved away and the row made CT, left the film
    filed under labels.csv's old label while test_labels.csv said exit 0. A bare name (p0.png) names it by its path
    too, but only where the sheet that filed it (``rel``, its file in OUT) names it no more: a row moved to
    test_labels.csv, its film renamed, the row made 'todo', left it filed with exit 0; while both sheets name it, it
    stays the first's to say. A bare name found elsewhere (im.png, filed from d3/) proves no film."""
    if not entry.sheet_path:
        return False
    place = moved_path(entry, entry.sheet_path, root)
    recorded, real, named = place.casefold(), os.path.realpath(place).casefold(), None
    for cell in cells:
        c = cell.replace("\\", "/")
        path = os.path.normpath(os.path.join(os.path.abspath(root), c))
        if path.casefold() != recorded and os.path.realpath(path).casefold() != real:  # the sheet read through a
            continue  # link to its folder (current -> export) names the path the record holds by the real folder
        if "/" in c:
            return True
        named = named_by_sheet(rel, entry) if named is None else named
        if not named:
            return True
    return False


def say_rowless(rel: str, entry: Filed, there: bool | None, root: str | os.PathLike, filing: Filing,
                copy: str = "", own: bool = False) -> bool:
    """Whether a recorded filing whose film no row of the sheet files now (``there``: still the file filed) is said:
    in filing.unplaced where a row left out names it by a cell whose film is not found or ambiguous; in
    filing.unnamed where its film lies in the sheet's folder and no row names it. A cell of a labelled row that is
    not found or ambiguous (said already, exit 1) names it too: nothing more said then. A film of another folder,
    still there, is another sheet's filed into the same OUT: left to train.stale_films. ``copy``: the filing's path
    in OUT where it is a recorded copy still as filed (its bytes prove a moved film, :func:`in_sheet_folder`).
    ``own``: its record names this very sheet: its film is this sheet's wherever it lies (a row naming
    /other/q.png by its path, removed, left q.png in its class, exit 0)."""
    names, ours = recorded_names(rel, entry), in_sheet_folder(entry, root, copy if there else "", filing.found)
    ours = ours or own or bool(entry.sheet) and entry.sheet in filing.moved_sheets
    moved = moved_path(entry, entry.sheet_path, root) != entry.sheet_path  # its sheet moved here with the export
    if ours or moved or not any(os.path.exists(p) for p in (entry.sheet_path, entry.film_path, entry.film) if p):
        if names & cell_names(filing.left_cells):  # not another sheet's film of that name, filed into this OUT
            if there:
                filing.unplaced.append(rel)
            return True
        if names & cell_names(filing.not_found + filing.ambiguous):
            return True
    if there and ours:
        filing.unnamed.append(rel)
        return True
    return False


def sheets_moved_here(record: dict[str, Filed], root: str | os.PathLike, out: str | os.PathLike) -> set[str]:
    """The recorded sheets (gone from their paths) whose export was moved to the sheet's folder ``root``: one of
    their filings is the very file at its same place under ``root`` (a hard link's inode; a copy's bytes). Every
    filing of such a sheet is this one's: a film whose row was removed, then deleted or renamed in the moved export,
    was in no sheet's folder and left in its class, exit 0. Proof to say a filing, never to remove one."""
    moved = set()
    for rel, entry in record.items():
        if entry.sheet and entry.sheet not in moved and (
                (place := moved_path(entry, entry.sheet_path, root)) != entry.sheet_path
                and _same_file(entry, place, os.path.join(out, rel))):
            moved.add(entry.sheet)
    return moved
