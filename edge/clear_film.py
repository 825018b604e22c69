"""A film whose alpha hides its picture over most of its area: refused, not labelled (edge.flatten, edge.preprocess).

Every transparent film is read laid on black (edge.flatten). A film under alpha 1/255 everywhere came out grey 0 and
1, which edge.grey_levels refuses for spanning too few grey levels; but the same film with an opaque overlay (a
burned-in label, a ruler, a white box) on more than 0.5% of its pixels passed, the overlay's levels lifting the
99.5th percentile, and the model labelled a black picture with a label on it (a cxr-dev film under alpha 1 with a
white box on 2% of it: "Normal 0.5028"). So the alpha itself is judged, not the grey levels it leaves: a pixel whose
alpha is under FEW_LEVELS/255 shows less than 16 of the 256 levels of its colour laid on black, so where its colour is
not black (a picture is there) that picture is hidden; a film with more than half its pixels so hidden is no
readable film. Fully transparent margins over black colour (black laid on black: the pixels are the same as an
opaque film's letterbox) and a transparent corner hide nothing and pass. The count is made on the alpha band
already decoded, strip by strip (edge.flatten): a strip without a clear pixel costs the alpha band's extrema.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from edge.figures import fixed
from edge.grey_levels import FEW_LEVELS, few_levels_fault

# A film with more than this share of its pixels hidden by their alpha is refused.
MOST_HIDDEN = 0.5


def hidden_count(rgba_strip: Image.Image) -> int:
    """How many pixels of an RGBA strip are nearly clear (alpha under FEW_LEVELS/255) over a colour that is not
    black (grey FEW_LEVELS or more, alpha ignored): a picture there that, laid on black, does not show."""
    alpha = rgba_strip.getchannel("A")
    if alpha.getextrema()[0] >= FEW_LEVELS:  # an opaque strip (most films): nothing more is looked at
        return 0
    clear = np.asarray(alpha) < FEW_LEVELS
    return int((np.asarray(rgba_strip.convert("RGB").convert("L"))[clear] >= FEW_LEVELS).sum())


def mostly_hidden_fault(gray: np.ndarray, hidden: int) -> str | None:
    """Why a film (``gray``: laid on black) with ``hidden`` pixels hidden by their alpha is refused; None where at
    most MOST_HIDDEN of them are, or where edge.preprocess.load_bytes refuses it anyway for spanning too few grey
    levels (a film hidden everywhere, with nothing opaque on it), whose message names the transparency itself."""
    share = hidden / gray.size
    if share <= MOST_HIDDEN or few_levels_fault(gray) is not None:
        return None
    return (f"mostly transparent: {fixed(share, 1, 100)}% of the film's pixels are nearly clear (alpha under "
            f"{FEW_LEVELS}/255) over a picture, which laid on black, as a transparent film is read, does not show: "
            "what is left (a label, a ruler, a box?) is no film to classify; export it again without transparency "
            "(no alpha channel)")
