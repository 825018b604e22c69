"""A decoder's error in words for an error line (edge.preprocess): its first line, with its control characters
escaped; for a film a decoder fails on, what to do about it; for a file Pillow cannot open, why, where it is known."""

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


APPLEDOUBLE = b"\x00\x05\x16\x07"  # what macOS leaves as ._NAME on FAT, exFAT and SMB


def unopened(data: bytes, e: BaseException) -> str:
    """Why Pillow could not open a file of ``data`` (raising ``e``), in words: a PNG whose text or colour-profile
    chunk inflates past Pillow's limit (1 MiB a chunk, 64 MiB in all) was 'not a readable image (unknown or corrupt
    format)', though its pixels may be whole; the limit stands (a bomb), and the line says which it is."""
    if data[:4] == APPLEDOUBLE:
        return ("not an image: a macOS metadata file (AppleDouble, a ._ name); leave such files out, "
                "e.g. find ... ! -name '._*'")
    if "MAX_TEXT_CHUNK" in str(e) or "MAX_TEXT_MEMORY" in str(e):
        return ("refused: a text or colour-profile chunk of this PNG inflates to more than Pillow reads (1 MiB a "
                "chunk, 64 MiB in all; possible decompression bomb); save the film again without its metadata")
    return "not a readable image (unknown or corrupt format)"
