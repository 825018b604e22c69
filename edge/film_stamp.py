"""When a file under a name is still the film it was: one rule for a running watch (edge.watch) and for a
restart that reads its log (edge.answered, --skip-answered).

A film's stamp is (size, mtime in ns, inode, ctime in ns). The same size and modification time, and the
same inode or else the same change time, make the same film. The inode alone may change: FAT and exFAT
volumes, and SMB shares without server inode numbers, number a file anew as the kernel forgets it. The
change time alone may change too: a chmod, a chown, a new hard link, an ACL or a file server's attribute
move it, and a film answered must not be answered again for those. Another film moved in under the name
(``mv``, ``rsync -t``, ``cp -p`` onto a new name) brings both its own inode and its own change time, even
where it keeps the old size and modification time. Two rules, one for the running watch and one for a
restart, answered a chmod'ed film once and then again after each restart.
"""

from __future__ import annotations

from typing import Callable, Optional

# (size, mtime in ns, inode, ctime in ns); in a log written by 0.34 or earlier the inode is missing (None)
Stamp = tuple[int, int, int, int]
Logged = tuple[int, int, Optional[int], int]


def _exact(a: int | None, b: int | None) -> bool:
    return a == b


def same_film(a: Logged, b: Logged, equal: Callable[[int | None, int | None], bool] = _exact) -> bool:
    """Whether stamps ``a`` and ``b`` are of the same film, as it was (see the module). ``equal``
    compares two numbers (a log's may have been rounded to doubles: edge.answered)."""
    return (equal(a[0], b[0]) and equal(a[1], b[1])
            and (a[2] is not None and b[2] is not None and equal(a[2], b[2]) or equal(a[3], b[3])))


def written_stamp(stamp: Stamp) -> dict[str, int]:
    """The "written" field of a watch's answer: the film's stamp as it was classified, for --skip-answered."""
    return {"bytes": stamp[0], "modified_ns": stamp[1], "changed_ns": stamp[3], "inode": stamp[2]}
