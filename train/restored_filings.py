"""A filing of ``python -m train.file_by_label`` copied back into OUT from a backup of it (OUT restored): another
inode than OUT/.filed.csv (train.filed_record) records, so no longer known as the file filed.

Copied back with its size and times (``cp -a``, a backup tool) and holding the film's bytes, it is the filing still:
train.stale_films takes it out as one (review 73g). Copied back without its times (``cp -R``: new times) only its
bytes tell it, and a user's own ``cp`` of the film is the same (review 73f): never taken out, but said on every run
while it is there (exit 1), since the film would be trained under its old label too (fuzz seeds 150020, 150086).
"""

from __future__ import annotations

import os
import stat

from train.filed_record import Filed, moved_path
from train.unrecorded_films import same_bytes


def restored(path: str, entry: Filed, film: str) -> bool:
    """Whether ``path`` is ``entry``'s filing copied back with its size and times (OUT restored from a backup: another
    inode) and the film's bytes: this command's still. A user's own `cp` (new times) is not (review 73f)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (stat.S_ISREG(st.st_mode) and (st.st_size, st.st_mtime_ns) == (entry.size, entry.mtime_ns)
            and same_bytes(film, path))


def copied_back(path: str, entry: Filed, *films: str) -> bool:
    """Whether ``path``, a file of another inode than ``entry`` records, holds the bytes of the film it was filed from
    (``films``: the sheet's film; or, its row removed, the film's recorded paths and their places in the export moved
    since): OUT restored by ``cp -R``, or a user's own copy. Proof enough to say it, never to take it out."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) == (entry.device, entry.inode):
        return False
    return any(source and os.path.isfile(source) and same_bytes(source, path) for source in dict.fromkeys(films))


def rowless_copied_back(path: str, entry: Filed, root: str | os.PathLike) -> bool:
    """Whether ``path`` is a recorded filing no row files now (its row removed, or left out) copied back under another
    inode: with the bytes of its film at its recorded paths or their same places in the sheet's folder ``root``, the
    export moved with its sheet since (train.filed_record.moved_path; seed 150047); its film found nowhere (deleted,
    its row now lateral or 'todo'), a file of the recorded size, whose bytes nothing can be compared with (seed
    150108). Only ever said (train.rowless_filings), never taken out."""
    moved = (moved_path(entry, p, root) for p in (entry.sheet_path, entry.film_path) if p)
    places = tuple(dict.fromkeys(p for p in (entry.film, entry.film_path, *moved) if p))
    if any(os.path.isfile(p) for p in places):
        return copied_back(path, entry, *places)
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_size == entry.size and (st.st_dev, st.st_ino) != (entry.device,
                                                                                                 entry.inode)
