"""edge.wide_pixels.value_counts: the per-level counts every film's checks read (blank, grey levels, a box on a
blank), the same whichever way they are counted: Pillow's histogram for an 8-bit film, np.bincount otherwise."""

import numpy as np
import pytest

from edge.wide_pixels import ROWS_AT_ONCE, value_counts


def _film(h: int, w: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(h, w), dtype=np.uint8)


@pytest.mark.parametrize("view", ["whole", "every 4th row", "trimmed", "one column", "transposed"])
def test_an_8_bit_film_is_counted_level_by_level_as_bincount_counts_it(view):
    film = _film(3 * ROWS_AT_ONCE // 1000 + 7, 1000)  # more rows than one block holds: the blocks are added up
    film[:10] = 0
    film[-3:] = 255
    a = {"whole": film, "every 4th row": film[::4], "trimmed": film[5:-5, 3:-9], "one column": film[:, 17:18],
         "transposed": film.T}[view]
    counts = value_counts(a, 0, 256)
    assert counts.dtype == np.int64
    assert counts.tolist() == np.bincount(a.ravel(), minlength=256).tolist()
    assert counts.sum() == a.size


def test_wide_values_and_an_offset_are_still_counted_from_first():
    a = np.array([[300, 301, 301], [305, 300, 300]], dtype=np.uint16)
    assert value_counts(a, 300, 6).tolist() == [3, 2, 0, 0, 0, 1]


def test_an_8_bit_film_counted_from_another_first_level_is_not_read_as_0_to_255():
    a = np.array([[10, 11, 11, 12]], dtype=np.uint8)
    assert value_counts(a, 10, 3).tolist() == [1, 2, 1]


def test_an_empty_film_counts_nothing():
    assert value_counts(np.zeros((0, 5), np.uint8), 0, 256).sum() == 0
