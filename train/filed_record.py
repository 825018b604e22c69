"""OUT/.filed.csv of ``python -m train.file_by_label``: each path it filed in OUT, from which film, and how.

Run again after a label is corrected, the command takes the film's old filing out of its old class folder. Told
apart by its name and bytes alone, a file of a sheet film's name and bytes anywhere in OUT was taken for it: a backup
copy of the export kept in OUT (export_backup/) was emptied on the first run, and two hospitals' sheets filed into one
OUT, each with an IM-0001.png of the same bytes, took each other's film out on every run. What it takes out now is
only a path this record says it filed from that very film, whose file is still the one it filed: the same inode for
a hard link; the same inode, size and modification time for a copy (a file put there since, or the copy rewritten,
is another). A film whose bytes changed since (a hospital's re-export) has its old hard link taken out all the
same; a copy is taken out only while it holds the film's bytes (train.stale_films).

One line a path: ``file`` (CLASS/NAME in OUT), ``film`` (the film's path from OUT, so that the two move together),
``how`` (link or copy), ``device``, ``inode``, ``size``, ``mtime_ns``, ``film_path`` (the film's absolute path: OUT
moved without the films leaves ``film`` leading nowhere), ``sheet_path`` (the film's path as the sheet's folder
holds it, absolute, links not resolved: a sheet film that is a symbolic link, re-pointed to a re-export, is another
``film`` but the same ``sheet_path``), ``sheet`` (the absolute path of the sheet that filed it: two sheets beside one
export, train_labels.csv and test_labels.csv, filed into one OUT each took the other's films for rows removed, exit 1
on every run); written whole, as one atomic replace. A record written while 0.55.0 was being built has no ``film_path``, and one written before
``sheet_path`` (8 columns) or ``sheet`` (9) was added none of those: all are read, an entry of no sheet as any sheet's. The record is a file a user
can edit: a line whose ``file`` is not CLASS/NAME in a folder of OUT itself (``Normal/../../notes.txt``, a link out
of OUT) is no filing of this command's, and is dropped on reading (a rerun removed the user's file it named); a
record that cannot be read whole is RecordUnreadable, never replaced.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from edge.atomic import write_bytes

RECORD = ".filed.csv"
COLUMNS = ["file", "film", "how", "device", "inode", "size", "mtime_ns", "film_path", "sheet_path", "sheet"]
OLD_COLUMNS = COLUMNS[:7]  # the first record, written while 0.55.0 was being built
READ_COLUMNS = (COLUMNS, COLUMNS[:9], COLUMNS[:8], OLD_COLUMNS)  # this one, before sheet, before sheet_path, the first


class RecordUnreadable(ValueError):
    """OUT/.filed.csv is there but cannot be read whole: kept as it is (another sheet's lines in it), not rewritten."""


@dataclass(frozen=True)
class Filed:
    """One path this command filed: the film (absolute, links resolved) and what the file it put there was."""
    film: str
    how: str  # 'link' (a hard link to the film) or 'copy' (the disk refused links)
    device: int
    inode: int
    size: int
    mtime_ns: int
    film_path: str = ""  # the film's absolute path when filed ('' in the first record)
    sheet_path: str = ""  # its path under the sheet's folder, absolute, links not resolved ('' in older records)
    sheet: str = ""  # the absolute path of the sheet that filed it ('' in older records: any sheet's)


def in_out(out: str | os.PathLike, rel: str) -> bool:
    """Whether ``rel`` is CLASS/NAME, a file directly in a class folder that is a real folder of ``out`` itself: no
    '..', no absolute path, no deeper path, no class folder that is a link out of OUT."""
    parts = rel.split("/")
    if len(parts) != 2 or any(p in ("", ".", "..") or "\\" in p or os.sep in p for p in parts) or os.path.isabs(rel):
        return False
    return os.path.realpath(os.path.join(out, parts[0])) == os.path.join(os.path.realpath(out), parts[0])


def record_path(out: str | os.PathLike) -> Path:
    return Path(out) / RECORD


def read_record(out: str | os.PathLike) -> dict[str, Filed] | None:
    """CLASS/NAME -> what was filed there, of the record in ``out``; None where there is none (an OUT filed by
    0.54.0 or earlier). Lines naming no file of OUT's class folders (:func:`in_out`) are dropped. Raises
    RecordUnreadable where it is there but cannot be read whole: nothing is taken out by it then (never a guess),
    and it is not overwritten (another sheet's lines would be lost)."""
    path = record_path(out)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise RecordUnreadable(e.strerror or str(e)) from None
    base = os.path.realpath(out)
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8", "surrogateescape"))))
    except csv.Error as e:
        raise RecordUnreadable(f"not CSV: {e}") from None
    if not rows or rows[0] not in READ_COLUMNS:
        raise RecordUnreadable("its first line is not the record's header")
    record: dict[str, Filed] = {}
    for n, r in enumerate(rows[1:], 2):
        if not r:
            continue
        try:
            if not len(OLD_COLUMNS) <= len(r) <= len(rows[0]) or r[2] not in ("link", "copy"):
                raise ValueError
            entry = Filed(os.path.normpath(os.path.join(base, r[1])), r[2], *map(int, r[3:7]),
                          *(os.path.normpath(p) if p else "" for p in r[7:10]))
        except ValueError:
            raise RecordUnreadable(f"line {n} is not a line of it") from None
        if in_out(out, r[0]):
            record[r[0]] = entry
    return record


def write_record(out: str | os.PathLike, record: dict[str, Filed]) -> None:
    """``record`` written to ``out``/.filed.csv as one atomic replace (edge.atomic): a killed run leaves the old
    record or the new one, never half of one, which would leave the other half's films in their old class."""
    base = os.path.realpath(out)
    text = io.StringIO()
    w = csv.writer(text, lineterminator="\n")
    w.writerow(COLUMNS)
    for rel in sorted(record):
        e = record[rel]
        w.writerow([rel, os.path.relpath(e.film, base), e.how, e.device, e.inode, e.size, e.mtime_ns,
                    e.film_path or e.film, e.sheet_path, e.sheet])
    data = text.getvalue().encode("utf-8", "surrogateescape")
    try:
        with open(record_path(out), "rb") as f:
            if f.read(len(data) + 1) == data:
                return  # as it is: a rerun that changed nothing rewrote it, and a backup tool saw a change each run
    except OSError:
        pass
    write_bytes(record_path(out), data)


def filed_now(out: str | os.PathLike, rel: str, film: str, sheet: str | os.PathLike = "") -> Filed | None:
    """The entry of ``film``'s file at ``out``/``rel`` as it is now, filed by ``sheet``: a hard link where it is the
    film itself (the same inode), else a copy; None where no plain file is there."""
    try:
        st = os.lstat(os.path.join(out, rel))
        same = os.path.samefile(film, os.path.join(out, rel))
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    real = os.path.realpath(film)
    return Filed(real, "link" if same else "copy", st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, real,
                 os.path.abspath(film), os.path.abspath(sheet) if sheet else "")


def moved_path(entry: Filed, path: str, root: str | os.PathLike) -> str:
    """``path`` (an entry's ``sheet_path`` or ``sheet``) in the sheet's folder ``root`` now, where the export was
    moved with its sheet since (its sheet gone from the path recorded): the same place under ``root``; else as
    recorded. Read at the old place, a film whose row was removed before or after ``mv export export2`` lay in no
    sheet's folder and was left in its class, exit 0; the other sheet of the folder moved with it is known too."""
    if not entry.sheet or not os.path.isfile(os.path.join(root, os.path.basename(entry.sheet))):
        return path  # its sheet not moved here with it: as recorded
    return moved_place(entry, path, root)


def moved_place(entry: Filed, path: str, root: str | os.PathLike) -> str:
    """``path`` at the same place under ``root`` where the entry's sheet is gone from its path and ``path`` lay in
    that sheet's folder, whether or not a sheet of its name is in ``root`` now (renamed, then moved with the export:
    labels.csv made labels_v2.csv); else as recorded. No proof alone: a place is the film's only where the very file
    filed is there (train.rowless_filings)."""
    if not (entry.sheet and path) or os.path.lexists(entry.sheet):
        return path
    rel = os.path.relpath(path, os.path.dirname(entry.sheet))
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return path
    return os.path.normpath(os.path.join(os.path.abspath(root), rel))


def same_sheet_place(entry: Filed, path: str, sheet: str | os.PathLike) -> str:
    """``path`` (an entry's, in its sheet's folder) at the same place in ``sheet``'s folder where the entry's sheet is
    ``sheet`` reached by another path (its real folder recorded, the run through a link to it: current -> export);
    else as recorded. Kept by the real path, a filing no row names lost its sheet when the export then moved
    (current re-pointed): no other filing of that path proved it moved, and it was left in its class, exit 0."""
    if not (entry.sheet and path) or entry.sheet == os.path.abspath(sheet) or not same_sheet_by_folder(entry, sheet):
        return path
    rel = os.path.relpath(path, os.path.dirname(entry.sheet))
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return path
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(sheet)), rel))


