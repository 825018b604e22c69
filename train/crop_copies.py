"""Cropped, moved, turned and mirrored copies: the re-publications a copy code
(train.hygiene.copy_code) misses.

Public collections re-publish each other's films cut by a few percent on a side, with the window
moved, turned by a few degrees, or flipped left to right. A 17x16 difference hash moves by up to 62
bits for 5% off one side, so such a copy looks like another film, lands in another split and is
scored as unseen. Two ways back:

- padding a film back by each guess of its four cut margins (0, 2, 4 or 6% a side, repeating its
  edge: 256 guesses) and keeping the closest code finds the film it was cut from;
- cutting a film in by each guess finds, among known films, a crop of it;
- 16 more guesses (SHIFTS, TURNS) move a film's window by 2 or 4% or turn it by 2 or 4 degrees.

The guesses are a product of (top, bottom) and (left, right) pairs, so one integral image of the
film gives all 256 box-filtered thumbnails at once (a 256-px film: 8 ms, 4.5 ms reduced to 128
px first, against 22 ms through PIL). Their codes differ from copy_code's by rounding alone: within 4 bits of it for no margin
(30 cxr-dev films), so both kinds of code are compared within COPY_CODE_BITS.

Comparing every film's 272 guesses with every other film grows as 272 N²: a 6x6 thumbnail of
each film's centre sieves the pairs first (a cut of up to 6% a side keeps that thumbnail's
correlation at 0.85 or more; one pair of distinct cxr-dev films in 24 passes at SIEVE_MIN, but
up to one in 10 of one source's films and 6 in 10 of cxr-synth's), then 24 of the film's guesses
with their radii (CENTRES) turn away, exactly, the pairs no guess comes within DOUBT_BITS of.
Within a set, a code a few bits too far (a cut with another exposure) is settled by a thumbnail
correlation, as train.hygiene settles near-duplicates (DOUBT_BITS, CHECK_MIN). On cxr-dev this
joins 89 to 92 of 100 random 2-5% cuts with gamma 0.8-1.25 to their films, 99 or 100 of 100
mirror images, and no two of its 1,372 films (benchmarks/crop_copies.py).
"""

from __future__ import annotations

import itertools

import numpy as np
from PIL import Image

from train.code_distance import CODE, bit_counts, bits_apart, block_rows, words
from train.hygiene import COPY_CODE_BITS, COPY_CODE_SIDE

CROP_MARGINS = (0.0, 0.02, 0.04, 0.06)
PAD_BACK = list(itertools.product(CROP_MARGINS, repeat=2))  # (before, after) fractions added to a side
CUT_IN = [(-a, -b) for a, b in PAD_BACK]  # and taken away
# A copy whose window moved (cut on one side, more shown on the other) is a crop of neither film; nor
# is one turned by a few degrees. A few more guesses bring each back: moved by 2 or 4% along one axis
# (padded on one side, cut on the other), turned by 2 or 4 degrees either way with the corners black
# or white, as tools fill them. Before them, 2% moves were found for 49 of 60 cxr-dev films, 4% for
# 23; turns of 1 degree for 58, 2 for 17, 3 for 1.
SHIFTS = [(a, -a) for a in (0.02, 0.04)] + [(-a, a) for a in (0.02, 0.04)]
TURNS = [(t, fill) for fill in (0, 255) for t in (-4.0, -2.0, 2.0, 4.0)]  # (degrees counterclockwise, corners)
# (top, bottom, left, right, degrees, corners) of each code crop_print makes: padded back, moved, turned
GUESSES = ([(*r, *c, 0.0, 0) for r in PAD_BACK for c in PAD_BACK] + [(*r, 0.0, 0.0, 0.0, 0) for r in SHIFTS]
           + [(0.0, 0.0, *c, 0.0, 0) for c in SHIFTS] + [(0.0, 0.0, 0.0, 0.0, *t) for t in TURNS])
