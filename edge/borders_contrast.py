"""What differs by site, taken out of a film before the model sees it (edge.preprocess's steps 2 and 4).

Hospitals frame and store chest films differently: black letterboxing or white scanner margins, and
another window/level, gamma or contrast curve on every device. A model that saw those would learn the
site, not the chest. So preprocess_gray trims a film's uniform borders and equalises the histogram of
what is left; both are pure functions of the pixels (train.scan and convert.seen measure borders so too).
"""

from __future__ import annotations

import numpy as np

# A border line is flat where its pixels lie within TOLERANCE levels; at most TRIM_FRACTION of a side is trimmed, so
# a dark film cannot be trimmed away. One pair for both functions below (and edge.box_on_blank), or the file path
# and preprocess_gray would feed the model other pixels.
TOLERANCE = 6
TRIM_FRACTION = 0.25


def equalize(gray: np.ndarray) -> np.ndarray:
    """Histogram equalisation to the full 0..255 range (a pure function of the histogram).

    A constant image maps to mid-grey rather than to an arbitrary extreme.
    """
    hist = np.bincount(gray.ravel(), minlength=256)
    cdf = np.cumsum(hist)
    n = cdf[-1]
    cdf_min = cdf[np.flatnonzero(hist)[0]]
    if n == cdf_min:
        return np.full_like(gray, 128)
    lut = np.round((cdf - cdf_min) / (n - cdf_min) * 255.0)
    return np.clip(lut, 0, 255).astype(np.uint8)[gray]


def trim_uniform_borders(gray: np.ndarray, tolerance: int = TOLERANCE, max_fraction: float = TRIM_FRACTION) -> np.ndarray:
    """Cut rows/columns at the edges that are (nearly) one flat value.

    Never removes more than ``max_fraction`` of either dimension from each side, so a dark
    image cannot be trimmed away.
    """
    return inside_borders(gray, border_widths(gray, tolerance, max_fraction))


def border_widths(gray: np.ndarray, tolerance: int = TOLERANCE, max_fraction: float = TRIM_FRACTION) -> tuple[int, int, int, int]:
    """How many (nearly) flat rows and columns :func:`trim_uniform_borders` cuts: top, bottom, left, right. Found once
    as a film is read (edge.preprocess), for the box-on-blank check and the model input alike."""
    h, w = gray.shape

    def flat(lines: np.ndarray) -> np.ndarray:
        return (lines.max(axis=1).astype(np.int16) - lines.min(axis=1)) <= tolerance

    def run_length(mask: np.ndarray, limit: int) -> int:
        not_flat = np.flatnonzero(~mask[:limit])
        return int(not_flat[0]) if not_flat.size else limit

    rows, cols = flat(gray), flat(gray.T)
    lim_h, lim_w = int(h * max_fraction), int(w * max_fraction)
    return run_length(rows, lim_h), run_length(rows[::-1], lim_h), run_length(cols, lim_w), run_length(cols[::-1], lim_w)


def inside_borders(gray: np.ndarray, widths: tuple[int, int, int, int]) -> np.ndarray:
    """The film inside its borders of ``widths`` (top, bottom, left, right: :func:`border_widths`), a view."""
    top, bottom, left, right = widths
    h, w = gray.shape
    return gray[top : h - bottom, left : w - right]
