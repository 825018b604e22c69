"""The mark each cxr-synth film carries, so that a drawing is known for one wherever it is copied.

A folder's README.md marks a set cxr-synth wrote, but class folders copied without it, or a
cxr-synth folder put inside a real data folder, trained models recorded as trained on real
films. So each PNG also carries a text chunk (kept by copies, renames and moves), and its name
(synthetic-CLASS-NNNN.png) is taken as a mark too: films written before the chunk have only that.
Reading the mark walks the PNG's chunks before the pixels: a few dozen bytes of a file already read.
"""

from __future__ import annotations

import re
import struct

from PIL.PngImagePlugin import PngInfo

KEYWORD = "cxr-edge"
TEXT = "SYNTHETIC image drawn by cxr-synth (train/synthetic.py): not a patient, not an X-ray"
_CHUNK = b"tEXt" + KEYWORD.encode("latin-1") + b"\0SYNTHETIC"
_PNG = b"\x89PNG\r\n\x1a\n"
# the classes of train.synthetic.SYNTHETIC_CLASSES (not imported: that module draws, this one only reads)
_NAME = re.compile(r"(^|/)synthetic-(Normal|COVID|Viral_Pneumonia|Lung_Opacity)-[0-9]{4,}\.png$")


def png_info() -> PngInfo:
    """The text chunk cxr-synth writes into each film (Pillow's ``save(..., pnginfo=...)``)."""
    info = PngInfo()
    info.add_text(KEYWORD, TEXT)
    return info


def is_synthetic_film(path: str, data: bytes) -> bool:
    """Whether the film at ``path`` (its name is enough) with content ``data`` is one of cxr-synth's."""
    return bool(_NAME.search(path.replace("\\", "/"))) or _has_mark(data)


def _has_mark(data: bytes) -> bool:
    """Whether the PNG ``data`` holds the mark's text chunk before its pixels (Pillow writes it there)."""
    if not data.startswith(_PNG):
        return False
    at = len(_PNG)
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind in (b"IDAT", b"IEND"):
            return False
        if kind == b"tEXt" and data[at + 4:at + 4 + len(_CHUNK)] == _CHUNK:
            return True
        at += 12 + length
    return False
