"""A file written under a name no file in its folder has, never over one (edge-classify --explain's maps).

Two runs writing maps into one folder, or a watch that read the folder's names at its start, must never
replace each other's files; and a kill -9 must never leave an empty or half-written file under a real name.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from edge.atomic import temporary_file


def write_new(out_dir: Path, stem: str, suffix: str, taken: set[str], draw: Callable[[Path, bool], None]) -> Path:
    """Write a file (``draw(tmp, first)``: ``first`` where it takes the name ``stem + suffix`` itself, not
    ``stem-2`` ...) under a name in ``out_dir`` that no file has, and return its path. The picture is written whole under a temporary
    name, then linked to the new name, which fails rather than replace a file: a watch that read the
    folder's names at its start overwrote the maps another run wrote later, and a name claimed empty
    before its picture was written stayed empty after a kill -9. ``taken``: the names (case-folded)
    already known to be in use."""
    drawn = None  # for which kind of name the temporary file holds the picture
    with temporary_file(out_dir / f"{stem}{suffix}") as tmp:
        n = 0
        while True:
            n += 1
            name = f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}"
            # the same name in two folders; A.png and a.png are one file on Windows and macOS
            if name.casefold() in taken or os.path.lexists(out_dir / name):
                continue
            taken.add(name.casefold())
            if drawn != (n == 1):
                draw(tmp, n == 1)
                with open(tmp, "rb+") as f:
                    os.fsync(f.fileno())
                drawn = n == 1
            try:
                os.link(tmp, out_dir / name)
                return out_dir / name
            except FileExistsError:  # another run took the name meanwhile
                continue
            except OSError:  # no hard links here (FAT, exFAT, some network shares): claim the name, then rename
                try:
                    os.close(os.open(out_dir / name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
                except FileExistsError:
                    continue
                try:
                    os.replace(tmp, out_dir / name)
                except BaseException:
                    (out_dir / name).unlink(missing_ok=True)  # the name claimed, never written
                    raise
                return out_dir / name
