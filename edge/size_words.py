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
_PIXELS = re.compile(r"\((\d+) pixels\)")  # Pillow's "Image size (N pixels) exceeds limit of ..."
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
    product ("Image size (N pixels) exceeds ..."), so the size is looked for in the traceback: a pair of whole
    numbers in a frame's locals (PIL.Image._decompression_bomb_check's ``size``), innermost frame first, whose
    product is the message's N, as Pillow counts it; where the message has no N, the innermost frame's ``size``.
    Reading only the last frame's ``size`` fitted one Pillow's layout: had the raise moved into a helper, the size
    was lost; had the last frame held another ``size``, a wrong size was said."""
    frames, tb = [], e.__traceback__
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    if (m := _PIXELS.search(str(e))) is None:  # worded otherwise by a later Pillow: its check's own ``size`` alone
        named = frames[-1].f_locals.get("size") if frames else None
        return named if _is_size(named) else None
    pixels = int(m.group(1))
    for frame in reversed(frames):
        named = frame.f_locals.get("size")  # Pillow's name for it, tried first in each frame
        for value in (named, *frame.f_locals.values()):
            if _is_size(value) and max(1, value[0]) * max(1, value[1]) == pixels:
                return value
    return None


def _is_size(value: object) -> bool:
    return (isinstance(value, tuple) and len(value) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in value))


def bomb_words(e: BaseException, limit: int) -> str:
    """:func:`too_many_pixels` for Pillow's DecompressionBombError ``e`` (raised while it read the header); where its
    size cannot be found, the pixel count its message gives, in megapixels."""
    if (size := bomb_size(e)) is not None:
        return too_many_pixels(*size, limit)
    m = _PIXELS.search(str(e))
    said = megapixels(int(m.group(1))) if m else "a size"
    return (f"refused: its header says {said}, far beyond any film (limit {megapixels(limit)}): a damaged file or "
            "no film; export it again")
