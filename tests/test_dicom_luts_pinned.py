"""edge.dicom_luts pinned where a change would give a DICOM film other grey levels without a word (found by hand
mutation testing, session 67: each test here failed with one small change to the blank and posterised checks, the
padding range or the palette's entry size in place, which tests/test_dicom*.py let through)."""

from __future__ import annotations

import io

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from tests.test_dicom import grey, make_dicom, ramp  # noqa: E402
from tests.test_dicom_leads65 import chest  # noqa: E402
from tests.test_dicom_pinned import lut_item, with_voi_lut  # noqa: E402


def test_a_window_that_leaves_all_but_a_few_pixels_one_grey_level_is_dropped():
    """40 of 5,120 pixels (0.8%) lie in the window (4000..4095, 40 distinct values: no posterised film), the rest
    below it, black: 99.2% of the film one grey level, past BLANK_SHARE (0.99). The window counts as absent and the
    stored values are shown, as without it; kept, the film was black but for one short streak."""
    image = (chest().astype(np.int64) * 3000 // 4095).astype(np.uint16)  # int64: uint16 overflowed
    image[0, :40] = np.linspace(4000, 4095, 40).astype(np.uint16)
    windowed = make_dicom(image, window=(4048, 100), bits=12)
    assert (grey(windowed) == grey(make_dicom(image, bits=12))).all()


def test_a_voi_lut_giving_fewer_than_16_grey_levels_from_as_many_stored_values_is_applied():
    """Ten stored values, 4095 * (k/9)**2 for k = 0..9, through a square-root VOI LUT: sqrt(v / 4095) * 65535 is
    k/9 * 65535, so the film's ten grey levels are evenly spaced, 255 * k / 9 (0, 28, 57, ... 255). Ten levels are
    fewer than FEW_LEVELS (16), but no fewer than the stored values: no window too narrow, the LUT is applied. Taken
    for posterised, it was dropped and the levels came out as the stored values, 255 * (k/9)**2 (0, 3, 13, ...)."""
    k = np.arange(10)
    stored = np.round(4095 * (k / 9) ** 2).astype(np.uint16)
    image = np.repeat(np.tile(stored, 8), 64).reshape(80, 64).T  # 8 columns of each value
    lut = lut_item(0, (np.sqrt(np.arange(4096) / 4095) * 65535).round())
    g = grey(with_voi_lut(make_dicom(image, bits=12), lut))
    levels = [int(g[0][image[0] == v][0]) for v in stored]
    assert np.abs(np.array(levels) - np.round(255 * k / 9)).max() <= 1, levels


def padded(image: np.ndarray, bits: int, **padding: int) -> bytes:
    """``image`` as an unsigned film with PixelPaddingValue / PixelPaddingRangeLimit (US) as given."""
    ds = pydicom.dcmread(io.BytesIO(make_dicom(image, bits=bits)))
    if "value" in padding:
        ds.add_new(0x00280120, "US", padding["value"])
    if "limit" in padding:
        ds.add_new(0x00280121, "US", padding["limit"])
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


def border(g: np.ndarray) -> np.ndarray:
    """The pixels around rows 12..52, columns 15..65."""
    return np.r_[g[:12].ravel(), g[52:].ravel(), g[:, :15].ravel(), g[:, 65:].ravel()]


def test_a_padding_range_limit_below_the_padding_value_is_a_range_all_the_same():
    """Pixel Padding Range Limit may lie on either side of Pixel Padding Value (PS3.3 C.7.5.1.1.2): 4095 down to
    4000 is the padding here (the border's values 4000..4095, the field's 0..3000). Read as from 4095 up to 4000,
    no pixel was padding and the border came out white."""
    image = np.tile(np.linspace(4000, 4095, 80), (64, 1)).astype(np.uint16)
    image[12:52, 15:65] = chest(40, 50) * 3000 // 4095
    g = grey(padded(image, 12, value=4095, limit=4000))
    assert (border(g) == 0).all()
    assert g[12:52, 15:65].max() == 255


def test_padding_that_covers_every_stored_value_is_no_padding():
    """A padding range of 0..4095 over a 12-bit ramp takes in every pixel: nothing of the film is left to set it to,
    so it is read as if no padding were said (the film as it is), not failed on an empty film."""
    assert (grey(padded(ramp(), 12, value=0, limit=4095)) == grey(make_dicom(ramp(), bits=12))).all()


def test_a_padding_value_of_32768_and_up_is_unsigned_for_unsigned_pixels():
    """16-bit unsigned pixels, padding 65535 around the field: read as a signed -1 (as it is for signed pixels),
    no pixel was padding and the border came out white."""
    image = np.full((64, 80), 65535, np.uint16)
    image[12:52, 15:65] = chest(40, 50) * 16
    g = grey(padded(image, 16, value=65535))
    assert (border(g) == 0).all()


def test_a_padding_value_of_32768_written_unsigned_is_minus_32768_for_signed_pixels():
    """Signed pixels, padding -32768 written US as 32768: the first value to read as negative (32768 - 65536).
    Left as 32768, no pixel was padding."""
    image = np.full((64, 80), -32768, np.int16)
    image[12:52, 15:65] = chest(40, 50).astype(np.int16) - 1000
    ds = pydicom.dcmread(io.BytesIO(make_dicom(image.view(np.uint16))))
    ds.PixelRepresentation = 1
    ds.add_new(0x00280120, "US", 32768)
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    g = grey(buf.getvalue())
    assert (border(g) == 0).all()
    assert g[12:52, 15:65].min() == 0 and g[12:52, 15:65].max() == 255


def test_a_palette_of_8_bit_entries_is_applied():
    """A palette of 256 one-byte entries (descriptor [256, 0, 8], 256 bytes of data), reversing 8-bit indices:
    grey level 255 - i for index i, the plain film inverted. Its data, as long as its entry count, was refused as
    a palette cut short (only 2 bytes an entry passed)."""
    indices = ramp(top=255).astype(np.uint8)
    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp(top=255), bits=8)))
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    ds.PixelData = indices.tobytes()
    ds.PhotometricInterpretation = "PALETTE COLOR"
    del ds.RescaleSlope, ds.RescaleIntercept
    entries = (255 - np.arange(256)).astype(np.uint8).tobytes()
    for descriptor, data in ((0x00281101, 0x00281201), (0x00281102, 0x00281202), (0x00281103, 0x00281203)):
        ds.add_new(descriptor, "US", [256, 0, 8])
        ds.add_new(data, "OW", entries)
    buf = io.BytesIO()
    ds.save_as(buf)
    assert np.abs(grey(buf.getvalue()) - (255 - grey(make_dicom(ramp(top=255), bits=8)))).max() <= 1

