"""The class folders of OUT that train.stale_films looks in, and a film's second filing there that OUT/.filed.csv
does not name, said (train.file_by_label).

Only the class folders of the sheet's labels, each a real folder of OUT (no link): an OUT filed by 0.54.0 has no
record, and searching every folder of OUT for a film's hard links emptied a backup of the export kept in OUT
(``cp -al export OUT/backup``) on the first run. With a record, a file of a film's filed name holding its bytes (or
the film itself, by its inode) in a class folder the sheet does not give it, and not in the record (a copy 0.54.0
made, a user's copy), was never looked at: after a relabel the film sat in two classes, exit 0. It is said now as
not known to be this command's filing (exit 1), and never taken out: a copy is never removed unknown.
"""

from __future__ import annotations

import filecmp
import os
import stat

from train.filing import Filing


def real_folders(out: str | os.PathLike, names: set[str]) -> set[str]:
    """Those of ``names`` that are real folders directly in ``out`` (not links, not hidden): the class folders of
    the sheet's labels that this command may look in. A folder that is a link may lead anywhere (out of OUT)."""
    found = set()
    for name in names:
        if name.startswith("."):
            continue
        try:
            if stat.S_ISDIR(os.lstat(os.path.join(out, name)).st_mode):
                found.add(name)
        except OSError:
            continue
    return found


def class_files(out: str | os.PathLike, classes: set[str]) -> list[tuple[str, os.stat_result]]:
    """(CLASS/NAME, its lstat) of each entry directly in OUT's folders of ``classes``."""
    found = []
    for folder in sorted(classes):
        try:
            entries = list(os.scandir(os.path.join(out, folder)))
        except OSError:
            continue
        for entry in entries:
            try:
                found.append((f"{folder}/{entry.name}", entry.stat(follow_symlinks=False)))
            except OSError:
                continue
    return found


def film_names(film: str, filing: Filing) -> set[str]:
    """The names, in any case, a film of the sheet is or was filed under: its own and its name in its class folder."""
    return {os.path.basename(film).casefold(), filing.names.get(film, os.path.basename(film)).casefold()}


def same_bytes(film: str, path: str) -> bool:
    """Whether ``path`` holds ``film``'s bytes; False where either cannot be read."""
    try:
        return filecmp.cmp(film, path, shallow=False)
    except OSError:
        return False


def say_unrecorded(recorded: set[str], placed: set[str], out: str | os.PathLike, filing: Filing,
                   classes: set[str], spared) -> None:
    """Each file in a class folder of ``classes`` that the record did not name (``recorded``), is not where a film
    is filed now (``placed``), has a sheet film's filed name and is that film (its inode) or holds its bytes:
    added to filing.unsure (said, exit 1), never removed. ``spared(path, film)``: a file never looked at (the film
    itself, one in the sheet's own folders)."""
    by_name: dict[str, list[str]] = {}
    for rel, _ in class_files(out, classes):
        if rel not in recorded and rel not in placed and rel not in filing.unsure:
            by_name.setdefault(rel.rsplit("/", 1)[1].casefold(), []).append(rel)
    if not by_name:
        return
    for film in sorted(filing.named):
        rels = sorted({rel for name in film_names(film, filing) for rel in by_name.get(name, ())})
        if not rels:
            continue
        try:
            st = os.stat(film)
        except OSError:
            continue
        for rel in rels:
            path = os.path.join(out, rel)
            try:
                there = os.stat(path)  # a symbolic link to the film is the film in that class too
            except OSError:
                continue
            if rel in filing.unsure or not stat.S_ISREG(there.st_mode) or spared(path, film):
                continue
            if (there.st_dev, there.st_ino) == (st.st_dev, st.st_ino) or (
                    there.st_size == st.st_size and same_bytes(film, path)):
                filing.unsure.append(rel)  # the film in a second class, not known to be this command's filing
