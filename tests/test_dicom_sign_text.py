"""Burned-in text, markers and collimation against the wrong-sign check (edge.dicom_sign): pixels at the extremes of
either reading are left out. Each edge of white text (4095) on black (0) is a jump of 4095 as an unsigned 12-bit film
stores it and a step of 1 read as signed (4095 is -1), so a right unsigned film with a line of patient text or an
R marker looked rough and was refused as "says unsigned ... read as signed it is whole" (found by mutation testing,
session 67; measured on cxr-dev films made 12-bit: 89 of 1,800 right films with text refused, 0 after), and a wrong
film with text looked whole and was read wrapped round."""

from __future__ import annotations

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError, load_bytes  # noqa: E402
from tests.test_dicom import make_dicom, resave  # noqa: E402

WRONG_SIGN = r"^refused: its Pixel Representation says {} pixels, but read so the film wraps round"


def ramp_and_text(pairs: int, lo: int = 1000, hi: int = 3000, white: int = 4095) -> np.ndarray:
    """32 rows of 80 (the least side read is 32): a ramp ``lo``..``hi`` over 40 pixels, then ``pairs`` white/black pixel pairs (a line of
    burned-in text, white on black) on a black background."""
    row = np.zeros(80, np.int64)
    row[:40] = np.linspace(lo, hi, 40).astype(int)
    row[41:41 + 2 * pairs:2] = white
    return np.tile(row, (32, 1))


@pytest.mark.parametrize("pairs", [1, 3, 5])
def test_a_right_unsigned_film_with_white_text_on_black_is_read(pairs):
    """The ramp crosses 2048 once: read as signed one jump of about 4095, as stored 2000 in all. Each text pair
    adds 2 x 4095 as stored and 2 x 1 read as signed: 2 to 5 times as rough as stored, and it was refused."""
    g = load_bytes(make_dicom(ramp_and_text(pairs).astype(np.uint16), bits=12), "x.dcm")
    assert (np.diff(g[:, :40].astype(int), axis=1) >= 0).all() and g[0, 39] > g[0, 0]  # the ramp rises, unwrapped
    assert (g[:, 41:41 + 2 * pairs:2] == 255).all()  # the text white


def test_a_dark_film_with_an_r_marker_and_a_text_line_is_read_at_16_bits():
    """A noisy 16-bit field all below the wrap (32768), a black border, a solid R-marker block and a line of
    text of 0/65535 strokes: the field reads the same either way; only the text is past the wrap."""
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:120, 0:160]
    film = np.zeros((120, 160), np.int64)
    film[8:-8, 8:-8] = (4000 + 150 * x[8:-8, 8:-8] + 40 * y[8:-8, 8:-8] + rng.normal(0, 300, (104, 144))).astype(int)
    film[12:30, 12:24] = 65535  # the R marker
    film[2:6, 20:140:3] = 65535  # a line of patient text in the border
    g = load_bytes(make_dicom(film.astype(np.uint16), bits=16), "x.dcm")
    assert (g[12:30, 12:24] == 255).all() and g[60, 150] > g[60, 40]


@pytest.mark.parametrize("pairs", [1, 3, 5])
def test_a_wrong_film_with_text_is_still_refused(pairs):
    """The same unsigned film said signed: its ramp wraps round (3000 reads -1096). Counted, the text's jumps in
    the true reading (2 x 4095 a pair) made it look the rougher one, and the wrapped film was read."""
    data = resave(make_dicom(ramp_and_text(pairs).astype(np.uint16), bits=12), PixelRepresentation=1)
    with pytest.raises(ImageError, match=WRONG_SIGN.format("signed")):
        load_bytes(data, "x.dcm")


def test_a_right_signed_film_with_text_at_its_extremes_is_read():
    """The mirror case: a signed 12-bit film whose field crosses 0, with text at 2047 on -2048 (its extremes);
    read as unsigned those are 2047 and 2048, a step of 1, and the field's crossing of 0 a jump of 4095."""
    field = ramp_and_text(4, lo=-1000, hi=1000, white=2047)
    field[:, 40:][field[:, 40:] == 0] = -2048
    data = resave(make_dicom((field & 0xFFFF).astype(np.uint16), bits=12), PixelRepresentation=1)
    g = load_bytes(data, "x.dcm")
    assert (np.diff(g[:, :40].astype(int), axis=1) >= 0).all() and g[0, 39] > g[0, 0]


def test_a_right_film_somewhat_smoother_read_the_other_way_is_still_not_refused():
    """tests/test_dicom_sign_pinned.py's film (a ramp, then a black and a white pixel) pinned ROUGHER with 0 and
    4095, which are left out now; with 100 and 4000 instead: as stored 2000 + 2900 + 3900 = 8800, read as signed
    (3000 -> -1096 -> 100 -> -96) about 7500, 1.2 times: under ROUGHER (1.5), refused at a factor of 1."""
    from pydicom.dataset import Dataset

    from edge.dicom_sign import sign_lie

    ds = Dataset()
    ds.BitsStored = 12
    row = np.r_[np.linspace(1000, 3000, 40).astype(int), 100, 4000]
    assert sign_lie(np.tile(row, (4, 1)).astype(np.uint16), ds) is None
