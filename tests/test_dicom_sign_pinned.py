"""edge.dicom_sign pinned where a change would refuse a right film or say a wrong film the wrong way round (found by
hand mutation testing, session 67: each test here failed with one small change to ROUGHER or the message in
place, which tests/test_dicom_sign_padding.py and tests/test_dicom_leads65.py let through)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.dicom_sign import sign_lie  # noqa: E402


def twelve_bit():
    from pydicom.dataset import Dataset

    ds = Dataset()
    ds.BitsStored = 12
    return ds


def test_a_right_film_somewhat_smoother_read_the_other_way_is_not_refused(monkeypatch):
    """Each row: a ramp 1000..3000 over 40 pixels, then 1, then 4094 (a near-white mark beside near-black: not 0
    and 4095, which edge.dicom_sign leaves out as saturated, so this pair's steps count). As stored (unsigned) its
    steps sum to 2000 + 2999 + 4093 = 9092; read as signed the ramp wraps at 2048 (one step of about 4095, the rest
    about 2000 in all), 3000 -> -1096 -> 1 -> -2 adds 1097 + 3: 7094. 9092 / 7094 = 1.28, under ROUGHER (1.5): no
    wrap to refuse. At a factor of 1 this right film was refused as of the wrong sign. (With 0 and 4095 here, as
    before saturated pixels were left out, the mark no longer counted: the film was smoother as stored, and the
    test passed at any factor.)"""
    row = np.r_[np.linspace(1000, 3000, 40).astype(int), 1, 4094]
    film = np.tile(row, (4, 1)).astype(np.uint16)
    assert sign_lie(film, twelve_bit()) is None
    import edge.dicom_sign

    monkeypatch.setattr(edge.dicom_sign, "ROUGHER", 1.0)  # the case sits inside the margin, or it pins nothing
    assert sign_lie(film, twelve_bit()) is not None


@pytest.mark.parametrize("said_signed", [True, False])
def test_the_refusal_says_which_way_the_film_turns(said_signed):
    """A 12-bit ramp read with the wrong sign: unsigned 0..4095 said signed turns its brightest half black
    (2048..4095 read as -2048..-1); signed -2000..2000 said unsigned turns its darkest half white (-2000 read as
    2096). Each message names what the reader would see, and the reading that makes the film whole."""
    if said_signed:
        stored = np.tile(np.linspace(0, 4095, 80).astype(np.int64), (8, 1))
        arr = (((stored & 4095) ^ 2048) - 2048).astype(np.int16)  # what pydicom gives for signed pixels
        expected = ("says signed pixels, but read so the film wraps round (its brightest parts turn black); "
                    "read as unsigned")
    else:
        arr = (np.tile(np.linspace(-2000, 2000, 80).astype(np.int64), (8, 1)) & 4095).astype(np.uint16)
        expected = ("says unsigned pixels, but read so the film wraps round (its darkest parts turn white); "
                    "read as signed")
    why = sign_lie(arr, twelve_bit())
    assert why is not None and expected in why, why