SIEVE_SIDE = 6
SIEVE_CENTRE = 0.12  # of each side left out of the sieve's thumbnail, so a cut of 6% leaves it whole
# Correlation: 300 random 2-5% cuts with gamma 0.8-1.25 of cxr-dev films all kept at least 0.85,
# and 4.2% of the pairs of distinct cxr-dev films reach it (16% at 0.75, 1.1% at 0.90, which loses 1 cut in 100).
SIEVE_MIN = 0.85
# A cut with a change of exposure moves the code further: 2-5% cuts with gamma 0.8-1.25 came within
# COPY_CODE_BITS for 79 of 100 cxr-dev films, within DOUBT_BITS for 98. Between the two, the
# padded-back film's 24x24 thumbnail must correlate with the other's at CHECK_MIN: the true cuts did
# at 0.94 to 1.00 (median 0.993), and of 300 films no distinct film in doubt did above 0.974.
DOUBT_BITS = 16
# Within a set, where codes are compared with codes made alike, films are reduced to at most 160 px
# first (8 px or more a cell): 3 times faster, as many copies found. Against a model's copy codes,
# taken from the full film (convert.seen), reducing cost 1 to 4 found in 100.
REDUCE_ABOVE = 160
CHECK_FROM, CHECK_SIDE, CHECK_MIN = 48, 24, 0.98
# A pair the sieve lets through costs 272 code comparisons, and most such pairs of alike films (one
# site's own, cxr-synth's: 2-10% and 60% of pairs pass the sieve, against 4.5% of mixed cxr-dev) are
# far apart under every guess. So a few of a film's guesses, CENTRES spread out among them, are tried
# first, each with its radius: the most bits any guess nearest that centre is from it. Bits apart obey
# the triangle inequality, so a guess within DOUBT_BITS of the other film's code puts its centre within
# radius + DOUBT_BITS of it: a pair with no centre that near has no guess within DOUBT_BITS, neither a
# copy nor in doubt, exactly as the 272 comparisons would have found; the others get all 272. With 24
# centres (radius median 17 to 22 bits) 2.7% to 4.6% of the sieved pairs are left for them (cxr-dev,
# one of its sources, 5,000 cxr-synth films): some 35 comparisons a pair instead of 272, the search
# 5 to 6 times faster (benchmarks/RESULTS.md, "Centres first").
CENTRES = 24


def window_means(gray: np.ndarray, rows: list[tuple[float, float]], cols: list[tuple[float, float]],
                 cells: tuple[int, int], reduce_above: int = 1024) -> np.ndarray:
    """(len(rows), ny, len(cols), nx) box-filtered thumbnails (``cells`` = (ny, nx)) of ``gray``
    widened or narrowed by each pair of (top, bottom) fractions of its height in ``rows`` and each
    (left, right) pair of its width in ``cols`` (positive: edge pixels repeated outward; negative:
    cut off). A film larger than ``reduce_above`` pixels is box-reduced first: a box filter of a
    box filter, so the thumbnails barely move while the work shrinks."""
    g = np.asarray(reduced(gray, reduce_above), np.float64)
    h, w = g.shape
    r, c = np.asarray(rows, np.float64), np.asarray(cols, np.float64)
    pt, pb = (int(np.ceil(max(0.0, r[:, k].max()) * h)) + 1 for k in (0, 1))
    pl, pr = (int(np.ceil(max(0.0, c[:, k].max()) * w)) + 1 for k in (0, 1))
    padded = np.pad(g, ((pt, pb), (pl, pr)), mode="edge")
    total = np.zeros((padded.shape[0] + 1, padded.shape[1] + 1))
    total[1:, 1:] = padded.cumsum(0).cumsum(1)
    ys, cell_h = _edges(h, pt, r, cells[0])
    xs, cell_w = _edges(w, pl, c, cells[1])
    # The integral of a piecewise-constant image is bilinear between grid points: sampling it at
    # fractional edges gives PIL's box filter (coverage-weighted means) without rounding the margins.
    iy = np.floor(ys).astype(int)
    fy = (ys - iy)[..., None]
    at_rows = total[iy] * (1 - fy) + total[iy + 1] * fy  # (R, ny+1, W+1)
    ix = np.floor(xs).astype(int)
    fx = xs - ix
    at = at_rows[:, :, ix] * (1 - fx) + at_rows[:, :, ix + 1] * fx  # (R, ny+1, C, nx+1)
    return np.diff(np.diff(at, axis=1), axis=3) / (cell_h[:, None, None, None] * cell_w[None, None, :, None])