def same_sheet_by_folder(entry: Filed, sheet: str | os.PathLike) -> bool:
    """Whether ``entry``'s sheet is ``sheet`` in the same folder reached by another path (current -> export): not a
    sheet that is a link to another folder's (A/labels.csv -> B/labels.csv), whose films are A's, not those B filed."""
    try:
        return bool(entry.sheet) and os.path.samefile(entry.sheet, sheet) and os.path.samefile(
            os.path.dirname(entry.sheet), os.path.dirname(os.path.abspath(sheet)))
    except OSError:
        return False


def other_sheets(entry: Filed, sheet: str | os.PathLike) -> bool:
    """Whether ``entry`` was filed by another sheet than ``sheet`` that is still there (test_labels.csv beside
    train_labels.csv, filed into one OUT), or moved with this one's folder (:func:`moved_path`): its films are that
    sheet's, not rows removed from this one. An entry of no sheet (an older record) or of a sheet gone from its path
    (the sheet renamed or removed) is any sheet's, this one's too, as before the column was added. The same file
    reached by another path (a link to the export, another mount) is this sheet."""
    was = moved_path(entry, entry.sheet, os.path.dirname(os.path.abspath(sheet)))
    if not was or was == os.path.abspath(sheet) or not os.path.isfile(was):
        return False
    try:  # the same sheet by another path (current -> export-2026-12): this one's, else a removed row's film was kept
        return not os.path.samefile(was, sheet)
    except OSError:
        return True


