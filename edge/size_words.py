"""A header's size over the pixel limit, in words a user reads (edge.preprocess for PNG, JPEG, TIFF, BMP, GIF;
edge.dicom_size for DICOM).

"refused: 18446744065119617025 pixels is more than the limit of 50000000 (possible decompression bomb)" gave a raw
count, Pillow's "bomb", and nothing to do. A size no film has (a side longer than any scanner makes) is a damaged
header or no film, and exporting again is what helps; a film merely larger than the limit (a scan at high
resolution) is scaled down.
"""

from __future__ import annotations

import re

# The longest side a film can have: a 43 cm film scanned at 1200 dpi is about 20,300 pixels long; a side past this is
# no film's (a damaged header, or not a radiograph), and scaling it down is no advice.
LONGEST_SIDE = 30_000
SCALE_DOWN = "scale it down (the model reads a few hundred pixels a side: 4000 a side loses nothing it uses)"


def megapixels(pixels: int) -> str:
    """``pixels`` in megapixels for a reader: '64 megapixels', '0.5 megapixels'."""
    return f"{pixels / 1e6:,.0f} megapixels" if pixels >= 1e6 else f"{pixels / 1e6:.1g} megapixels"


def too_many_pixels(width: int, height: int, limit: int) -> str:
    """Why a film whose header says ``width`` x ``height`` pixels, more than ``limit``, is refused, and what to do."""
    if max(width, height) > LONGEST_SIDE:
        return (f"refused: its header says {width} x {height} pixels, far beyond any film (limit {megapixels(limit)}): "
                "a damaged file or no film; export it again")
    return (f"refused: it is {width} x {height} pixels ({megapixels(width * height)}), more than the limit of "
            f"{megapixels(limit)}; {SCALE_DOWN}")


def bomb_size(e: BaseException) -> tuple[int, int] | None:
    """The (width, height) Pillow's DecompressionBombError was raised for, else None. Its message gives only the
    product ("Image size (N pixels) exceeds ..."); the size is the argument of the check that raised it
    (PIL.Image._decompression_bomb_check(size)), read from the traceback's last frame."""
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    size = tb.tb_frame.f_locals.get("size") if tb is not None else None
    if isinstance(size, tuple) and len(size) == 2 and all(isinstance(n, int) for n in size):
        return size
    return None


def bomb_words(e: BaseException, limit: int) -> str:
    """:func:`too_many_pixels` for Pillow's DecompressionBombError ``e`` (raised while it read the header); where its
    size cannot be found, the pixel count its message gives, in megapixels."""
    if (size := bomb_size(e)) is not None:
        return too_many_pixels(*size, limit)
    m = re.search(r"\((\d+) pixels\)", str(e))
    said = megapixels(int(m.group(1))) if m else "a size"
    return (f"refused: its header says {said}, far beyond any film (limit {megapixels(limit)}): a damaged file or "
            "no film; export it again")
