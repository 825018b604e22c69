"""A film whose alpha hides its picture over most of its area: refused, not labelled (edge.flatten, edge.preprocess).

Every transparent film is read laid on black (edge.flatten). A film under alpha 1/255 everywhere came out grey 0 and
1, which edge.grey_levels refuses for spanning too few grey levels; but the same film with an opaque overlay (a
burned-in label, a ruler, a white box) on more than 0.5% of its pixels passed, the overlay's levels lifting the
99.5th percentile, and the model labelled a black picture with a label on it (a cxr-dev film under alpha 1 with a
white box on 2% of it: "Normal 0.5028"). So the alpha itself is judged, not the grey levels it leaves: a pixel whose
alpha is under FEW_LEVELS/255 shows less than 16 of the 256 levels of its colour laid on black, so where its colour is
not black (a picture is there) that picture is hidden; a film with more than half its pixels so hidden is no
readable film. Fully transparent margins over black colour (black laid on black: the pixels are the same as an
opaque film's letterbox) and a transparent corner hide nothing and pass. But many editors and PNG encoders set the
colour of a fully clear pixel to black (WebP does so unless told not to): a cxr-dev film saved so, clear everywhere
but for an opaque white box on 2%, a text label, or a small pasted film on 5%, hid no colour, and was labelled. So a
film more than MOSTLY_CLEAR of whose pixels are nearly clear, whatever their colour, is refused too: a letterbox
keeps its film on a quarter of the canvas or more (a film of 1:4 centred on a square; a portrait film on a 16:9
canvas keeps 42%), while what is opaque on such a film is a label or a box. The count is made on the alpha band
already decoded, strip by strip (edge.flatten): a strip without a clear pixel costs the alpha band's extrema.
A clear pixel hides a picture only where the colours under the clear pixels vary: a good film rotated onto a clear
canvas filled white (or grey 128, or red) kept 51% of its pixels clear over that one colour and was refused as hiding
a picture; so the grey levels under the clear pixels are counted (a 256-bin histogram, strips added up), and where
most of the non-black ones (FLAT_FILL) lie at one level and its FILL_SPREAD neighbours, that fill hides nothing and
only what lies off it counts as hidden. FLAT_FILL was 90%, all or nothing: the same film with 8% of the canvas of its
own picture also under alpha 1 held 88% of them on the fill, and all 57% clear were counted as hiding a picture
(refused), where 8% hidden is read. A picture never holds so many at one level: over all 1,372 cxr-dev films (grey)
the most any holds within 2 levels of its own most common level is 40.7% of its pixels (its black margin at 0), and
32.1% of its non-black ones, those counted here; FLAT_FILL is 60%, half as much again.
What is opaque on a mostly clear film is either a label or a box, or a whole film pasted small onto a clear canvas (a
cxr-dev film on 1/6 of one was said to be "a label, a box?" whose picture its program had blacked out, while its opaque
copy, the same pixels on black, is read): the words name both, and both ways on, cropping the canvas to the film or
exporting it again without transparency; they say what was under the clear pixels was blacked out (or filled), or
never there.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from edge.figures import fixed
from edge.grey_levels import FEW_LEVELS, few_levels_fault

# A film with more than this share of its pixels hidden by their alpha is refused.
MOST_HIDDEN = 0.5
# ... and one with more than this share nearly clear, whatever the colour under the alpha (blacked out by its editor).
MOSTLY_CLEAR = 0.8
# A mostly clear film with more than this share of its pixels over a hidden picture is not said to be clear over black.
SOME_HIDDEN = 0.05
# The colour under the clear pixels is a flat fill, hiding nothing, where at least this share of the non-black ones
# lies within FILL_SPREAD grey levels of the most common one: a real picture holds at most 41% there (cxr-dev).
FLAT_FILL = 0.6
FILL_SPREAD = 2


def clear_greys(rgba_strip: Image.Image) -> np.ndarray:
    """How many nearly clear pixels of an RGBA strip lie over each of the 256 grey levels (alpha ignored), from one
    look at the alpha band; edge.flatten adds the strips' up, as a fill is told from a picture over the whole film."""
    alpha = rgba_strip.getchannel("A")
    if alpha.getextrema()[0] >= FEW_LEVELS:  # an opaque strip (most films): nothing more is looked at
        return np.zeros(256, np.int64)
    clear = np.asarray(alpha) < FEW_LEVELS
    return np.bincount(np.asarray(rgba_strip.convert("RGB").convert("L"))[clear], minlength=256)


