"""edge.dicom_no_pixels pinned where a change would say the wrong thing of a DICOM file without pixels (found by
hand mutation testing: each test here failed with one small change, which tests/test_dicom*.py let through)."""

from __future__ import annotations

import io

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError, load_bytes  # noqa: E402
from tests.test_dicom import make_dicom, ramp  # noqa: E402


def test_a_film_of_double_float_pixel_data_is_said_as_such():
    """Double Float Pixel Data (7FE0,0009) as well as Float Pixel Data: 'no image' read as a report."""
    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp())))
    del ds.PixelData
    ds.DoubleFloatPixelData = ramp().astype(np.float64).tobytes()
    ds.BitsAllocated = 64
    buf = io.BytesIO()
    ds.save_as(buf)
    with pytest.raises(ImageError, match=r"floating-point image \(Float Pixel Data\), which cxr-edge does not read"):
        load_bytes(buf.getvalue(), "x.dcm")
