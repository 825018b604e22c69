"""Pixel Padding Value against the rest of the grey-level pipeline (edge.dicom_luts): padding set for a rescale that
is then dropped, and padding counted in the range that the outlier rule picks. Viewers render padding black and
leave it out of their windowing (PS3.3 C.7.5.1.1.2); the field must come out as it would without the padding."""

from __future__ import annotations

import io

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import load_bytes  # noqa: E402
from tests.test_dicom import make_dicom  # noqa: E402
from tests.test_dicom_leads65 import chest, padded_film  # noqa: E402
from tests.test_image_leads65b import with_slope  # noqa: E402


def border(g: np.ndarray) -> np.ndarray:
    """The pixels of padded_film's padding (around rows 12..52, columns 15..65)."""
    return np.r_[g[:12].ravel(), g[52:].ravel(), g[:, :15].ravel(), g[:, 65:].ravel()]


@pytest.mark.parametrize("photometric", ["MONOCHROME2", "MONOCHROME1"])
def test_padding_is_black_when_a_falling_rescale_is_dropped(photometric):
    """A slope of -1e308 falls, so the padding was set to the film's highest stored value; the rescale gives values
    that are no finite numbers and is dropped, and the stored values shown: the border came out white."""
    g = load_bytes(with_slope(padded_film("SS", photometric), -1e308), "x.dcm")
    assert (border(g) == 0).all()
    field = g[12:52, 15:65]
    assert field.min() == 0 and field.max() == 255


def signed_film(image: np.ndarray, photometric: str, pad: int | None = None) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(make_dicom(image.astype(np.int16).view(np.uint16), photometric=photometric)))
    ds.PixelRepresentation = 1
    if pad is not None:
        ds.add_new(0x00280120, "SS", pad)
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


@pytest.mark.parametrize("photometric, marker", [("MONOCHROME2", -30000), ("MONOCHROME1", 30000)])
def test_padding_is_left_out_of_the_range_so_marker_pixels_stay_outliers(photometric, marker):
    """Two marker pixels at the dark end: the outlier rule leaves them out of the film's range. The padding, set to
    the film's darkest value (theirs), was counted there too, 40% of the pixels: no outliers any more, and the field
    came out squashed into its brightest grey levels (median 239 where the film alone has 128)."""
    field = chest(40, 50).astype(np.int16) - 1000
    field[0, :2] = marker
    image = np.full((64, 80), -2000, np.int16)
    image[12:52, 15:65] = field
    g = load_bytes(signed_film(image, photometric, pad=-2000), "x.dcm")
    alone = load_bytes(signed_film(field, photometric), "x.dcm")
    assert np.abs(g[12:52, 15:65].astype(int) - alone).max() <= 1
    assert (border(g) == 0).all()
