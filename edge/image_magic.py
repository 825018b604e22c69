"""Which image format a file's first bytes are (pure functions): a film saved without its suffix is told from
a document or a copy tool's leftover by them (edge.film_files.lacks_image_suffix), and a .dcm that is really a PNG from
DICOM (edge.dicom_start.IMAGE_MAGIC)."""

from __future__ import annotations

import re


# An image format's first bytes, and its name: the formats a film may be saved in.
MAGIC = ((b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
          (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"), (b"\x00\x00\x00\x0cjP  ", "JPEG 2000"),
          (b"\xff\x4f\xff\x51", "JPEG 2000"))
_NETPBM = re.compile(rb"P([2356])\s+(?:#[^\n]*\n\s*)*\d+\s+(?:#[^\n]*\n\s*)*\d+\s+(?:#[^\n]*\n\s*)*\d+\s")
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}


def image_format(head: bytes) -> str | None:
    """'PNG', 'JPEG', 'TIFF', 'BMP', 'GIF', 'WebP', 'JPEG 2000', 'HEIC', 'PGM' or 'PPM' where a file's first bytes are
    that image format's, else None (a text file that starts "BM" is no bitmap: its reserved bytes must be 0)."""
    for magic, what in MAGIC:
        if head.startswith(magic):
            return what
    if head[:2] == b"BM" and head[6:10] == b"\0\0\0\0":
        return "BMP"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIC"
    if netpbm := _NETPBM.match(head):  # 'P5', its width, height and largest value: a note 'P2 3 4 ...' is none
        return "PGM" if netpbm.group(1) in (b"2", b"5") else "PPM"
    return None
