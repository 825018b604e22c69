"""Palette and transparent films to 8-bit grey, a strip of rows at a time.

Converted whole (to RGBA, onto a black RGBA background, then to grey), a film took four 4-byte copies of
itself at once: a 58 KB two-colour palette PNG of 7000x7000 pixels needed 820 MB, under the pixel limit
and with --threads 1, on a board of 512 MB. Every step is per pixel, so strip by strip the pixels are
the same, byte for byte, and the copies are those of one strip. The alpha of each strip is also looked at, once,
for a film whose transparency hides its picture over most of its area (edge.clear_film).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from edge import wide_pixels
from edge.clear_film import clear_film_fault, clear_greys
from edge.image_error import ImageError

# A transparent colour (tRNS) in an L or RGB film makes it one of these too: the same picture, the same pixels.
FLATTENED_MODES = ("P", "PA", "LA", "RGBA")


def needs_flattening(img: Image.Image) -> bool:
    """Whether ``img`` has a palette or transparency, which :func:`flatten_to_gray` turns into grey."""
    return img.mode in FLATTENED_MODES or (img.mode in ("L", "RGB") and "transparency" in img.info)


def flatten_to_gray(img: Image.Image) -> np.ndarray:
    """``img`` composited onto black (as the reference data set was) and converted to grey (H, W) uint8; an
    ImageError where its alpha hides its picture over most of its area, or leaves it mostly clear (edge.clear_film)."""
    w, h = img.size
    out = np.empty((h, w), np.uint8)
    greys = np.zeros(256, np.int64)
    step = max(1, wide_pixels.ROWS_AT_ONCE // max(1, w))
    for y in range(0, h, step):
        strip = img.crop((0, y, w, min(h, y + step))).convert("RGBA")
        greys += clear_greys(strip)
        black = Image.new("RGBA", strip.size, (0, 0, 0, 255))
        out[y : y + strip.height] = np.asarray(Image.alpha_composite(black, strip).convert("L"))
    if (why := clear_film_fault(out, greys)) is not None:
        raise ImageError(why)
    return out
