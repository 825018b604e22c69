"""A decoded film with too few grey levels to be a radiograph: refused, not labelled (edge.preprocess.load_bytes).

An LA or RGBA PNG (or WebP) whose alpha is 1/255 everywhere, laid on black as every transparent film is
(edge.flatten), came out grey 0 and 1: two levels, neither of them 99% of the pixels, so the blank check let it
through and the model labelled a film of nothing. A radiograph has hundreds of grey levels: the fewest seen on
cxr-dev's 1,372 films is 115, on 800 synthetic films (train.synthetic, 64 and 192 px) 117. The DICOM path already
drops a window that leaves fewer than FEW_LEVELS (edge.dicom_luts); a film left with fewer, from any file, is
refused here, saying what was found. Where the file's colour channels hold a picture that its alpha hides, the
message says so, but that picture is not read in its place: no viewer shows it (the film is nearly fully
transparent), every transparent film is read laid on black, and exporting it again without transparency gives it.
A model file's own self-test pictures (8 grey levels, to stay small) are not films and are not refused.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from edge.figures import counted
from edge.wide_pixels import value_counts

# Fewer grey levels than this is no radiograph (a mask, a drawing, a film hidden by its alpha); 16 is also
# what edge.dicom_luts takes for a window too narrow to be one meant for viewing.
FEW_LEVELS = 16


def grey_level_count(gray: np.ndarray) -> int:
    """How many of the 256 grey levels an 8-bit film uses."""
    return int(np.count_nonzero(value_counts(gray, 0, 256)))


def few_levels_fault(gray: np.ndarray, data: bytes = b"") -> str | None:
    """Why ``gray`` is refused for too few grey levels; None where it has at least FEW_LEVELS. ``data``: the
    image file (not DICOM) it was decoded from, whose transparency the message then speaks of."""
    levels = grey_level_count(gray)
    if levels >= FEW_LEVELS:
        return None
    found = (f"too few grey levels: the film decodes to {counted(levels, 'grey level')} (a radiograph has "
             f"hundreds; fewer than {FEW_LEVELS} is nothing to classify)")
    hidden = _hidden_by_alpha(data) if data else None
    if hidden is not None:
        alpha, behind = hidden
        return (f"{found}: its transparency (alpha at most {alpha}/255) hides a picture of "
                f"{counted(behind, 'grey level')} in its colour channels, and a transparent film is read laid on "
                "black; export it again without transparency (no alpha channel)")
    if not data:  # a DICOM film: no transparency to check
        return f"{found}; export the film again from its source (a mask, a drawing or a posterised copy is no film)"
    return f"{found}; export it again as a grayscale film, and check that it has no transparency (alpha)"


def _hidden_by_alpha(data: bytes) -> tuple[int, int] | None:
    """(the file's largest alpha, the grey levels of its colour channels without the alpha) where it has
    transparency and its colour channels hold at least FEW_LEVELS levels; None otherwise (or unreadable).
    Read only for a film already refused, so a second decode costs nothing on a good film."""
    try:
        img = Image.open(io.BytesIO(data))
        if "A" not in img.getbands() and "transparency" not in img.info:
            return None
        rgba = img.convert("RGBA")  # the first frame, as decoded
        alpha = int(rgba.getchannel("A").getextrema()[1])
        behind = sum(1 for n in rgba.convert("RGB").convert("L").histogram() if n)
    except Exception:  # noqa: BLE001 - only a hint for a message: the film is refused either way
        return None
    return (alpha, behind) if behind >= FEW_LEVELS and alpha < 255 else None
