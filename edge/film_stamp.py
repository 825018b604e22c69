"""When a file under a name is still the film a running watch (edge.watch) saw moments ago.

A film's stamp is (size, mtime in ns, inode, ctime in ns). The same size and modification time, and the
same inode or else the same change time, make the same film. The inode alone may change: FAT and exFAT
volumes, and SMB shares without server inode numbers, number a file anew as the kernel forgets it. The
change time alone may change too: a chmod, a chown, a new hard link, an ACL or a file server's attribute
move it, and a film answered must not be answered again for those. Another film moved in under the name
(``mv``, ``rsync -t``, ``cp -p`` onto a new name) brings both its own inode and its own change time, even
where it keeps the old size and modification time. A restart (edge.answered) demands the change time too:
while no watch ran, a film may have been removed and another written under its name with its size and time,
taking its freed inode number (ext4 hands it out again at once).
"""

from __future__ import annotations

import os

# (size, mtime in ns, inode, ctime in ns)
Stamp = tuple[int, int, int, int]


def same_film(a: Stamp, b: Stamp) -> bool:
    """Whether stamps ``a`` and ``b`` are of the same film, as it was (see the module)."""
    return a[0] == b[0] and a[1] == b[1] and (a[2] == b[2] or a[3] == b[3])


def written_stamp(stamp: Stamp) -> dict[str, int]:
    """The "written" field of a watch's answer: the film's stamp as it was classified, for --skip-answered."""
    return {"bytes": stamp[0], "modified_ns": stamp[1], "changed_ns": stamp[3]}  # an inode number may be reused


def stamp(st: os.stat_result) -> Stamp:
    """A file's stamp, from its stat (edge.watch takes one on each look at a file)."""
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns
