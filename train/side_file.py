"""The files kept beside a data folder's films (MANIFEST.csv, README.md, the Kaggle *.metadata.xlsx
sheets), read as films are (edge.regular_file): without waiting and only if they are
regular files. A plain open() of a FIFO named README.md waits for a writer forever, and a
MANIFEST.csv linked to /dev/zero is read until the machine's memory runs out; each is refused here
with a message that names the file and says what it is.
"""

from __future__ import annotations

import os
from pathlib import Path

from edge.regular_file import NotAFile, TooLarge, read_regular

# a MANIFEST.csv of a million films with a line of notes each is about 200 MiB; a real metadata sheet, well under 1
SIDE_FILE_LIMIT = 256 * 2**20


class SideFileError(ValueError):
    """A side file that is not read: a folder, a FIFO, a device or socket, or one far larger than any
    real one. The message starts with the file's path and says what it is."""


def _named(path: Path) -> str:
    """``path``, and where it is a link, what it leads to: a link to /dev/zero is said as one."""
    from edge.output import said_name  # a newline in the path forged a line of the error, an ESC ran on the terminal

    return f"{said_name(str(path))} (a link to {said_name(os.readlink(path))})" if path.is_symlink() else said_name(str(path))


def read_side_file(path: str | Path, limit: int = SIDE_FILE_LIMIT, head: int | None = None) -> bytes:
    """The bytes of the regular file ``path`` (``head``: its first ``head`` bytes only, whatever its
    size; edge.regular_file). Raises SideFileError for a folder, a FIFO, a device or a socket (never
    waiting for one) and for a file over ``limit`` bytes, refused by its size before any of it is read;
    OSError as open() does (a file that is not there, or not readable)."""
    path = Path(path)
    try:
        return read_regular(path, limit, head)
    except NotAFile as e:
        if e.kind == "a folder":
            raise SideFileError(f"{_named(path)} is a folder, not a file") from None
        raise SideFileError(f"{_named(path)} is {e.kind}, not a file: not read, as reading it could wait or go on "
                            "forever") from None
    except TooLarge as e:
        raise SideFileError(f"{_named(path)} is {e.size / 2**20:.0f} MiB, more than the {limit // 2**20} MiB limit "
                            "(generous: a real one is a few MiB at most): not read") from None