def hidden_in(greys: np.ndarray) -> int:
    """How many of the nearly clear pixels counted in ``greys`` (:func:`clear_greys`) hide a picture: those over a
    colour that is not black, except where most of these (FLAT_FILL) lie at one grey level and its neighbours (a
    canvas filled with one colour, which an encoder may dither): a flat fill hides nothing, only what lies off it
    does (a picture also under the clear pixels)."""
    coloured = greys[FEW_LEVELS:]
    total = int(coloured.sum())
    if total == 0:
        return 0
    level = int(coloured.argmax())
    on_fill = int(coloured[max(0, level - FILL_SPREAD) : level + FILL_SPREAD + 1].sum())
    return total - on_fill if on_fill >= FLAT_FILL * total else total


def clear_film_fault(gray: np.ndarray, greys: np.ndarray) -> str | None:
    """Why a film (``gray``: laid on black) is refused for its transparency, from ``greys`` (:func:`clear_greys`,
    summed over its strips); None where it is not."""
    hidden = hidden_in(greys)
    filled = int(greys[FEW_LEVELS:].sum()) - hidden > int(greys[:FEW_LEVELS].sum())  # mostly a fill, not black
    return mostly_hidden_fault(gray, hidden, int(greys.sum()), filled)


def mostly_hidden_fault(gray: np.ndarray, hidden: int, clear: int = 0, filled: bool = False) -> str | None:
    """Why a film (``gray``: laid on black) with ``hidden`` pixels hidden by their alpha, of ``clear`` nearly clear
    ones (``filled``: most of them over one flat colour that is not black, :func:`hidden_in`), is refused; None
    where at most MOST_HIDDEN are hidden and at most MOSTLY_CLEAR clear, or where edge.preprocess.load_bytes refuses
    it anyway as blank or for spanning too few grey levels (a film clear everywhere, with nothing opaque on it), whose
    message names the transparency itself."""
    share, clear_share = hidden / gray.size, clear / gray.size
    if (share <= MOST_HIDDEN and clear_share <= MOSTLY_CLEAR) or few_levels_fault(gray) is not None:
        return None
    opaque = (f"only {fixed(1 - clear_share, 1, 100)}% of it is opaque: a label or a box, or a film pasted small onto "
              "a clear canvas, too little of the canvas to classify")
    ways_on = ("crop the canvas to the film, or export the film again from its original without transparency (no "
               "alpha channel)")
    if SOME_HIDDEN < share <= MOST_HIDDEN:  # clear over black and over a picture: neither cause alone is the truth
        return (f"mostly transparent: {fixed(clear_share, 1, 100)}% of the film's pixels are nearly clear (alpha "
                f"under {FEW_LEVELS}/255), {fixed(share, 1, 100)}% over a picture, which laid on black, as a "
                f"transparent film is read, does not show, the rest over {'one flat colour' if filled else 'black'}, "
                f"and {opaque}; {ways_on}")
    if share <= MOST_HIDDEN:  # clear over black or a flat fill: whatever was under the alpha is gone from the file
        under, lost = ("one flat colour", "filled with that colour") if filled else ("black", "blacked out")
        return (f"mostly transparent: {fixed(clear_share, 1, 100)}% of the film's pixels are nearly clear (alpha "
                f"under {FEW_LEVELS}/255) over {under}, and {opaque}; the picture under the clear pixels was {lost} "
                f"by the program that saved it, or was never there: {ways_on}")
    return (f"mostly transparent: {fixed(share, 1, 100)}% of the film's pixels are nearly clear (alpha under "
            f"{FEW_LEVELS}/255) over a picture, which laid on black, as a transparent film is read, does not show: "
            "what is left (a label, a ruler, a box?) is no film to classify; export it again without transparency "
            "(no alpha channel)")