def reduced(gray: np.ndarray, side: int) -> np.ndarray:
    """``gray`` box-reduced by a whole factor to at most ``side`` pixels a side (as it is if smaller)."""
    if max(gray.shape) <= side:
        return gray
    return np.asarray(Image.fromarray(np.asarray(gray)).reduce(int(np.ceil(max(gray.shape) / side))))


def window_codes(gray: np.ndarray, rows: list[tuple[float, float]], cols: list[tuple[float, float]]) -> np.ndarray:
    """(len(rows) * len(cols), CODE) copy codes of ``gray`` widened or narrowed as window_means
    says, rows outermost."""
    return _codes(window_means(gray, rows, cols, (COPY_CODE_SIDE, COPY_CODE_SIDE + 1)))


def _codes(means: np.ndarray) -> np.ndarray:
    """Copy codes (R * C, CODE) of box means (R, 16, C, 17), as copy_code takes them."""
    means = np.floor(means + 0.5)  # PIL rounds to whole grey levels before copy_code compares them
    bits = means[..., 1:] > means[..., :-1]  # (R, 16, C, 16)
    return np.packbits(bits.transpose(0, 2, 1, 3).reshape(means.shape[0] * means.shape[2], -1), axis=1)


def check_thumb(small: np.ndarray, guess: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0, 0)) -> np.ndarray:
    """Zero-mean unit-norm CHECK_SIDE² thumbnail of a film's CHECK_FROM² thumbnail ``small``,
    padded back or cut as ``guess`` says (top, bottom, left, right, degrees turned, the corners' grey):
    what confirms a match the copy code leaves in doubt."""
    if guess[4]:
        small = turned(small, guess[4], int(guess[5]))
    t = window_means(small, [guess[:2]], [guess[2:4]], (CHECK_SIDE, CHECK_SIDE)).ravel()
    t = t - t.mean()
    norm = float(np.linalg.norm(t))
    return t / norm if norm > 0 else t


