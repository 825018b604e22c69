"""How many bits apart 256-bit copy codes are (train.hygiene.copy_code), all pairs of two sets a
block at a time, and the copies within one set.

Sets run to tens of thousands of films, and all pairs grow as N²: the codes are compared as four
64-bit words with a bit count (np.bitwise_count on numpy 2, a bit-counting fallback on the numpy
1.x of 32-bit Pi OS), a block of rows at a time so that memory stays a block's whatever the size
(20,000 films: 0.87 s, against 32.8 s comparing every pair both ways through a byte table).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from train.hygiene import COPY_CODE_BITS, join

if TYPE_CHECKING:  # train.data uses this module while it loads
    from train.data import Item

CODE = 32  # bytes of a copy code


def codes_of(hexes: list[str]) -> np.ndarray:
    """(N, CODE) uint8 copy codes from their hex strings."""
    return np.frombuffer(bytes.fromhex("".join(hexes)), np.uint8).reshape(-1, CODE)


# All-pairs comparisons of copy codes go a block of rows at a time, as four 64-bit words a code:
# about CHUNK_BYTES of temporaries per block whatever the sets' sizes (8 bytes of XOR, 1 of bit
# count, 2 of sum and 1 of comparison a pair: about 700,000 pairs a block, which stay in cache:
# 32 MB blocks took 1.35 s for 20,000 films, 8 MB ones 0.86 s).
CHUNK_BYTES = 2 ** 23
_BITWISE_COUNT = hasattr(np, "bitwise_count")  # numpy >= 2.0; else _popcount_swar (numpy 1.x)
_PAIR_BYTES = 12 if _BITWISE_COUNT else 19  # _popcount_swar's scratch words instead of the 1-byte counts
_WORDS = CODE // 8
_M1, _M2, _M4, _H01 = (np.uint64(v) for v in (0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F,
                                              0x0101010101010101))


def _popcount_swar(x: np.ndarray) -> np.ndarray:
    """Set bits of each uint64 of ``x``, computed in place (``x`` is overwritten and returned): for
    numpy 1.x, which lacks np.bitwise_count (device installs)."""
    t = np.right_shift(x, np.uint64(1))
    t &= _M1
    x -= t
    np.right_shift(x, np.uint64(2), out=t)
    t &= _M2
    x &= _M2
    x += t
    np.right_shift(x, np.uint64(4), out=t)
    x += t
    x &= _M4
    x *= _H01  # wraps around, as wanted: the top byte sums the eight byte counts
    x >>= np.uint64(56)
    return x


def bit_counts(x: np.ndarray) -> np.ndarray:
    """uint8 set bits of each uint64 of ``x`` (``x`` is left as it is): np.bitwise_count, or the
    numpy 1.x fallback (whose uint64 counts would not add in place to smaller integers)."""
    return np.bitwise_count(x) if _BITWISE_COUNT else _popcount_swar(x.copy()).astype(np.uint8)


def words(codes: np.ndarray) -> np.ndarray:
    """(4, N) uint64: the copy codes (N, 32) uint8 as words, one row per word (contiguous)."""
    return np.ascontiguousarray(np.ascontiguousarray(codes, np.uint8).view(np.uint64).T)


def bits_apart(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """(n, m) uint16 differing bits between codes ``rows`` (4, n) and ``cols`` (4, m), as words gives."""
    d = np.zeros((rows.shape[1], cols.shape[1]), np.uint16)
    x = np.empty(d.shape, np.uint64)
    count = np.empty(d.shape, np.uint8) if _BITWISE_COUNT else None
    for w in range(_WORDS):
        np.bitwise_xor(rows[w, :, None], cols[w, None, :], out=x)
        if count is not None:
            d += np.bitwise_count(x, out=count)
        else:
            np.add(d, _popcount_swar(x), out=d, casting="unsafe")
    return d


def block_rows(cols: int) -> int:
    """Rows per block against ``cols`` codes."""
    return max(1, CHUNK_BYTES // (_PAIR_BYTES * max(1, cols)))


def nearest_bits(codes: np.ndarray, known: np.ndarray, progress: bool = False, desc: str = "") -> np.ndarray:
    """(N,) the fewest differing bits between each code and any known code (257 when none is known).
    ``progress``: a progress bar (train.progress) named ``desc`` over the codes."""
    out = np.full(len(codes), 8 * CODE + 1, np.int32)
    if len(known) and len(codes):
        from train.progress import progress_bar

        rows, cols = words(codes), words(known)
        step = block_rows(cols.shape[1])
        bar = progress_bar(len(codes), desc or "copy codes compared", progress)
        for k in range(0, len(codes), step):
            d = bits_apart(rows[:, k:k + step], cols)
            out[k:k + d.shape[0]] = d.min(1)
            bar.update(d.shape[0])
        bar.close()
    return out


def copies_within(items: list[Item], progress: bool = False, prints: tuple[np.ndarray, ...] = ()) -> list[list[int]]:
    """Groups (item indices, two or more) of films in one set that are copies of each other: the
    same bytes or copy codes within COPY_CODE_BITS. A set that holds a film twice counts it twice,
    and its intervals come out narrower than its films justify. ``progress``: a progress bar
    (train.progress) over the films, for sets of tens of thousands (the check grows as N²).
    ``prints``: the items' train.crop_copies.crop_print parts, stacked (train.scan.scan with
    crops), to find cropped and mirrored copies too."""
    from train.progress import progress_bar

    coded = np.array([k for k, i in enumerate(items) if i.near], np.int64)
    codes = words(codes_of([items[k].near for k in coded.tolist()]))
    n = codes.shape[1]
    pairs: list[tuple[int, int]] = []
    bar = progress_bar(n, "copies within the set", progress and n > 1)
    k = 0
    while k < n:  # each block of rows against itself and the codes after it only
        step = block_rows(n - k)
        a, b = np.nonzero(bits_apart(codes[:, k:k + step], codes[:, k:]) <= COPY_CODE_BITS)
        keep = a < b
        pairs += zip(coded[k + a[keep]].tolist(), coded[k + b[keep]].tolist())
        bar.update(min(step, n - k))
        k += step
    bar.close()
    first: dict[str, int] = {}
    pairs += [(first.setdefault(i.sha256, k), k) for k, i in enumerate(items) if i.sha256]
    if prints:
        from train.crop_copies import crop_and_mirror_pairs

        cropped, mirrored = crop_and_mirror_pairs(*prints, progress=progress)
        pairs += cropped.tolist() + mirrored.tolist()
    groups: dict[int, list[int]] = {}
    for k, g in enumerate(join(len(items), pairs)):
        groups.setdefault(g, []).append(k)
    return [g for g in groups.values() if len(g) > 1]
