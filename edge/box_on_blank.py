"""A film nearly all one grey level, the rest of it a few levels (a box or a label on a blank): refused, not labelled.

An opaque 512x512 film 98% black with a white box on 2% of it was labelled by edge-classify: the blank check passed it
(98.0% at one level is under edge.preprocess.BLANK_SHARE, 99%), and so did edge.grey_levels (the box lifts the 99.5th
percentile: its central 99% spans 0..255). Once its uniform borders were trimmed, the model saw 2 grey levels. So where
ONE_LEVEL (90%) or more of a film's pixels lie at one grey level, the rest are looked at alone: where their central 99%
spans fewer than FEW_LEVELS, they are a box, a label or a line on a blank, no film. The spread counts, not the number
of levels (docs/how-it-works.md): a 1-bit dithered film holds 2 levels, but its darkest of cxr-dev's 1,372 films,
dithered, holds 83.1% at one of them (its borders trimmed); a real film pasted small on a blank with a label beside
it holds the film's spread. Over the 1,372 cxr-dev films as read, the most at one level is 28.9% of the pixels inside
their uniform borders (40.1% of the whole film), and the narrowest spread of the rest 88 levels.

A cover page of anti-aliased text on black (24 to 96 pixels a letter) passed: its letters' edges span 0..255. So a
rest of wide spread is refused too where it is thin strokes: under SOLID of it lies INSIDE pixels or more inside a
stroke, all ways (text at 24 pixels: 0.1%, at 96: 45%), where a cxr-dev film pasted small on a blank holds 63% or more
(each film of every sixth, at an eighth of its size; 77% at a quarter). Text 150 pixels a letter (63%) still passes.
A solid rest MOSTLY_ONE (60%) within NEAR (4) levels of one is a box whose edges a JPEG blurred into 16 levels or more
(a white box at quality 90: 94%; no cxr-dev film holds over 38% so near one level). And where the trim stopped at its
limit, a quarter of each side (no cxr-dev film's does), what lies inside the borders found without one is looked at
too: a white box centred on black over 2.5% of the film filled under 90% of its central half, and was labelled.

Looked at where the model looks, inside the uniform borders (edge.borders_contrast, as edge.preprocess trims them): a
dithered film letterboxed in flat black is mostly black before the trim. A film whose every level holds under
MOST_SAMPLED of every STRIDE-th row cannot hold ONE_LEVEL of all its rows at one level (the others, at most 10% of the
film, fill at most 40% of those rows), so a chest film costs a histogram of a quarter of its rows, not of all of them;
read by edge.preprocess, which hands on the whole film's counts and its borders, it costs a histogram of the border
strips (none on a film without borders), and the sampled rows are looked at only for a film ONE_LEVEL one grey level.
"""

from __future__ import annotations

import numpy as np

from edge.borders_contrast import border_widths, inside_borders
from edge.figures import counted, fixed
from edge.grey_levels import FEW_LEVELS, counted_spread
from edge.wide_pixels import value_counts

# A film with this share of its pixels (inside its uniform borders) at one grey level is looked at for a box on a blank.
ONE_LEVEL = 0.9
STRIDE = 4
# The rest is strokes (text, lines, dots) where under SOLID of it lies INSIDE pixels or more from the blank, all ways.
INSIDE = 2
SOLID = 0.5
# A solid rest MOSTLY_ONE within NEAR levels of one level is a box whose edges JPEG blurred (a film: under 38%).
NEAR = 4
MOSTLY_ONE = 0.6
TRIM_LIMIT = 0.25  # edge.borders_contrast's max_fraction: a border trimmed this wide may go on further
FLAT = 6  # edge.borders_contrast's tolerance: the blank around a box, all of it within this many levels
MOST_SAMPLED = 1 - STRIDE * (1 - ONE_LEVEL)


