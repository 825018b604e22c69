"""The files kept beside a data folder's films (MANIFEST.csv, README.md, the Kaggle *.metadata.xlsx
sheets), read as films are (edge.preprocess.read_regular_file): without waiting and only if they are
regular files. A plain open() of a FIFO named README.md waits for a writer forever, and a
MANIFEST.csv linked to /dev/zero is read until the machine's memory runs out; each is refused here
with a message that names the file and says what it is. Standard library only: the device-side
evaluation reads README.md too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# a MANIFEST.csv of a million films with a line of notes each is about 200 MiB; a real metadata sheet, well under 1
SIDE_FILE_LIMIT = 256 * 2**20


class SideFileError(ValueError):
    """A side file that is not read: a folder, a FIFO, a device or socket, or one far larger than any
    real one. The message starts with the file's path and says what it is."""


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (a named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _named(path: Path) -> str:
    """``path``, and where it is a link, what it leads to: a link to /dev/zero is said as one."""
    return f"{path} (a link to {os.readlink(path)})" if path.is_symlink() else str(path)


def read_side_file(path: str | Path, limit: int = SIDE_FILE_LIMIT, head: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` (``head``: its first ``head`` bytes only, whatever its
    size). Raises SideFileError for a folder, a FIFO, a device or a socket (never waiting for one)
    and for a file over ``limit`` bytes, refused by its size before any of it is read; OSError as
    open() does (a file that is not there, or not readable)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except IsADirectoryError:  # Windows; on Linux a folder opens, and fstat says what it is
        raise SideFileError(f"{_named(path)} is a folder, not a file") from None
    except OSError as e:
        if e.errno == getattr(os, "ENXIO", None):  # a socket cannot be opened
            raise SideFileError(f"{_named(path)} is a socket, not a file") from None
        raise
    st = os.fstat(fd)
    if stat.S_ISDIR(st.st_mode):  # before open(fd), which would say only "Is a directory"
        os.close(fd)
        raise SideFileError(f"{_named(path)} is a folder, not a file")
    with open(fd, "rb") as f:
        if not stat.S_ISREG(st.st_mode):
            raise SideFileError(f"{_named(path)} is {_kind(st.st_mode)}, not a file: not read, as reading it could "
                                "wait or go on forever")
        if head is not None:
            return f.read(head)
        if st.st_size > limit:
            raise SideFileError(f"{_named(path)} is {st.st_size / 2**20:.0f} MiB, more than the {limit // 2**20} MiB "
                                "limit (generous: a real one is a few MiB at most): not read")
        data = f.read(limit + 1)  # a file that grew while it was read is still held to the limit
        if len(data) > limit:
            raise SideFileError(f"{_named(path)} is more than the {limit // 2**20} MiB limit (generous: a real one is a "
                                "few MiB at most): not read")
        return data
