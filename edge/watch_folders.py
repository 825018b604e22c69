"""The folders a watch (edge.watch) is given, each watched once.

A folder given twice under two paths (``incoming`` and ``/srv/incoming``, a link to it, a share's two mount paths)
or, under --recursive, a folder inside another given (before or after it), was listed under each path: every film
that arrived was answered twice, under two names, and counted twice in the tallies a site compares with its own
rate. Each is told apart by its real path (os.path.realpath, once at the start); the first path given is the one its
films are named by, and under --recursive the outer folder's.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from edge.output import said_name


def watched_once(folders: list[Path], recursive: bool, say: Callable[[str], None]) -> list[Path]:
    """``folders`` without those another given before already covers, each left out said once (``say``)."""
    kept: list[tuple[Path, str]] = []
    for folder in folders:
        real = os.path.realpath(folder)
        first = next((k for k, r in kept if r == real or recursive and real.startswith(os.path.join(r, ""))), None)
        if first is None:
            if recursive:  # a folder given before inside this one (in/sub, then in): watched as part of this one
                inside = [(k, r) for k, r in kept if r.startswith(os.path.join(real, ""))]
                for k, _ in inside:
                    say(f"note: {said_name(str(k))} is inside the watched folder {said_name(str(folder))} (--recursive): watched once, as part of it, "
                        "so that no film is answered twice")
                kept = [x for x in kept if x not in inside]
            kept.append((folder, real))
        elif str(first) != str(folder):  # given twice alike: the same names, listed once already
            how = (f"inside the watched folder {said_name(str(first))} (--recursive): watched once, as part of it" if
                   os.path.realpath(first) != real else
                   f"the watched folder {said_name(str(first))} under another path: watched once, as {said_name(str(first))}")
            say(f"note: {said_name(str(folder))} is {how}, so that no film is answered twice")
    return [k for k, _ in kept]


def unreadable_text(folder: str, watched: bool, e: OSError) -> str:
    """The warning a watch gives once when a folder cannot be read (``watched``: one given, not a sub-folder), its
    name quoted (edge.output.said_name): a newline in it forged a line of stderr, an ESC ran on the terminal."""
    return (f"warning: cannot read the {'watched ' if watched else ''}folder {said_name(folder)} ({e.strerror or e}); "
            "its films are not answered until it can be; still watching")