def box_on_blank_fault(gray: np.ndarray, counts: np.ndarray | None = None,
                       borders: tuple[int, int, int, int] | None = None) -> str | None:
    """Why ``gray`` (8-bit, as decoded) is refused as a box or a label on a blank; None where under ONE_LEVEL of it
    (inside its uniform borders) is one grey level, or the rest is a film: it spans FEW_LEVELS or more, solid, and not
    MOSTLY_ONE within NEAR levels of one. ``counts`` (gray's 256 per-level counts) and ``borders`` (its border_widths)
    where the reader has them already (edge.preprocess): the film's own counts are then those less its borders', and
    the sampled rows are looked at only where they could let go a film ONE_LEVEL one grey level (always the same
    answer, down to the bound). Where the trim stopped at its limit (a quarter of each side), what lies inside the
    borders found without a limit is looked at too: a box centred on a blank, over 2.5% of it, was labelled."""
    borders = border_widths(gray) if borders is None else borders
    film = inside_borders(gray, borders)
    if film.size == 0:
        return None
    if counts is not None:
        counts = _inside(gray, counts, borders)
    if (fault := _looked_at(film, counts, film.shape == gray.shape)) is not None:
        return fault
    h, w = gray.shape
    if max(borders[:2]) < int(h * TRIM_LIMIT) and max(borders[2:]) < int(w * TRIM_LIMIT):
        return None
    top, bottom, left, right = whole = border_widths(gray, max_fraction=0.5)
    if top + bottom >= h or left + right >= w:
        return None  # all of it flat: the blank check's, not this one's
    strips = [s for s in (gray[:top], gray[h - bottom:], gray[top:h - bottom, :left], gray[top:h - bottom, w - right:])
              if s.size]
    if max(int(s.max()) for s in strips) - min(int(s.min()) for s in strips) > FLAT:
        return None  # each line flat at a level of its own (a ramp across the film): no blank around a box
    return _looked_at(inside_borders(gray, whole), None, False)


def _looked_at(film: np.ndarray, counts: np.ndarray | None, untrimmed: bool) -> str | None:
    """box_on_blank_fault's words for ``film`` (inside its borders; ``counts`` its per-level counts where known)."""
    if counts is not None and counts.max() / film.size < ONE_LEVEL:
        return None  # under ONE_LEVEL at one level: what the sampled rows would have let go, or the share below
    if value_counts(film[::STRIDE], 0, 256).max() < MOST_SAMPLED * film[::STRIDE].size:
        return None
    counts = value_counts(film, 0, 256) if counts is None else np.array(counts, dtype=np.int64)
    level = int(counts.argmax())
    share = counts[level] / film.size
    counts[level] = 0
    if share < ONE_LEVEL:
        return None
    if counts.sum() == 0:
        rest = "nothing else"
    else:
        lo, hi = counted_spread(counts)
        if hi - lo + 1 < FEW_LEVELS:
            rest = f"the rest spans {counted(hi - lo + 1, 'grey level')} ({lo}" + (f" to {hi})" if hi > lo else ")")
        elif (solid := solid_share(film != level)) < SOLID:
            rest = (f"the rest is thin strokes, text, lines or dots ({'0' if solid == 0 else fixed(solid, 1, 100)}% of "
                    f"it lies {INSIDE} pixels or more inside a stroke)")
        else:
            near = np.convolve(counts, np.ones(2 * NEAR + 1, np.int64), mode="same")
            if (most := near.max() / counts.sum()) < MOSTLY_ONE:
                return None
            rest = (f"the rest lies {fixed(most, 1, 100)}% within {NEAR} grey levels of one ({int(near.argmax())}), "
                    "its edges blurred (JPEG)")
    inside = "" if untrimmed else " inside its uniform borders"
    return (f"nearly blank: {'100' if share == 1 else fixed(share, 1, 100)}% of the film{inside} is one grey level "
            f"({level}) and {rest}, where a chest film holds under half at one level and spans 80 or more: a box or "
            "a label on a blank, no film to classify; check that the file is the film meant (not a cover page, a mask "
            "or an empty frame) and export the film again from its source")


def solid_share(rest: np.ndarray) -> float:
    """The share of ``rest``'s True pixels whose every neighbour up to INSIDE pixels away, all ways, is also True: near
    1 for a film pasted small (its block is solid), near 0 for anti-aliased text, lines or dots, however many grey
    levels their edges hold. Eroded by boolean ANDs of shifted views, row then column: no wider array than ``rest``."""
    k = 2 * INSIDE + 1
    total = int(np.count_nonzero(rest))
    if total == 0 or min(rest.shape) < k:
        return 0.0
    rows = rest[:, : rest.shape[1] - k + 1].copy()
    for i in range(1, k):
        rows &= rest[:, i : i + rows.shape[1]]
    both = rows[: rows.shape[0] - k + 1].copy()
    for i in range(1, k):
        both &= rows[i : i + both.shape[0]]
    return int(np.count_nonzero(both)) / total


def _inside(gray: np.ndarray, counts: np.ndarray, borders: tuple[int, int, int, int]) -> np.ndarray:
    """The per-level counts of ``gray`` inside ``borders``, from those of all of it (``counts``): the film counted
    where it is the smaller part, else its border strips counted and taken away; a new array either way."""
    top, bottom, left, right = borders
    h, w = gray.shape
    film = inside_borders(gray, borders)
    if film.size <= gray.size - film.size:
        return value_counts(film, 0, 256)
    out = np.array(counts, dtype=np.int64)
    for strip in (gray[:top], gray[h - bottom:], gray[top : h - bottom, :left], gray[top : h - bottom, w - right:]):
        if strip.size:
            out -= value_counts(strip, 0, 256)
    return out
