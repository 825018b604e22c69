"""DICOM headers that lie, left as leads by earlier fuzzing: a Pixel Representation of the wrong sign, a halved Rows,
a Window Width of 1, 1-bit pixels, a private UN element of undefined length, a palette shorter than its descriptor
says, and a Pixel Padding Value; each refused with a line that says what is wrong, or decoded as viewers show it."""

from __future__ import annotations

import io

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError, load_bytes  # noqa: E402
from tests.test_dicom import make_dicom, ramp, resave  # noqa: E402
from tests.test_dicom_lies import film  # noqa: E402


def grey(data: bytes) -> np.ndarray:
    return load_bytes(data, "x.dcm")


def chest(h: int = 64, w: int = 80) -> np.ndarray:
    """A smooth 12-bit film whose grey levels change down it as well as across (a ramp in both directions)."""
    y, x = np.mgrid[0:h, 0:w]
    return (4095 * (0.5 * y / (h - 1) + 0.5 * x / (w - 1))).astype(np.uint16)


# 1. Pixel Representation of the wrong sign

@pytest.mark.parametrize("data, said", [
    (resave(make_dicom(ramp(), bits=12), PixelRepresentation=1), "signed"),  # 2048..4095 read as -2048..-1: black
    (resave(make_dicom(ramp(top=65535)), PixelRepresentation=1), "signed"),
    (make_dicom(((ramp().astype(np.int32) - 2048) & 0xFFFF).astype(np.uint16), bits=12), "unsigned"),
])
def test_a_pixel_representation_of_the_wrong_sign_is_refused(data, said):
    """pydicom (and viewers) trust the header: the film wrapped round, its brightest half black, and was labelled."""
    with pytest.raises(ImageError, match=rf"^refused: its Pixel Representation says {said} pixels, but read so the "
                                         r"film wraps round .*a wrong Pixel Representation \(0028,0103\)"):
        grey(data)


def test_signed_pixels_said_signed_and_unsigned_ones_on_one_side_of_the_wrap_still_decode():
    signed = ((ramp().astype(np.int32) - 2048) & 0xFFFF).astype(np.uint16)
    right = grey(resave(make_dicom(signed, bits=12), PixelRepresentation=1))
    assert np.array_equal(right, grey(make_dicom(ramp(), bits=12)))
    # values below 2048 read the same signed or not: nothing to question
    low = grey(resave(make_dicom(ramp(top=2047), bits=12), PixelRepresentation=1))
    assert np.array_equal(low, grey(make_dicom(ramp(top=2047), bits=12)))


# 2. Rows halved

def test_a_halved_rows_is_refused_not_its_top_half_classified():
    """Pixel data of exactly two frames where one is said (or none) passed as a film of frames: its first, the
    film's top half, was classified silently."""
    with pytest.raises(ImageError, match=r"^refused: its header says 80x32 16-bit pixels, but its pixel data holds 2 "
                                         r"such frames, each going on where the one before ends: one film of 64 rows"):
        grey(resave(make_dicom(chest(), bits=12), Rows=32))
    with pytest.raises(ImageError, match=r"holds 4 such frames"):
        grey(resave(make_dicom(chest(), bits=12), Rows=16))


def test_frames_of_a_film_that_each_start_at_its_top_still_decode():
    frames = np.stack([chest(), chest() + 5])
    assert grey(film(frames, frames=1)).shape == (64, 80)
    assert grey(film(frames)).shape == (64, 80)


# 3. Window Width 1

def test_a_window_of_width_1_is_ignored_not_a_black_and_white_film():
    """DICOM allows a width of 1; applied, it left the 12-bit film 2 grey levels, labelled as such."""
    plain = grey(make_dicom(ramp(), bits=12))
    narrow = grey(make_dicom(ramp(), bits=12, window=(2048, 1)))
    assert len(np.unique(narrow)) > 16
    assert np.array_equal(narrow, plain)


def test_a_narrow_window_that_keeps_grey_levels_is_still_applied():
    plain = grey(make_dicom(ramp(), bits=12))
    windowed = grey(make_dicom(ramp(), bits=12, window=(2048, 1024)))
    assert not np.array_equal(windowed, plain) and len(np.unique(windowed)) > 16


# 4. 1-bit pixels

