"""A float film with NaN or infinite pixels is mapped a block of rows at a time, to the bytes the whole-film
mapping of cxr-edge 0.32 gave (which cost a 7000x7000 float TIFF 220 MB more for one NaN pixel)."""

from __future__ import annotations

import numpy as np
import pytest

from edge.wide_pixels import linear_to_uint8, outlier_free_range, scale_to_uint8


def old_linear_to_uint8(a: np.ndarray) -> np.ndarray:
    """edge.wide_pixels.linear_to_uint8's handling of non-finite values up to 0.32 (a whole copy)."""
    finite = np.isfinite(a)
    lo, hi = a[finite].min(), a[finite].max()
    a = np.where(finite, a, np.where(a == np.inf, hi, lo))
    lo, hi = float(a.min()), float(a.max())
    lo, hi = outlier_free_range(a, lo, hi)
    return scale_to_uint8(a, lo, hi)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows_at_once", [1 << 20, 250 * 3 + 7, 1])
def test_non_finite_pixels_map_block_by_block_to_the_same_bytes(dtype, rows_at_once, monkeypatch):
    import edge.wide_pixels

    monkeypatch.setattr(edge.wide_pixels, "ROWS_AT_ONCE", rows_at_once)
    rng = np.random.default_rng(3)
    a = (rng.normal(0.4, 0.2, (101, 250)) * 7.3 - 1.1).astype(dtype)
    a[0, 0], a[50, 7], a[100, 249], a[3, 3:9] = np.nan, np.inf, -np.inf, np.nan
    a[60:61, :] = np.nan  # a whole row: a block with nothing finite
    assert linear_to_uint8(a).tobytes() == old_linear_to_uint8(a).tobytes()


def test_a_film_of_nothing_finite_is_still_refused():
    from edge.preprocess import ImageError

    with pytest.raises(ImageError, match="no finite pixel values"):
        linear_to_uint8(np.full((40, 40), np.nan, np.float32))


def test_one_nan_pixel_costs_no_copy_of_the_film():
    """tracemalloc sees NumPy's arrays: the mapping's own blocks, and before 0.33 a copy of the whole film."""
    import tracemalloc

    def peak(a: np.ndarray) -> float:
        tracemalloc.start()
        linear_to_uint8(a)
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top / 2**20

    a = np.random.default_rng(1).random((3000, 3000), dtype=np.float32)  # 34 MiB
    finite_only = peak(a)
    a[5, 5] = np.nan
    assert peak(a) - finite_only < 16, f"{peak(a) - finite_only:.0f} MiB more for one NaN pixel"
