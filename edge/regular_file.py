"""A file's bytes, read only if it is a regular file and not too large, never waiting for one that is not.

A plain open() of a FIFO waits for a writer forever, and a link to /dev/zero is read until memory runs out:
a film, or a data folder's MANIFEST.csv or README.md, may be either. So the file is opened without waiting,
asked what it is, and held to a limit by its size before it is read. Films (edge.preprocess) and a data
folder's side files (train.side_file) each say in their own words what was refused. Standard library only.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class NotAFile(ValueError):
    """What the path is instead of a regular file: 'a folder', 'a FIFO (a named pipe)', 'a socket', 'a device'."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class TooLarge(ValueError):
    """A file over the limit: ``size`` bytes (at least), ``limit`` allowed."""

    def __init__(self, size: int, limit: int):
        super().__init__(f"{size} bytes, more than {limit}")
        self.size, self.limit = size, limit


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (a named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"


def read_regular(path: str | Path, limit: int, head: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` (``head``: its first ``head`` bytes, whatever its size).
    Raises NotAFile for anything else, TooLarge for a file over ``limit`` bytes (by its size, before it is
    read, or as it grew while read), and OSError as open() does (not there, not readable)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:  # on Linux a folder opens, and fstat says what it is
        raise NotAFile("a folder") from None
    except OSError as e:
        if e.errno == errno.ENXIO:  # a socket cannot be opened
            raise NotAFile("a socket") from None
        if e.errno == errno.EACCES and os.path.isdir(path):  # Windows: a folder is "permission denied"
            raise NotAFile("a folder") from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotAFile(_kind(st.st_mode))
    with open(fd, "rb") as f:
        if head is not None:
            return f.read(head)
        if st.st_size > limit:
            raise TooLarge(st.st_size, limit)
        # Its own size, not the limit: read(n) reserves n bytes first, and 256 MB reserved for a 25 KB film
        # failed every film under a Pi service's address-space limit (ulimit -v 500 MB) as "no memory".
        data = f.read(st.st_size + 1)
        while len(data) <= limit:  # it grew as it was read (a film still being copied)
            more = f.read(min(limit + 1 - len(data), 1 << 24))
            if not more:
                return data
            data += more
        raise TooLarge(len(data), limit)
