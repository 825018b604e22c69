"""A whole DICOM film whose pixel data is shorter than its header's Rows x Columns (x Number of Frames) says so,
and what to do: up to 0.57.0 pydicom's own 'less than expected ... the dataset may be corrupted, have an invalid
group 0028 element value, or the transfer syntax may be incorrect' was the whole message (persona review 74)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError, load_bytes  # noqa: E402
from tests.test_dicom import ramp  # noqa: E402
from tests.test_dicom_lies import film  # noqa: E402


def reason(data: bytes) -> str:
    with pytest.raises(ImageError) as e:
        load_bytes(data, "x.dcm")
    return str(e.value)


def test_a_rows_too_large_says_the_header_is_wrong_not_the_copy():
    said = reason(film(ramp(40, 50), Rows=47))
    assert said == ("refused: its header says 50x47 16-bit pixels (4700 bytes), but its pixel data is 4000 bytes, too "
                    "few: a wrong Rows or Columns? (the file is whole: copying it again will not help; correct the "
                    "header or re-export the film)")


def test_fewer_frames_than_said_names_number_of_frames():
    said = reason(film(np.stack([ramp(40, 50)] * 2), frames=3))
    assert said.startswith("refused: its header says 3 frames of 50x40 16-bit pixels (4000 bytes a frame), but its "
                           "pixel data is 8000 bytes, too few: a wrong Number of Frames, Rows or Columns?")


def test_a_film_of_its_own_size_still_decodes():
    assert load_bytes(film(ramp(40, 50)), "x.dcm").shape == (40, 50)