def _edges(n: int, offset: int, pairs: np.ndarray, cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Cell edges (K, cells + 1) in the padded axis for each (before, after) pair, and cell sizes."""
    start = offset - pairs[:, 0] * n
    size = n + (pairs[:, 0] + pairs[:, 1]) * n
    return start[:, None] + size[:, None] * np.linspace(0, 1, cells + 1)[None], size / cells


def cut_codes(gray: np.ndarray) -> np.ndarray:
    """(256, CODE): ``gray`` cut in by each guess of four margins (the first: uncut)."""
    return window_codes(gray, CUT_IN, CUT_IN)


def lookup_codes(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What convert.seen compares with a model's copy codes, from the full film: (its codes as
    GUESSES says, then cut in by each guess of CUT_IN but the first; (1, CODE): its mirror image's
    code). Moves and turns go both ways already."""
    codes, mirrored = _guess_codes(gray, 1024)
    return np.concatenate([codes, cut_codes(gray)[1:]]), mirrored


def turned(gray: np.ndarray, degrees: float, fill: int,
           resample: Image.Resampling = Image.Resampling.BILINEAR) -> np.ndarray:
    """``gray`` turned about its centre, its size kept, the corners filled with grey level ``fill``."""
    return np.asarray(Image.fromarray(np.asarray(gray, np.uint8)).rotate(degrees, resample=resample, fillcolor=fill))


def _turned_codes(gray: np.ndarray) -> np.ndarray:
    """(len(TURNS), CODE): the codes of ``gray`` turned by each of TURNS (reduced to REDUCE_ABOVE
    first: a turn costs as the pixels do; nearest pixels, as the code's cells average 8 or more)."""
    gray = reduced(gray, REDUCE_ABOVE)
    means = np.stack([np.asarray(Image.fromarray(turned(gray, t, fill, Image.Resampling.NEAREST)).resize(
        (COPY_CODE_SIDE + 1, COPY_CODE_SIDE), Image.Resampling.BOX), np.float64) for t, fill in TURNS])
    return _codes(means[:, :, None, :])  # PIL's box filter, rounded as copy_code's is


def _guess_codes(gray: np.ndarray, reduce_above: int) -> tuple[np.ndarray, np.ndarray]:
    """(len(GUESSES), CODE): ``gray``'s codes as GUESSES says (reduced first, as window_means says),
    and (1, CODE): its mirror image's code."""
    gray = reduced(gray, reduce_above)
    k = len(PAD_BACK)
    means = window_means(gray, PAD_BACK + SHIFTS, PAD_BACK + SHIFTS, (COPY_CODE_SIDE, COPY_CODE_SIDE + 1))
    mirrored = _codes(means[:1, :, :1, ::-1])  # a box filter commutes with a flip: the first guess, flipped
    return np.concatenate([_codes(means[:k, :, :k]), _codes(means[k:, :, :1]), _codes(means[:1, :, k:]),
                           _turned_codes(gray)]), mirrored


def sieve_thumb(gray: np.ndarray) -> np.ndarray:
    """Zero-mean unit-norm 6x6 thumbnail of the film's centre: close for a film and its crops."""
    h, w = gray.shape
    dh, dw = round(SIEVE_CENTRE * h), round(SIEVE_CENTRE * w)
    centre = Image.fromarray(np.ascontiguousarray(gray[dh:h - dh or None, dw:w - dw or None]))
    t = np.asarray(centre.resize((SIEVE_SIDE, SIEVE_SIDE), Image.Resampling.BOX), np.float32).ravel()
    t -= t.mean()
    norm = float(np.linalg.norm(t))
    return t / norm if norm > 0 else t


def crop_print(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the search within a set needs of one film: (sieve thumbnail, its codes as GUESSES says,
    the code of its mirror image, its CHECK_FROM² thumbnail for check_thumb)."""
    small = np.asarray(Image.fromarray(np.asarray(gray)).resize((CHECK_FROM, CHECK_FROM), Image.Resampling.BOX))
    codes, mirrored = _guess_codes(gray, REDUCE_ABOVE)
    return sieve_thumb(gray), codes, mirrored[0], small


def guess_centres(codes: np.ndarray, k: int = CENTRES) -> tuple[np.ndarray, np.ndarray]:
    """For films' guess codes ``codes`` (n, G, CODE): (n, k) indices of k of each film's guesses, the
    first guess first and then each the farthest from those before it, and (n, k) their radii: the
    most bits any guess is from the centre it is nearest to (the first of equals), so that every
    guess lies within its centre's radius."""
    w = np.ascontiguousarray(np.ascontiguousarray(codes, np.uint8).view(np.uint64).transpose(0, 2, 1))  # (n, 4, G)
    n, g = w.shape[0], w.shape[2]
    rows = np.arange(n)
    centres = np.zeros((n, k), np.int64)
    nearest = np.full((n, g), 8 * CODE + 1, np.int16)  # bits from the nearest centre so far
    which = np.zeros((n, g), np.int16)
    x = np.empty_like(w)
    for c in range(k):
        if c:
            centres[:, c] = nearest.argmax(1)
        np.bitwise_xor(w, w[rows, :, centres[:, c]][:, :, None], out=x)
        counts = bit_counts(x)
        d = counts[:, 0].astype(np.int16)  # the words' counts added a word at a time: 3 times faster than sum(1)
        for word in range(1, w.shape[1]):
            d += counts[:, word]
        which[d < nearest] = c
        np.minimum(nearest, d, out=nearest)
    radii = np.stack([np.where(which == c, nearest, 0).max(1) for c in range(k)], 1)
    return centres, radii


def within_reach(guesses: np.ndarray, centres: np.ndarray, radii: np.ndarray, others: np.ndarray) -> np.ndarray:
    """(m,) bool: for one film's guess codes ``guesses`` (G, CODE), with its centres and radii from
    guess_centres, which of the codes ``others`` ((4, m), as words gives) some guess may be within
    DOUBT_BITS of. False only where none is: a centre within radius + DOUBT_BITS of the code is
    what any guess of its within DOUBT_BITS implies."""
    reach = max(DOUBT_BITS, COPY_CODE_BITS)  # the farthest any later test accepts, whichever is changed
    return (bits_apart(words(guesses[centres]), others) <= (radii + reach)[:, None]).any(0)


def crop_and_mirror_pairs(thumbs: np.ndarray, codes: np.ndarray, mirrored: np.ndarray, smalls: np.ndarray,
                          progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (K, 2) of films (i, j) of one set where i is a crop of j, and pairs where i is j's mirror
    image; the arguments are crop_print's parts, stacked. Arrays, not lists of tuples: a set of a few
    films copied thousands of times holds millions of pairs (8 bytes each here, about 150 as tuples)."""
    from train.progress import progress_bar

    n = len(codes)
    plain: dict[int, np.ndarray] = {}  # check_thumb of the films a doubt needs, made when first needed

    def plain_of(j: int) -> np.ndarray:
        if j not in plain:
            plain[j] = check_thumb(smalls[j])
        return plain[j]

    zero = words(codes[:, 0]) if n else np.zeros((CODE // 8, 0), np.uint64)
    crops: list[np.ndarray] = [np.zeros((0, 2), np.int32)]
    bar = progress_bar(n, "cropped copies within the set", progress and n > 1)
    for start in range(0, n, 256):
        near = thumbs[start:start + 256] @ thumbs.T >= SIEVE_MIN
        centres, radii = guess_centres(codes[start:start + 256])
        for i in range(start, min(n, start + 256)):
            near[i - start, i] = False
            js = np.flatnonzero(near[i - start])
            if len(js):  # the centres first (CENTRES): a pair none comes near has no guess within DOUBT_BITS
                js = js[within_reach(codes[i], centres[i - start], radii[i - start], zero[:, js])]
            if len(js):
                bits = bits_apart(words(codes[i]), zero[:, js])
                guess = bits.argmin(0)
                best = bits[guess, np.arange(len(js))]
                doubt = (best > COPY_CODE_BITS) & (best <= DOUBT_BITS)
                found = np.sort(np.concatenate([js[best <= COPY_CODE_BITS], np.array([
                    j for j, g in zip(js[doubt], guess[doubt])
                    if float(check_thumb(smalls[i], GUESSES[g]) @ plain_of(int(j))) >= CHECK_MIN], np.int64)]))
                crops.append(np.stack([np.full(len(found), i), found], 1).astype(np.int32))
            bar.update(1)
    bar.close()
    mirrors: list[np.ndarray] = [np.zeros((0, 2), np.int32)]
    if n:
        flipped = words(mirrored)
        step = block_rows(n)
        bar = progress_bar(n, "mirror images within the set", progress and n > 1)
        for start in range(0, n, step):
            bits = bits_apart(flipped[:, start:start + step], zero)
            a, b = np.nonzero(bits <= DOUBT_BITS)
            keep = (a + start != b) & (bits[a, b] <= COPY_CODE_BITS)
            for k in np.flatnonzero((a + start != b) & ~keep):  # in doubt: the thumbnails decide
                keep[k] = float(check_thumb(np.fliplr(smalls[a[k] + start])) @ plain_of(int(b[k]))) >= CHECK_MIN
            mirrors.append(np.stack([a[keep] + start, b[keep]], 1).astype(np.int32))
            bar.update(min(step, n - start))
        bar.close()
    return np.concatenate(crops), np.concatenate(mirrors)
