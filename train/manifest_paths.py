"""How a MANIFEST.csv row's path names a film: written tidily or not (row_name: ``./COVID/a.png``,
``COVID//a.png``, ``Normal/../COVID/a.png``, and an absolute path into the data folder, as ``find $PWD``
writes it, all name COVID/a.png), and, where no row names a film, what the rows look like (unlike_films): absolute
paths from another machine, the folder's own name in front. Every film became "(not given)" without a word why.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from edge.output import said_name


def row_name(written: str, inside: "Inside | None" = None) -> str:
    """A row's film path as a film's is named: forward slashes, no ``.``, ``..`` or ``//`` steps
    (posixpath.normpath), and an absolute path that lies in the data folder (``inside``) made
    relative to it. '' for a blank one; a path outside the folder stays as written, tidied."""
    name = written.replace("\\", "/")
    if not name:
        return ""
    name = posixpath.normpath(name)
    if name.startswith("//"):  # normpath keeps two leading slashes (POSIX leaves them to the system)
        name = "/" + name.lstrip("/")
    if name.startswith("/") and inside is not None:
        name = inside.relative(name) or name
    return "" if name == "." else name


class Inside:
    """Which absolute paths lie in a data folder: under it as given, as made absolute, or where a
    folder above the path is the data folder's real one (a link to it, a mount seen by another name)."""

    def __init__(self, data_dir: Path) -> None:
        self._prefixes = {os.path.abspath(data_dir), os.path.realpath(data_dir)}
        self._real = os.path.realpath(data_dir)
        self._reals: dict[str, str] = {}

    def relative(self, name: str) -> str | None:
        """``name`` (absolute, normalised) relative to the data folder, or None where it lies outside."""
        for prefix in self._prefixes:
            if name.startswith(prefix.rstrip("/") + "/"):
                return name[len(prefix.rstrip("/")) + 1:]
        folder = posixpath.dirname(name)
        while folder not in ("/", ""):
            real = self._reals.get(folder)
            if real is None:
                real = self._reals[folder] = os.path.realpath(folder)
            if real == self._real:
                return name[len(folder) + 1:]
            folder = posixpath.dirname(folder)
        return None


def unlike_films(names: list[str], data_dir: Path, film: str, said: bool = False) -> str | None:
    """What MANIFEST.csv's row paths look like where none names a film, and how to write them, or None
    (``said``: rows in the class folders were named as strays already). Absolute rows that lie in the
    folder match (row_name); these lead elsewhere: written on another machine, or of another copy."""
    own = (Path(data_dir).resolve().name or "").casefold()

    def shape(name: str) -> str:
        if name.startswith("/") or (len(name) > 2 and name[1] == ":" and name[2] == "/"):  # C:/ as Windows writes it
            return "absolute"
        if name == ".." or name.startswith("../"):
            return "up"
        return "own" if own and name.split("/", 1)[0].casefold() == own and "/" in name else "other"

    shapes: dict[str, list[str]] = {}
    for name in names:
        shapes.setdefault(shape(name), []).append(name)
    kind, of_kind = max(shapes.items(), key=lambda kv: len(kv[1]))
    example = of_kind[0]
    if kind == "absolute":
        return (f"its rows are absolute paths (e.g. {example}), not in {said_name(str(data_dir))}: write them relative to {said_name(str(data_dir))} "
                f"(e.g. {film})")
    if kind == "up":
        return (f"its rows lead out of {said_name(str(data_dir))} (e.g. {example}): write them relative to {said_name(str(data_dir))} (e.g. {film})")
    if kind == "own":
        return (f"its rows start with the folder's own name (e.g. {example}): write them relative to {said_name(str(data_dir))}, "
                f"without it (e.g. {film})")
    return None if said else (f"its rows name paths such as {example}, and the films' paths relative to {said_name(str(data_dir))} "
                              f"are such as {film}: is it another set's manifest?")
