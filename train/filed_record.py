"""OUT/.filed.csv of ``python -m train.file_by_label``: each path it filed in OUT, from which film, and how.

Run again after a label is corrected, the command takes the film's old filing out of its old class folder. Told
apart by its name and bytes alone, a file of a sheet film's name and bytes anywhere in OUT was taken for it: a backup
copy of the export kept in OUT (export_backup/) was emptied on the first run, and two hospitals' sheets filed into one
OUT, each with an IM-0001.png of the same bytes, took each other's film out on every run. What it takes out now is
only a path this record says it filed from that very film, whose file is still the one it filed: the same inode for
a hard link; the same inode, size and modification time for a copy (a file put there since, or the copy rewritten,
is another). A film whose bytes changed since (a hospital's re-export) has its old filing taken out all the same.

One line a path: ``file`` (CLASS/NAME in OUT), ``film`` (the film's path from OUT, so that the two move together),
``how`` (link or copy), ``device``, ``inode``, ``size``, ``mtime_ns``; written whole, as one atomic replace.
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
COLUMNS = ["file", "film", "how", "device", "inode", "size", "mtime_ns"]


@dataclass(frozen=True)
class Filed:
    """One path this command filed: the film (absolute, links resolved) and what the file it put there was."""
    film: str
    how: str  # 'link' (a hard link to the film) or 'copy' (the disk refused links)
    device: int
    inode: int
    size: int
    mtime_ns: int


def record_path(out: str | os.PathLike) -> Path:
    return Path(out) / RECORD


def read_record(out: str | os.PathLike) -> dict[str, Filed] | None:
    """CLASS/NAME -> what was filed there, of the record in ``out``; None where there is none (an OUT filed by
    0.54.0 or earlier) or it cannot be read whole (then nothing is taken out by it: never a guess)."""
    path = record_path(out)
    try:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
    except OSError:
        return None
    base = os.path.realpath(out)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != COLUMNS:
        return None
    record: dict[str, Filed] = {}
    try:
        for r in rows[1:]:
            if r:
                record[r[0]] = Filed(os.path.normpath(os.path.join(base, r[1])), r[2], *map(int, r[3:7]))
    except (ValueError, IndexError, TypeError):
        return None
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
        w.writerow([rel, os.path.relpath(e.film, base), e.how, e.device, e.inode, e.size, e.mtime_ns])
    write_bytes(record_path(out), text.getvalue().encode("utf-8", "surrogateescape"))


def filed_now(out: str | os.PathLike, rel: str, film: str) -> Filed | None:
    """The entry of ``film``'s file at ``out``/``rel`` as it is now: a hard link where it is the film itself (the same
    inode), else a copy; None where no plain file is there."""
    try:
        st = os.lstat(os.path.join(out, rel))
        same = os.path.samefile(film, os.path.join(out, rel))
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return Filed(os.path.realpath(film), "link" if same else "copy", st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def still_filed(out: str | os.PathLike, rel: str, entry: Filed) -> bool | None:
    """Whether ``out``/``rel`` is still the file this command put there (``entry``); None where nothing is there.
    A hard link is its inode (the film rewritten in place changes its time, and the link's with it); a copy is its
    inode, size and time too: a file put in its place, or rewritten, is not the copy filed."""
    try:
        st = os.lstat(os.path.join(out, rel))
    except FileNotFoundError:
        return None
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != (entry.device, entry.inode):
        return False
    return entry.how == "link" or (st.st_size, st.st_mtime_ns) == (entry.size, entry.mtime_ns)
