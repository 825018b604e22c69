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


def value_counts(a: np.ndarray, first: int, n: int) -> np.ndarray:
    """How many pixels of integer ``a`` hold each value first..first + n - 1, a block of rows at a time
    (np.bincount of the whole film would first copy it to 8-byte integers). An 8-bit film, counted two or three
    times as it is read (blank, grey levels, a box on a blank), by Pillow's histogram: 46 ms against 290 for a
    4300x4300 film (np.bincount of each block's int64 copy), the counts the same."""
    counts = np.zeros(n, dtype=np.int64)
    if a.dtype == np.uint8 and a.ndim == 2 and (first, n) == (0, 256):  # an 8-bit film: Pillow counts 6x faster
        for r in row_steps(a):
            counts += np.asarray(Image.fromarray(np.ascontiguousarray(a[r])).histogram(), dtype=np.int64)
        return counts
    for r in row_steps(a):
        counts += np.bincount((a[r].astype(np.int64) - first).ravel(), minlength=n)
    return counts


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
    255 minus that), or from the range without isolated extremes (outlier_free_range), its outliers
    then black or white. Only finite values set the range: +inf maps as the maximum, NaN and -inf as
    the minimum, and an image with no finite value is refused. Block by block: replaced in a whole
    copy, one NaN pixel cost a 7000x7000 float film 220 MB more."""
    fill = None
    if a.dtype.kind == "f":
        lo, hi, all_finite = _finite_range(a)
        if lo is None:
            from edge.preprocess import ImageError  # preprocess imports this module

            raise ImageError("no finite pixel values (every pixel is NaN or infinite)")
        fill = None if all_finite else (lo, hi)
    else:
        lo, hi = float(a.min()), float(a.max())
    if hi <= lo:
        return np.zeros(a.shape, dtype=np.uint8)
    lo, hi = outlier_free_range(a, lo, hi, fill)
    return scale_to_uint8(a, lo, hi, invert, fill)


def _finite_range(a: np.ndarray) -> tuple[float | None, float | None, bool]:
    """The min and max of float ``a``'s finite values (None, None where it has none), and whether all are finite."""
    lo = hi = None
    all_finite = True
    for r in row_steps(a):
        block = a[r]
        finite = np.isfinite(block)
        if not finite.all():
            all_finite = False
            block = block[finite]
        if block.size:
            b_lo, b_hi = float(block.min()), float(block.max())
            lo, hi = (b_lo, b_hi) if lo is None else (min(lo, b_lo), max(hi, b_hi))
    return lo, hi, all_finite


def _filled(block: np.ndarray, fill: tuple[float, float] | None) -> np.ndarray:
    """float64 ``block`` with +inf as ``fill``'s max and NaN and -inf as its min (as it is where ``fill`` is None)."""
    if fill is None:
        return block
    return np.where(np.isfinite(block), block, np.where(block == np.inf, fill[1], fill[0]))


# The share of the pixels at each end that may lie far outside the rest (a hot pixel, a burned-in mark).
OUTLIER_SHARE = 0.001


def outlier_free_range(a: np.ndarray, lo: float, hi: float,
                       fill: tuple[float, float] | None = None) -> tuple[float, float]:
    """``a``'s range without isolated extremes, or (lo, hi), its min and max, as they are.

    One pixel at 65535 in a 12-bit film (0..4080) left the film 17 of the 256 grey levels, which
    equalisation cannot give back. Where the values between the OUTLIER_SHARE quantiles span less than
    half of min..max, the extremes are such outliers and those quantiles are the range (the outliers
    become black or white); otherwise the film is mapped from its min and max, as always."""
    if a.dtype.kind in "iu" and a.itemsize <= 2:
        counts = value_counts(a, int(lo), int(hi - lo) + 1)
        return robust_range(lo + np.arange(len(counts), dtype=np.float64), counts)
    flat = a.reshape(-1)  # 32-bit or float: quantiles of an even sample (np.quantile would sort a copy of it all)
    sample = np.sort(_filled(flat[:: max(1, flat.size // 1_000_000)].astype(np.float64), fill))
    return robust_range(sample, np.ones(len(sample), dtype=np.int64))


def robust_range(values: np.ndarray, counts: np.ndarray) -> tuple[float, float]:
    """outlier_free_range's rule over sorted ``values`` held by ``counts`` pixels each."""
    lo, hi = float(values[0]), float(values[-1])
    cdf = np.cumsum(counts)
    q_lo = float(values[min(len(values) - 1, np.searchsorted(cdf, OUTLIER_SHARE * cdf[-1], side="right"))])
    q_hi = float(values[min(len(values) - 1, np.searchsorted(cdf, (1 - OUTLIER_SHARE) * cdf[-1], side="left"))])
    if q_hi > q_lo and (q_hi - q_lo) < 0.5 * (hi - lo):
        return q_lo, q_hi
    return lo, hi


def scale_to_uint8(a: np.ndarray, lo: float, hi: float, invert: bool = False,
                   fill: tuple[float, float] | None = None) -> np.ndarray:
    """round((a - lo) / (hi - lo) * 255) (``invert``: of 255 minus that) in float64, a block of rows
    at a time: the same bytes as over the whole array at once, in a fraction of the memory."""
    out = np.empty(a.shape, dtype=np.uint8)
    for rows in row_steps(a):
        g = np.clip((_filled(a[rows].astype(np.float64), fill) - lo) / (hi - lo) * 255.0, 0.0, 255.0)  # outside lo..hi: black or white
        out[rows] = np.round(255.0 - g if invert else g)
    return out
