"""Pixel Padding Value against the wrong-sign check (edge.dicom_sign): padding is no part of the picture, and the
jumps between it and the field are no wrap. Real DX films pad with their highest or lowest value (4095 around a
12-bit field, -2000 around a signed one); counted, those jumps made films whose sign is right rougher as their
header says, and they were refused as having a wrong Pixel Representation."""

from __future__ import annotations

import io

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError, load_bytes  # noqa: E402
from tests.test_dicom import make_dicom  # noqa: E402

WRONG_SIGN = r"^refused: its Pixel Representation says {} pixels, but read so the film wraps round"


def framed(field: np.ndarray, pad: int | np.ndarray, margin: int = 10) -> np.ndarray:
    """``field`` with a border ``margin`` pixels wide of ``pad`` (a value, or an array of the whole film's shape)."""
    h, w = field.shape
    image = np.broadcast_to(np.asarray(pad, np.int32), (h + 2 * margin, w + 2 * margin)).copy()
    image[margin:-margin, margin:-margin] = field
    return image


def film12(image: np.ndarray, signed: bool, pad: int, limit: int | None = None) -> bytes:
    """A 12-bit film of ``image`` (two's complement in 16-bit words where ``signed``), its Pixel Representation
    saying so, with Pixel Padding Value ``pad`` (and Pixel Padding Range Limit ``limit``), US or SS as the pixels."""
    ds = pydicom.dcmread(io.BytesIO(make_dicom((image.astype(np.int64) & 0xFFFF).astype(np.uint16), bits=12)))
    ds.PixelRepresentation = int(signed)
    vr = "SS" if signed else "US"
    ds.add_new(0x00280120, vr, pad)
    if limit is not None:
        ds.add_new(0x00280121, vr, limit)
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


def ramp60(lo: int = 100, hi: int = 2000, h: int = 40) -> np.ndarray:
    """A 60-pixel-wide ramp from ``lo`` to ``hi``: all on one side of a 12-bit film's wrap at 2048."""
    return np.tile(np.linspace(lo, hi, 60), (h, 1)).astype(np.int32)


def assert_read(data: bytes) -> None:
    """The film decodes: its border (padding) black, its field rising left to right over the whole range."""
    g = load_bytes(data, "x.dcm")
    field = g[10:-10, 10:-10]
    assert (g[:10] == 0).all() and (g[-10:] == 0).all() and (g[:, :10] == 0).all() and (g[:, -10:] == 0).all()
    assert field[:, 0].max() == 0 and field[:, -1].min() == 255
    assert (np.diff(field.astype(int), axis=1) >= 0).all()


@pytest.mark.parametrize("signed, pad", [
    (False, 4095),   # unsigned, padded with the highest 12-bit value: read as signed it is -1, beside the field
    (False, 0),      # never refused: no value of it is past the wrap
    (True, -2000),   # signed, padded far below the field: read as unsigned it is 2096, beside the field
    (True, -2048),
])
def test_padding_at_either_end_is_no_wrap(signed, pad):
    """100..2000 framed by 4095 was refused as "Pixel Representation says unsigned": each row jumped 2000 -> 4095
    -> 100 as its header says, and only to -1 and back read as signed."""
    assert_read(film12(framed(ramp60(), pad), signed, pad))


def test_padding_up_to_its_range_limit_is_no_wrap():
    """Pixel Padding Range Limit: a border of values from 4095 down to 3918 (row by row), all of it padding."""
    border = np.repeat(4095 - 3 * np.arange(60)[:, None], 80, axis=1)
    assert_read(film12(framed(ramp60(), border), False, 3900, limit=4095))


@pytest.mark.parametrize("data, said", [
    # unsigned 0..4095 said signed: 2048..4095 read as -2048..-1 (the brightest half black), padded with 0
    (film12(framed(ramp60(0, 4095), 0), True, 0), "signed"),
    # signed -2048..2047 said unsigned: the negative half white, padded with the highest unsigned value
    (film12(framed(ramp60(-2048, 2047), 4095), False, 4095), "unsigned"),
    # unsigned 0..4095 said signed, padded with 4095 read as -1 (Pixel Padding Value SS -1)
    (film12(framed(ramp60(0, 4095), 4095), True, -1), "signed"),
    # the same with Pixel Padding Value 4095, the padding as the film's true (unsigned) reading has it
    (film12(framed(ramp60(0, 4095), 4095), True, 4095), "signed"),
])
def test_a_wrong_sign_is_still_refused_with_padding_left_out(data, said):
    """Leaving padding out must not hide a field that wraps round itself. Counted, the jumps between padding and the
    field made the other reading as rough as the header's, and these films were read, wrapped round, and labelled."""
    with pytest.raises(ImageError, match=WRONG_SIGN.format(said)):
        load_bytes(data, "x.dcm")