def still_filed(out: str | os.PathLike, rel: str, entry: Filed) -> bool | None:
    """Whether ``out``/``rel`` is still the file this command put there (``entry``); None where nothing is there
    (a folder of its path no folder now too); False where it cannot be told.
    A hard link is its inode (the film rewritten in place changes its time, and the link's with it); a copy is its
    inode, size and time too: a file put in its place, or rewritten, is not the copy filed."""
    try:
        st = os.lstat(os.path.join(out, rel))
    except (FileNotFoundError, NotADirectoryError):  # its class folder made a file: nothing there either (said
        return None  # 'not known to be ours, remove it by hand' on every run, exit 1, with nothing to remove)
    except OSError:  # a folder not searchable: the file may be there still, its line kept (None dropped it)
        return False
    if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != (entry.device, entry.inode):
        return False
    return entry.how == "link" or (st.st_size, st.st_mtime_ns) == (entry.size, entry.mtime_ns)


def replaced(out: str | os.PathLike, rel: str, entry: Filed) -> bool:
    """Whether ``out``/``rel`` now holds another file than the one filed (another inode, a folder, a FIFO): a user's
    own put in its place. Its line is no filing of this command's now; kept, it was said on every run (exit 1)."""
    try:
        st = os.lstat(os.path.join(out, rel))
    except OSError:
        return False
    return not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != (entry.device, entry.inode)