@pytest.mark.parametrize("data", [
    resave(make_dicom(ramp(), bits=12), BitsStored=1, HighBit=0),  # 16 bits allocated, 1 stored
    film((ramp(33, 35) > 2000).astype(np.uint8), bits=1),  # bit-packed
])
def test_a_1_bit_film_is_refused_as_no_radiograph(data):
    with pytest.raises(ImageError, match=r"^refused: its pixels are 1-bit \(Bits Stored 1\), black and white: no "
                                         r"radiograph"):
        grey(data)


# 5. A private element of VR UN and undefined length

def test_a_private_un_element_of_undefined_length_is_named():
    """pydicom reads it as a sequence and finds no tag: 'unreadable DICOM (OSError)' said nothing of the file."""
    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp(), bits=12)))
    ds.add_new(0x00091010, "UN", b"\x01\x02\x03\x04")
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    raw = buf.getvalue()
    at = raw.find(b"\x09\x00\x10\x10UN\x00\x00")
    broken = raw[:at + 8] + b"\xff\xff\xff\xff" + raw[at + 12:]
    with pytest.raises(ImageError, match=r"^unreadable DICOM: its element \(0009,1010\) \(a private tag\) is of VR UN "
                                         r"with an undefined length"):
        grey(broken)


# 6. A palette shorter than its descriptor says

def palette_film(descriptor: list[int], entries: int) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(make_dicom((ramp() // 16).astype(np.uint16), bits=8)))
    ds.PhotometricInterpretation = "PALETTE COLOR"
    del ds.RescaleSlope, ds.RescaleIntercept
    for tag in (0x00281101, 0x00281102, 0x00281103):  # Red, Green, Blue Palette Color LUT Descriptor
        ds.add_new(tag, "US", descriptor)
        ds.add_new(tag + 0x100, "OW", np.arange(entries, dtype="<u2").tobytes())
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


@pytest.mark.parametrize("descriptor, entries, says", [
    ([256, 0, 16], 16, r"Red Palette Color Lookup Table Data is 32 bytes, but its descriptor says 256 entries"),
    ([0, 0, 16], 1, r"is 2 bytes, but its descriptor says 65536 entries"),
    ([16, 0, 1], 16, r"palette.s descriptor says 1-bit entries, where a palette.s are 8- or 16-bit"),
])
def test_a_palette_shorter_than_its_descriptor_says_is_named_not_uint1(descriptor, entries, says):
    """pydicom took an entry's bits from the data's length: "cannot decode DICOM (data type 'uint1' not understood)"."""
    with pytest.raises(ImageError, match=r"^cannot decode DICOM \(its .*" + says) as caught:
        grey(palette_film(descriptor, entries))
    assert "uint" not in str(caught.value)


def test_a_palette_of_fewer_entries_than_the_indices_reach_still_decodes():
    """Indices past the last entry take the last entry (PS3.3 C.7.6.3.1.5), as pydicom and viewers do. Decoded, not
    read as a film: 94% of it is the last entry's white, which load_bytes refuses as nearly blank since 0.53.0."""
    from edge.dicom import dicom_to_gray

    decoded = dicom_to_gray(palette_film([16, 0, 16], 16))
    assert decoded.std() > 10 and sorted(np.unique(decoded))[-1] == 255


# 7. Pixel Padding Value

def padded_film(vr: str, photometric: str = "MONOCHROME2", pad: int = -2000) -> bytes:
    """A signed film: the chest's collimated field in the middle, ``pad`` around it, said as Pixel Padding Value."""
    image = np.full((64, 80), pad, np.int16)
    image[12:52, 15:65] = chest(40, 50).astype(np.int16) - 1000
    ds = pydicom.dcmread(io.BytesIO(make_dicom(image.view(np.uint16), photometric=photometric)))
    ds.PixelRepresentation = 1
    ds.add_new(0x00280120, vr, pad if vr == "SS" else pad & 0xFFFF)
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


@pytest.mark.parametrize("vr", ["SS", "US"])
@pytest.mark.parametrize("photometric", ["MONOCHROME2", "MONOCHROME1"])
def test_pixel_padding_is_black_and_left_out_of_the_grey_levels(vr, photometric):
    """pydicom ignores Pixel Padding Value: -2000 around the field stretched the map, the field came out pale grey
    (MONOCHROME2) and the border mid-grey or white, not the flat black border the preprocessing trims."""
    g = grey(padded_film(vr, photometric))
    border = np.r_[g[:12].ravel(), g[52:].ravel(), g[:, :15].ravel(), g[:, 65:].ravel()]
    assert (border == 0).all()
    field = g[12:52, 15:65]
    assert field.min() == 0 and field.max() == 255
