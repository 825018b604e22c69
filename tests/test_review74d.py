"""Review 74d: a chest film's frame size in bytes is said whole, as a number of bytes.

Up to 0.57.0 (and in 0.58.0's new 'too few' refusal) the frame's size was formatted with ':g', which writes any
size of a million bytes or more, that is every real chest film, in scientific notation and to 6 significant digits:
'2345x2345 16-bit pixels (1.0998e+07 bytes)' for a frame of 10998050 bytes."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError, load_bytes  # noqa: E402
from tests.test_dicom_lies import film  # noqa: E402


def reason(data: bytes) -> str:
    with pytest.raises(ImageError) as e:
        load_bytes(data, "x.dcm")
    return str(e.value)


def pixels(rows: int, cols: int) -> np.ndarray:
    return (np.arange(rows * cols, dtype=np.uint32) % 4093 + 1).astype(np.uint16).reshape(rows, cols)


def test_a_chest_film_with_too_large_a_rows_says_its_frame_in_whole_bytes():
    said = reason(film(pixels(2340, 2345), Rows=2345))
    assert said.startswith("refused: its header says 2345x2345 16-bit pixels (10998050 bytes), but its pixel data is "
                           "10974600 bytes, too few"), said


def test_a_chest_film_with_a_wrong_columns_says_its_frame_in_whole_bytes():
    said = reason(film(pixels(2000, 2000), Columns=1999))
    assert said.startswith("refused: its header says 1999x2000 16-bit pixels (7996000 bytes a frame), but its pixel "
                           "data is 8000000 bytes, no whole number of frames"), said


def test_a_packed_1_bit_frame_still_says_its_part_byte():
    from edge.dicom_size import _frame_bytes

    assert _frame_bytes(9) == "1.125" and _frame_bytes(2001 * 2001) == "500500.125"  # ':g': '500500'
    assert _frame_bytes(16 * 16) == "32" and _frame_bytes(8 * 10**7) == "10000000"
