"""Wide pixel values (16-bit, 32-bit, float, a DICOM's grey levels) mapped to 8 bits, a block of rows at a time.

Mapped over the whole film at once, a 3000x3500 16-bit film took several float64 copies of itself
(334 MiB to decode; a Pi 3 has 1 GB for four decoding threads). Block by block the arithmetic is
the same, value by value, so the bytes are too (benchmarks/decode_memory.py).
"""

from __future__ import annotations

import numpy as np
from PIL import Image


ROWS_AT_ONCE = 1 << 20  # pixels mapped per step: float64 temporaries of 8 MiB, not of the whole image


def row_steps(a: np.ndarray) -> list[slice]:
    step = max(1, ROWS_AT_ONCE // max(1, a[0].size if len(a) else 1))
    return [slice(i, i + step) for i in range(0, len(a), step)]


def pixels(img: Image.Image) -> np.ndarray:
    """np.asarray(img), a strip of rows at a time (Pillow's tobytes() holds two more copies at once)."""
    w, h = img.size
    step, out = max(1, ROWS_AT_ONCE // max(1, w)), None
    for y in range(0, h, step):
        strip = np.asarray(img.crop((0, y, w, min(h, y + step))))
        out = np.empty((h, w), strip.dtype) if out is None else out
        out[y : y + len(strip)] = strip
    return np.asarray(img) if out is None else out


def linear_to_uint8(a: np.ndarray, invert: bool = False) -> np.ndarray:
    """Map a 16-bit, 32-bit or float image linearly from its min..max to 0..255 (``invert``:
    255 minus that). Only finite values set the range: +inf maps as the maximum, NaN and -inf as
    the minimum, and an image with no finite value is refused."""
    if a.dtype.kind == "f":
        finite = np.isfinite(a)
        if not finite.all():
            if not finite.any():
                from edge.preprocess import ImageError  # preprocess imports this module

                raise ImageError("no finite pixel values (every pixel is NaN or infinite)")
            lo, hi = a[finite].min(), a[finite].max()
            a = np.where(finite, a, np.where(a == np.inf, hi, lo))
        del finite
    lo, hi = float(a.min()), float(a.max())
    if hi <= lo:
        return np.zeros(a.shape, dtype=np.uint8)
    return scale_to_uint8(a, lo, hi, invert)


def scale_to_uint8(a: np.ndarray, lo: float, hi: float, invert: bool = False) -> np.ndarray:
    """round((a - lo) / (hi - lo) * 255) (``invert``: of 255 minus that) in float64, a block of rows
    at a time: the same bytes as over the whole array at once, in a fraction of the memory."""
    out = np.empty(a.shape, dtype=np.uint8)
    for rows in row_steps(a):
        g = (a[rows].astype(np.float64) - lo) / (hi - lo) * 255.0
        out[rows] = np.round(255.0 - g if invert else g)
    return out
