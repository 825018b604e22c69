"""A decoded film whose pixels span too few grey levels to be a radiograph: refused, not labelled (edge.preprocess).

An LA or RGBA PNG (or WebP) whose alpha is 1/255 everywhere, laid on black as every transparent film is
(edge.flatten), came out grey 0 and 1: two levels, neither of them 99% of the pixels, so the blank check let it
through and the model labelled a film of nothing. What is measured is the spread of the central 99% of the pixels
(from the 0.5% to the 99.5% point of the histogram), not the number of distinct levels: a film saved with a web
palette and dithered holds 11 grey levels spread over the whole range and shows the film (tests/corpus.py's
palette.png), as does a 1-bit dithered one; a few stray bright pixels (a logo) do not make a clear film a picture.
A chest film spans 80 levels or more: the narrowest of cxr-dev's 1,372 films spans 87 (115 distinct levels), of 800
synthetic films (train.synthetic, 64 and 192 px) 112. The DICOM path already drops a window leaving fewer
than FEW_LEVELS (edge.dicom_luts). Where the file's colour channels hold a picture that its alpha hides, the message
says so, but that picture is not read in its place: no viewer shows it (the film is nearly fully transparent),
every transparent film is read laid on black, and exporting it again without transparency gives it.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from edge.figures import counted
from edge.wide_pixels import value_counts

# A film whose central 99% spans fewer grey levels than this is no radiograph (a film hidden by its alpha); 16 is
# also what edge.dicom_luts takes for a window too narrow to be one meant for viewing.
FEW_LEVELS = 16


def central_spread(gray: np.ndarray) -> tuple[int, int]:
    """The darkest and brightest grey level of the central 99% of an 8-bit film's pixels."""
    return counted_spread(value_counts(gray, 0, 256))


def counted_spread(counts: np.ndarray) -> tuple[int, int]:
    """The darkest and brightest grey level of the central 99% of the pixels counted per level in ``counts`` (a
    histogram of 256 bins, some of which a caller may have left out: edge.box_on_blank)."""
    cum = np.cumsum(counts)
    return int(np.searchsorted(cum, 0.005 * cum[-1], "right")), int(np.searchsorted(cum, 0.995 * cum[-1], "left"))


def few_levels_fault(gray: np.ndarray, data: bytes = b"", counts: np.ndarray | None = None,
                     dicom: bool | None = None) -> str | None:
    """Why ``gray`` is refused for spanning too few grey levels; None where its central 99% spans FEW_LEVELS or
    more. ``data``: the image file (not DICOM) it was decoded from, whose transparency the message then speaks of;
    ``counts``: gray's 256 per-level counts where the reader took them already (edge.preprocess: once a film);
    ``dicom``: whether it was a DICOM film (None: where ``data`` is empty), so that an image file whose bytes the
    reader dropped (a film without transparency, edge.image_decode) is still spoken of as one."""
    lo, hi = central_spread(gray) if counts is None else counted_spread(counts)
    if hi - lo + 1 >= FEW_LEVELS:
        return None
    found = (f"too few grey levels: 99% of the film's pixels lie within {counted(hi - lo + 1, 'grey level')} ({lo} to "
             f"{hi}), where a chest film spans 80 or more")
    hidden = _hidden_by_alpha(data) if data else None
    if hidden is not None:
        alpha, behind = hidden
        return (f"{found}: its transparency (alpha at most {alpha}/255) hides a picture spanning "
                f"{counted(behind, 'grey level')} in its colour channels, and a transparent film is read laid on "
                "black; export it again without transparency (no alpha channel)")
    if (not data) if dicom is None else dicom:  # a DICOM film (stretched over 0..255 as it is read, so rarely): no transparency
        return f"{found}; export the film again from its source (a mask or a blank field is no film to classify)"
    return f"{found}; export it again as a grayscale film, and check that it has no transparency (alpha)"


def _hidden_by_alpha(data: bytes) -> tuple[int, int] | None:
    """(the file's largest alpha, the grey levels its colour channels span without the alpha) where it has
    transparency and they span at least FEW_LEVELS; None otherwise (or unreadable).
    Read only for a film already refused, so a second decode costs nothing on a good film."""
    try:
        img = Image.open(io.BytesIO(data))
        if "A" not in img.getbands() and "transparency" not in img.info:
            return None
        rgba = img.convert("RGBA")  # the first frame, as decoded
        alpha = int(rgba.getchannel("A").getextrema()[1])
        lo, hi = central_spread(np.asarray(rgba.convert("L")))  # Pillow's RGBA to L ignores the alpha
    except Exception:  # noqa: BLE001 - only a hint for a message: the film is refused either way
        return None
    return (alpha, hi - lo + 1) if hi - lo + 1 >= FEW_LEVELS and alpha < 255 else None
