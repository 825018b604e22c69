"""A decoded film too small to read (under MIN_SIDE px a side) or blank (BLANK_SHARE of it one grey level):
refused with the reason, not labelled (edge.preprocess.load_bytes, edge.dicom_luts)."""

from __future__ import annotations

import numpy as np

from edge.figures import fixed
from edge.image_decode import MIN_SIDE
from edge.image_error import ImageError
from edge.wide_pixels import value_counts

# A film with this share of its pixels on one grey level shows nothing (no chest film comes near it).
BLANK_SHARE = 0.99


def check_size(gray: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """``gray``, or an ImageError where it is too small or blank (``counts``: its 256 per-level counts, where the
    reader took them already)."""
    h, w = gray.shape
    if min(h, w) < MIN_SIDE:
        raise ImageError(f"image is {w}x{h} pixels; at least {MIN_SIDE} px per side is needed")
    if (share := one_level_share(gray, counts)) >= BLANK_SHARE:
        # equalize() makes such a film mid-grey, and the model still answered (COVID 0.74 to 0.96 on cxr-dev's)
        raise ImageError(f"blank image: {'100' if share == 1 else fixed(share, 1, 100)}% of its pixels are one grey level, "
                         "so there is nothing to classify (a fully transparent PNG, a blank first page or frame, "
                         "or a window outside the data?)")
    return gray


def one_level_share(gray: np.ndarray, counts: np.ndarray | None = None) -> float:
    """The share of the pixels at the film's most common grey level (``counts``: its 256 per-level counts, if taken)."""
    return float((value_counts(gray, 0, 256) if counts is None else counts).max() / gray.size)
