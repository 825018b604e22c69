"""The warnings a data phase said, kept so that a stopped cxr-train, run again, says them again.

The data phase warns on stderr about what it found in the films (copies, a shortcut the archives offer, films
without a MANIFEST.csv row, test figures that few films make rough). A call stopped after it (Ctrl-C, a tmux that
died) and run again goes on from its record (train.prepared) without reading the films, and said only that the
warnings were in prepared.json: whoever read that terminal alone missed them. The data phase's warnings are heard
here as train.prepare.log says them, recorded in prepared.json, and said again, in the same words and order, by
the call that goes on."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

WARNING = "warning: "  # how a warning's line begins after 'cxr-train: '
_heard: list[list[str]] = []  # the warnings of each data phase now running, innermost last


@contextmanager
def hearing() -> Iterator[list[str]]:
    """The list of the warnings said (heard) while the block runs, each once, in the order said."""
    said: list[str] = []
    _heard.append(said)
    try:
        yield said
    finally:
        _heard.remove(said)


def heard(line: str) -> None:
    """Keep ``line`` (as said after the command's name) where it is a warning and a data phase is listening."""
    if _heard and line.startswith(WARNING) and line not in _heard[-1]:
        _heard[-1].append(line)


def recorded_warnings(value: object) -> list[str] | None:
    """A record's warnings as hearing() keeps them, or None where ``value`` is not a list of warnings' lines
    (an edited or damaged record)."""
    if isinstance(value, list) and all(isinstance(v, str) and v.startswith(WARNING) for v in value):
        return value
    return None

