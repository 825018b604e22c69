"""Image-decoding leads left by helpers of session 65 (second round): a PNG's palette missing or short, headers that
claim sizes far beyond any film, DICOM films of 2 to 5 bits, and Pixel Padding Value under a negative Rescale Slope;
each refused with a line that says what is wrong and what to do, or decoded as viewers show it."""

from __future__ import annotations

import io

import numpy as np
import pytest

from edge.preprocess import ImageError, load_bytes

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from tests.test_dicom import make_dicom, ramp  # noqa: E402
from tests.test_dicom_leads65 import padded_film  # noqa: E402


# DICOM films of 2 to 5 bits

@pytest.mark.parametrize("bits", [2, 4, 5])
@pytest.mark.parametrize("top", [None, 4095])  # values of that many bits; a 12-bit film under a wrong Bits Stored
def test_a_film_of_2_to_5_bits_is_refused_as_no_radiograph(bits, top):
    """pydicom keeps the low bits: a 12-bit film said to be 4-bit decoded to stripes of 16 levels, and was labelled."""
    data = make_dicom(ramp(top=(1 << bits) - 1 if top is None else top), bits=bits)
    with pytest.raises(ImageError, match=rf"^refused: its pixels are {bits}-bit \(Bits Stored {bits}\), at most "
                                         rf"{1 << bits} grey levels: no radiograph .* or correct Bits Stored$"):
        load_bytes(data, "x.dcm")


@pytest.mark.parametrize("bits", [6, 8])
def test_a_film_of_6_bits_or_more_decodes(bits):
    g = load_bytes(make_dicom(ramp(top=(1 << bits) - 1), bits=bits), "x.dcm")
    assert len(np.unique(g)) >= 2 ** min(bits, 6)


# Pixel Padding Value under a negative Rescale Slope

def with_slope(data: bytes, slope: float) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.RescaleSlope = slope
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


@pytest.mark.parametrize("photometric", ["MONOCHROME2", "MONOCHROME1"])
@pytest.mark.parametrize("slope", [-1.0, -0.5])
def test_pixel_padding_is_black_under_a_negative_rescale_slope(photometric, slope):
    """Padding set to the lowest stored value is the brightest once a negative slope turns the values round: the
    border came out white (255), neither black as viewers show it nor trimmed."""
    g = load_bytes(with_slope(padded_film("SS", photometric), slope), "x.dcm")
    border = np.r_[g[:12].ravel(), g[52:].ravel(), g[:, :15].ravel(), g[:, 65:].ravel()]
    assert (border == 0).all()
    field = g[12:52, 15:65]
    assert field.min() == 0 and field.max() == 255
