"""Which squares of a film an occlusion map covers, and where the film lies in its model input.

A grid of squares half a square apart (edge.explain) misses evidence about one square in size that sits
between its squares: a 15-pixel corner marker at rows 5-20 is never covered whole by squares starting at 0
and 8, the white left uncovered keeps the answer, and the map said its strongest square hardly mattered
while a square a few pixels over flipped the answer. ``finer`` moves squares in smaller steps around the
strongest ones until each sits where its cover lowers the answer most: a few dozen more model calls
instead of the 4 to 16 times as many a finer grid would take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

# Strongest squares of the grid moved in smaller steps (half the grid's, a quarter, an eighth: 4, 2 and 1 pixels
# at 128), up to 8 new squares each a step: 3 * 8 * 3 = 72 more calls at most, at any input size.
SEEDS = 3


def film_box(image: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the film in a model input. Preprocessing pads a film that is not square
    with black (edge.preprocess), and evidence found there, or a border measured on the square, would be the
    padding's, not the film's (a landscape film's own top edge, where text sits, read as inside).

    The pixels alone cannot tell padding from a film's own black band (an edge equalised to 0), but
    preprocessing's geometry can: it pads one side only (the film's longer side fills the input) and centres
    the film, half the padding before it (rounded down) and the rest after. So black rows on one edge only
    are the film's own, and so are black rows on the side not padded. An input all black is all film. Where
    the padding is odd and the film has a black band of its own on that side, the box may be one pixel off:
    the pixels cannot tell which row is which."""
    gray = image[..., 0] if image.ndim == 3 else image
    h, w = gray.shape
    rows, cols = np.flatnonzero(gray.any(axis=1)), np.flatnonzero(gray.any(axis=0))
    if not len(rows):
        return 0, h, 0, w
    top, bottom = _centred(int(rows[0]), h - 1 - int(rows[-1]))
    left, right = _centred(int(cols[0]), w - 1 - int(cols[-1]))
    if top + bottom and left + right:  # both sides cannot be padded: the lesser black is the film's own
        if top + bottom >= left + right:
            left = right = 0
        else:
            top = bottom = 0
    return top, h - bottom, left, w - right


def _centred(before: int, after: int) -> tuple[int, int]:
    """The padding that black runs of ``before`` and ``after`` pixels at the two ends can be, centred
    as preprocessing centres a film: as much before as after, or one more after."""
    pad = min(before, after)
    return pad, min(after, pad + 1)


def starts(lo: int, hi: int, patch: int, stride: int) -> list[int]:
    """Patch offsets covering [lo, hi), always including the last one, so every pixel is covered."""
    if hi - lo <= patch:
        return [max(0, min(lo, hi - patch))]
    return sorted(set(range(lo, hi - patch + 1, stride)) | {hi - patch})


def falls(drop: Callable[[list[tuple[int, int]]], np.ndarray], grid: list[tuple[int, int]],
          stride: int, seeds: int = SEEDS) -> dict[tuple[int, int], float]:
    """{(top, left) of a square: the fall its cover gives} over the ``grid``, and over the squares where
    the ``seeds`` strongest of it (of distinct places) end when moved in halving steps (stride/2, stride/4,
    stride/8, none below 1 pixel), each step to its strongest neighbour within the grid's extent. The
    squares passed on the way are left out: near a film's edge they can only move inwards, and would draw
    its evidence inwards.
    ``drop(offsets)``: the falls of those squares' covers."""
    out = dict(zip(grid, (float(v) for v in drop(grid))))
    seen = dict(out)
    ys, xs = [y for y, _ in grid], [x for _, x in grid]
    lo, hi = (min(ys), min(xs)), (max(ys), max(xs))
    at: list[tuple[int, int]] = []
    for o in sorted(out, key=lambda o: -out[o]):  # the strongest squares of distinct places, not one place's neighbours
        if len(at) < seeds and all(abs(o[0] - a[0]) >= stride * 2 or abs(o[1] - a[1]) >= stride * 2 for a in at):
            at.append(o)
    step = stride // 2
    while step >= max(1, stride // 8) and at:  # to an eighth of the grid's step: as fine, to scale, at any side
        near = [_around(o, step, lo, hi) for o in at]
        new = sorted({o for group in near for o in group} - seen.keys())
        if new:
            seen.update(zip(new, (float(v) for v in drop(new))))
        at = [max(group, key=lambda o: seen[o]) for group in near]
        step //= 2
    out.update((o, seen[o]) for o in at)
    return out


def _around(o: tuple[int, int], step: int, lo: tuple[int, int], hi: tuple[int, int]) -> Iterable[tuple[int, int]]:
    return [(min(max(o[0] + dy * step, lo[0]), hi[0]), min(max(o[1] + dx * step, lo[1]), hi[1]))
            for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
