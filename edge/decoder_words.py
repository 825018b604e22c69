"""A decoder's error in words for an error line (edge.preprocess): its first line, with its control characters
escaped, and for a film a decoder fails on, what to do about it."""

from __future__ import annotations

from edge.controls import escaped


def first_line(e: BaseException) -> str:
    """An exception's message up to its first newline, for an error line: with its control characters
    escaped (edge.controls), as libraries quote a file's own bytes (pydicom a header value), which must
    neither erase the line on a terminal (ESC) nor make a log binary (NUL); a \\r inside a value is escaped
    with the rest of it."""
    return escaped(str(e).split("\n")[0].rstrip("\r")) or type(e).__name__


def corrupt(e: BaseException) -> str:
    """The error line for a film a decoder fails on, with what to do about it (Pillow's words alone said nothing)."""
    return f"corrupt or truncated image ({first_line(e)}); copy or export it again from its source"
