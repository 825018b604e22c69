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
Saved as JPEG, such a box was labelled still (of sides 2 to 510 on a black 512x512 film, 36 at quality 90, 82 to 182
pixels; 111 at 75 and 105 at 50, 81 to 274): the ringing round its edges (up to 49 levels at quality 50, within the
8x8 blocks they cross) stopped that look a few lines short of it, and the trim for the model up to 7 lines short of
its limit, and what was left held under 90% at one exact level. So that look trims the lines lying within WIDE (48)
levels of the blank's, and counts a level with those within NEAR of it; it is taken too where the trim stopped at a
line lying that near the blank. Every side is refused at quality 30 to 90, white on black and black on white (13 and
15 sides of 87 to 136 at quality 10 are not). No real film is: the 1,372 cxr-dev films as they are; each of every 5th
padded by 30% and 60% on black and on white, pasted at a third and a quarter of its size on black and on white with a
label in a corner, as PNG and JPEG at quality 50, 75 and 90, and dithered to 1 bit on black (0 of 10,451 refused; the
most that look finds within NEAR of one level, 87.7%, is a film at a quarter of its size with the label, its rest a
film's spread). 127 cxr-dev films stop the trim at a line that near the blank: the look costs a few lines from each
edge, and no histogram where edge.preprocess hands on the counts (what the first look counted bounds what lies
inside).

Looked at where the model looks, inside the uniform borders (edge.borders_contrast, as edge.preprocess trims them): a
dithered film letterboxed in flat black is mostly black before the trim. A film whose every level holds under
MOST_SAMPLED of every STRIDE-th row cannot hold ONE_LEVEL of all its rows at one level (the others, at most 10% of the
film, fill at most 40% of those rows), so a chest film costs a histogram of a quarter of its rows, not of all of them;
read by edge.preprocess, which hands on the whole film's counts and its borders, it costs a histogram of the border
strips (none on a film without borders), and the sampled rows are looked at only for a film ONE_LEVEL one grey level.
"""

from __future__ import annotations

import numpy as np

from edge.borders_contrast import TOLERANCE, TRIM_FRACTION, border_widths, inside_borders
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
TRIM_LIMIT = TRIM_FRACTION  # a border trimmed this wide may go on further
WIDE = 48  # the untrimmed look's lines lie within this many levels of the blank's (a JPEG's ringing round a box)
CHUNK = 16  # lines the untrimmed look takes at a time from each edge
FLAT = TOLERANCE  # the blank around a box, all of it within this many levels
MOST_SAMPLED = 1 - STRIDE * (1 - ONE_LEVEL)


def box_on_blank_fault(gray: np.ndarray, counts: np.ndarray | None = None,
                       borders: tuple[int, int, int, int] | None = None) -> str | None:
    """Why ``gray`` (8-bit, as decoded) is refused as a box or a label on a blank; None where under ONE_LEVEL of it
    (inside its uniform borders) is one grey level, or the rest is a film: it spans FEW_LEVELS or more, solid, and not
    MOSTLY_ONE within NEAR levels of one. ``counts`` (gray's 256 per-level counts) and ``borders`` (its border_widths)
    where the reader has them already (edge.preprocess): the film's own counts are then those less its borders', and
    the sampled rows are looked at only where they could let go a film ONE_LEVEL one grey level (always the same
    answer, down to the bound). Where the trim stopped at its limit (a quarter of each side), or at a line within WIDE
    levels of the blank's (a JPEG's ringing), what lies inside the lines that near the blank is looked at too: a box
    centred on a blank, over 2.5% of it, was labelled, and so was one saved as JPEG."""
    borders = border_widths(gray) if borders is None else borders
    film = inside_borders(gray, borders)
    if film.size == 0:
        return None
    if counts is not None:
        counts = _inside(gray, counts, borders)
    if (fault := _looked_at(film, counts, film.shape == gray.shape)) is not None:
        return fault
    return _untrimmed_fault(gray, borders, counts)


def _untrimmed_fault(gray: np.ndarray, borders: tuple[int, int, int, int], counts: np.ndarray | None) -> str | None:
    """box_on_blank_fault's second look, inside the lines lying within WIDE levels of the blank's (its borders', all
    within FLAT), up to half of each side, each level counted with those within NEAR of it; taken where the trim for
    the model stopped at its limit, or at a line lying so near the blank (a JPEG's ringing round a box's edge)."""
    strips = _strips(gray, borders)
    if not strips:
        return None
    lo, hi = min(int(s.min()) for s in strips), max(int(s.max()) for s in strips)
    if hi - lo > FLAT:
        return None  # each line flat at a level of its own (a ramp across the film): no blank around a box
    lo, hi = lo - WIDE, hi + WIDE
    h, w = gray.shape
    top, bottom, left, right = borders
    stopped = [line for width, line in zip(borders, (gray[top], gray[h - 1 - bottom], gray[top:h - bottom, left],
                                                     gray[top:h - bottom, w - 1 - right])) if width]
    if (max(top, bottom) < int(h * TRIM_LIMIT) and max(left, right) < int(w * TRIM_LIMIT)
            and not any(lo <= line.min() and line.max() <= hi for line in stopped)):
        return None
    top, bottom, left, right = whole = _blank_widths(gray, lo, hi)
    if top + bottom >= h or left + right >= w:
        return None  # all of it flat: the blank check's, not this one's
    film = inside_borders(gray, whole)
    if counts is not None and _within(counts, NEAR).max() < ONE_LEVEL * film.size:
        return None  # what the first look counted (around this) holds too few so near one level, all inside
    return _looked_at(film, None, False, NEAR)


def _strips(gray: np.ndarray, borders: tuple[int, int, int, int]) -> list[np.ndarray]:
    """The border strips of ``gray`` outside ``borders`` (top, bottom, left, right), those not empty: views."""
    top, bottom, left, right = borders
    h, w = gray.shape
    return [s for s in (gray[:top], gray[h - bottom:], gray[top:h - bottom, :left], gray[top:h - bottom, w - right:])
            if s.size]


def _blank_widths(gray: np.ndarray, lo: int, hi: int) -> tuple[int, int, int, int]:
    """How many rows and columns at each edge of ``gray`` (top, bottom, left, right) lie wholly within ``lo``..``hi``,
    up to half of each side: the blank around a box, with a JPEG's ringing round the box's edges. Looked at CHUNK
    lines at a time from each edge, so a film whose edge is no blank costs a few lines, not the whole film."""
    return (_blank_run(gray, lo, hi), _blank_run(gray[::-1], lo, hi), _blank_run(gray.T, lo, hi),
            _blank_run(gray.T[::-1], lo, hi))


def _blank_run(lines: np.ndarray, lo: int, hi: int) -> int:
    """How many of ``lines`` (rows, from the edge inward) lie wholly within ``lo``..``hi``, up to half of them."""
    limit = lines.shape[0] // 2
    for start in range(0, limit, CHUNK):
        part = lines[start:min(start + CHUNK, limit)]
        off = np.flatnonzero((part.min(axis=1) < lo) | (part.max(axis=1) > hi))
        if off.size:
            return start + int(off[0])
    return limit


def _looked_at(film: np.ndarray, counts: np.ndarray | None, untrimmed: bool, near: int = 0) -> str | None:
    """box_on_blank_fault's words for ``film`` (inside its borders; ``counts`` its per-level counts where known). Its
    share at one level is counted within ``near`` levels of it (the untrimmed look: a JPEG's box, ringing)."""
    if counts is not None and counts.max() / film.size < ONE_LEVEL:
        return None  # under ONE_LEVEL at one level: what the sampled rows would have let go, or the share below
    if _within(value_counts(film[::STRIDE], 0, 256), near).max() < MOST_SAMPLED * film[::STRIDE].size:
        return None
    counts = value_counts(film, 0, 256) if counts is None else np.array(counts, dtype=np.int64)
    windows = _within(counts, near)
    tops = np.flatnonzero(windows == windows.max())
    level = int(tops[counts[tops].argmax()])  # of the levels with the most near them, the one holding the most
    share, alone = windows[level] / film.size, counts[level] / film.size
    first, last = max(level - near, 0), min(level + near, 255)
    counts[first:last + 1] = 0
    if share < ONE_LEVEL:
        return None
    if counts.sum() == 0:
        rest = "nothing else"
    else:
        lo, hi = counted_spread(counts)
        if hi - lo + 1 < FEW_LEVELS:
            rest = f"the rest spans {counted(hi - lo + 1, 'grey level')} ({lo}" + (f" to {hi})" if hi > lo else ")")
        elif (solid := solid_share((film < first) | (film > last))) < SOLID:
            rest = (f"the rest is thin strokes, text, lines or dots ({'0' if solid == 0 else fixed(solid, 1, 100)}% of "
                    f"it lies {INSIDE} pixels or more inside a stroke)")
        else:
            around = _within(counts, NEAR)
            if (most := around.max() / counts.sum()) < MOSTLY_ONE:
                return None
            rest = (f"the rest lies {fixed(most, 1, 100)}% within {NEAR} grey levels of one ({int(around.argmax())}), "
                    "its edges blurred (JPEG)")
    inside = "" if untrimmed else " inside its uniform borders"
    one = "is one grey level" if alone == share else f"lies within {near} grey levels of one"
    return (f"nearly blank: {'100' if share == 1 else fixed(share, 1, 100)}% of the film{inside} {one} ({level}) "
            f"and {rest}, where a chest film holds under half at one level and spans 80 or more: a box or "
            "a label on a blank, no film to classify; check that the file is the film meant (not a cover page, a mask "
            "or an empty frame) and export the film again from its source")


def _within(counts: np.ndarray, near: int) -> np.ndarray:
    """How many pixels lie within ``near`` levels of each of the 256 grey levels, from their per-level ``counts``."""
    return counts if near == 0 else np.convolve(counts, np.ones(2 * near + 1, np.int64), mode="same")


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
    film = inside_borders(gray, borders)
    if film.size <= gray.size - film.size:
        return value_counts(film, 0, 256)
    out = np.array(counts, dtype=np.int64)
    for strip in _strips(gray, borders):
        out -= value_counts(strip, 0, 256)
    return out
