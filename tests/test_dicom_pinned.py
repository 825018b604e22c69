"""edge.dicom and edge.dicom_luts pinned where a change would give a DICOM film other pixels without a word
(found by hand mutation testing: each test here failed with one small change to the header checks, the
High Bit shift, the LUT stages or the per-value mapping in place, which tests/test_dicom*.py let through)."""

from __future__ import annotations

import io

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError, load_bytes  # noqa: E402
from tests.test_dicom import grey, make_dicom, ramp, resave  # noqa: E402


def lut_item(first: int, entries: np.ndarray, vr: str = "US"):
    """A LUT Sequence item of 16-bit entries whose first mapped value is ``first`` (as written, with ``vr``)."""
    from pydicom.dataset import Dataset

    item = Dataset()
    item.add_new(0x00283002, vr, [len(entries), first, 16])
    item.add_new(0x00283006, "OW", entries.astype("<u2").tobytes())
    return item


SQRT = (np.sqrt(np.arange(4096) / 4095) * 65535).round()
PLAIN = make_dicom(ramp(), bits=12)


def with_voi_lut(data: bytes, item) -> bytes:
    from pydicom.sequence import Sequence

    return resave(data, VOILUTSequence=Sequence([item]), RescaleSlope=None, RescaleIntercept=None)


def test_a_sigmoid_window_on_a_monochrome1_film_is_inverted():
    """A sigmoid window is mapped over the whole image, not value by value: that path must invert too."""
    def sigmoid(photometric: str) -> np.ndarray:
        return grey(resave(make_dicom(ramp(), photometric=photometric, window=(2048, 1000), bits=12),
                           VOILUTFunction="SIGMOID"))
    upright = sigmoid("MONOCHROME2")
    assert upright[:, 0].max() == 0 and upright[:, -1].min() == 255
    assert (sigmoid("MONOCHROME1") + upright == 255).all()


@pytest.mark.filterwarnings("ignore:A value of type 'str' cannot be assigned")  # an empty US, as some writers send
@pytest.mark.parametrize("high_bit", [None, 16, ""])
def test_a_high_bit_missing_or_past_the_word_is_read_as_bits_stored_less_one(high_bit):
    """No High Bit (type 1, yet left out or left empty by some writers) or one past Bits Allocated: the stored bits are
    the low ones, as pydicom reads them; shifted down by one the film lost its darker half."""
    assert (grey(resave(PLAIN, HighBit=high_bit)) == grey(PLAIN)).all()


def test_stored_bits_above_bit_0_of_an_rle_film_are_shifted_down():
    """RLE keeps whole words, so 12 bits at the top of each are there after decoding, as in native data."""
    from pydicom.uid import RLELossless

    words = (np.clip(ramp(), 5, 4000).astype(np.uint16) << 4)
    ds = pydicom.dcmread(io.BytesIO(make_dicom(words.astype(np.uint16))))
    ds.compress(RLELossless, words)
    ds.BitsStored, ds.HighBit = 12, 15
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    want = grey(make_dicom(np.clip(ramp(), 5, 4000).astype(np.uint16), bits=12))
    assert (grey(buf.getvalue()) == want).all()


def test_a_big_endian_data_set_without_file_meta_decodes_as_big_endian():
    """A bare data set (no preamble, no file meta) written big-endian: read as little-endian its pixels
    came out byte-swapped (noise)."""
    from pydicom.dataset import FileMetaDataset

    ds = pydicom.dcmread(io.BytesIO(PLAIN))
    ds.file_meta, ds.preamble = FileMetaDataset(), None
    ds.PixelData = ramp().astype(">u2").tobytes()
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, implicit_vr=False, little_endian=False)
    data = buf.getvalue()
    assert data[:4] == b"\x00\x08\x00\x16"  # big-endian (0008,0016) first: no preamble, no file meta
    assert (grey(data) == grey(PLAIN)).all()


def test_a_voi_lut_sequence_that_blanks_the_film_counts_as_none():
    """Every entry the same grey: the film would be one level; it is read without its VOI LUT instead."""
    blank = with_voi_lut(PLAIN, lut_item(0, np.full(4096, 1000)))
    assert (grey(blank) == grey(resave(PLAIN, RescaleSlope=None, RescaleIntercept=None))).all()


def test_a_modality_lut_sequence_that_blanks_the_film_counts_as_none():
    from pydicom.sequence import Sequence

    blank = resave(PLAIN, ModalityLUTSequence=Sequence([lut_item(0, np.full(4096, 1000))]), RescaleSlope=None,
                   RescaleIntercept=None)
    assert (grey(blank) == grey(PLAIN)).all()


def test_a_lut_descriptor_of_32768_and_up_is_unsigned_for_unsigned_pixels():
    """Stored values 40000..44095 with a VOI LUT from 40000: read as signed (-25536) every pixel lay past
    the LUT's end (a blank film, dropped for its stored values: the LUT never applied)."""
    high = (ramp() + 40000).astype(np.uint16)
    got = grey(with_voi_lut(make_dicom(high), lut_item(40000, SQRT)))
    assert (got == grey(with_voi_lut(PLAIN, lut_item(0, SQRT)))).all()
    assert not (got == grey(PLAIN)).all()


def test_a_lut_descriptor_of_32768_is_minus_32768_for_signed_pixels():
    values = (ramp().astype(np.int32) - 32768).astype(np.int16)
    signed = resave(PLAIN, PixelRepresentation=1, BitsStored=16, HighBit=15, PixelData=values.tobytes())
    assert (grey(with_voi_lut(signed, lut_item(32768, SQRT))) == grey(with_voi_lut(PLAIN, lut_item(0, SQRT)))).all()


def test_a_modality_lut_descriptor_written_unsigned_is_signed_for_signed_pixels():
    """63488 is -2048 in a Modality LUT too: taken as 63488 every signed pixel lay below the LUT."""
    from pydicom.sequence import Sequence

    pixels = ramp().astype(np.int16) - 2048
    signed = resave(PLAIN, PixelRepresentation=1, PixelData=pixels.tobytes(), RescaleSlope=None,
                    RescaleIntercept=None, ModalityLUTSequence=Sequence([lut_item(63488, SQRT)]))
    unsigned = resave(PLAIN, RescaleSlope=None, RescaleIntercept=None,
                      ModalityLUTSequence=Sequence([lut_item(0, SQRT)]))
    assert (grey(signed) == grey(unsigned)).all()
    assert not (grey(signed) == grey(PLAIN)).all()


def test_the_first_of_several_windows_is_the_one_checked():
    """Centre and width of several values: the first window is applied, so it is the first whose width is
    checked; a last width of 0 dropped a good first window."""
    several = resave(PLAIN, WindowCenter=[2048, 2048], WindowWidth=[1000, 0])
    assert (grey(several) == grey(make_dicom(ramp(), window=(2048, 1000), bits=12))).all()


@pytest.mark.parametrize("function, width", [("LINEAR_EXACT", 0), ("FOO", 1000)])
def test_a_window_pydicom_refuses_counts_as_none(function, width):
    """A LINEAR_EXACT window of width 0, or a VOI LUT Function pydicom does not know: no window, not a failed film."""
    odd = resave(make_dicom(ramp(), window=(2048, width), bits=12), VOILUTFunction=function)
    assert (grey(odd) == grey(PLAIN)).all()


@pytest.mark.filterwarnings("ignore:Invalid value for VR CS")  # lower case is no valid CS: pydicom says so on writing
def test_a_voi_lut_function_in_lower_case_is_applied():
    exact = make_dicom(ramp(), window=(2048, 1000), bits=12)
    lower = grey(resave(exact, VOILUTFunction="linear_exact"))
    assert (lower == grey(resave(exact, VOILUTFunction="LINEAR_EXACT"))).all() and not (lower == grey(PLAIN)).all()


def test_signed_pixels_spanning_more_than_32767_values_keep_their_order():
    """-32000..32000: a value less the lowest one overflows int16, and the brightest pixels came out black."""
    span = np.tile(np.linspace(-32000, 32000, 80), (64, 1)).astype(np.int16)
    signed = resave(make_dicom(ramp()), PixelRepresentation=1, PixelData=span.tobytes())
    shifted = make_dicom((span.astype(np.int32) + 32000).astype(np.uint16))
    assert (grey(signed) == grey(shifted)).all() and (np.diff(grey(signed)[0]) >= 0).all()


def test_a_nearly_blank_film_keeps_its_few_other_pixels():
    """99.5% of one stored value and a small bright mark: no LUT stage to drop, so the stored values are
    mapped as they are (the mark stays), not replaced by a black film."""
    pixels = np.full((100, 100), 700, np.uint16)
    pixels[:5, :10] = 3000
    with pytest.raises(ImageError, match="blank image"):  # a film this empty is refused as blank, by its pixels
        load_bytes(make_dicom(pixels, bits=12), "x.dcm")
    from edge.dicom import dicom_to_gray

    out = dicom_to_gray(make_dicom(pixels, bits=12))
    assert out[:5, :10].min() == 255 and out[5:].max() == 0


def test_a_film_of_one_stored_value_is_refused_as_blank():
    with pytest.raises(ImageError, match="blank image"):
        load_bytes(make_dicom(np.full((64, 80), 700, np.uint16), bits=12), "x.dcm")


@pytest.mark.parametrize("attributes, said", [
    ({"ViewPosition": "RLAT"}, "ViewPosition RLAT: a lateral film"),
    ({"ViewPosition": "LLAT"}, "ViewPosition LLAT: a lateral film"),
    ({"ViewPosition": "LPO"}, "ViewPosition LPO: an oblique film"),
    ({"ViewPosition": "OBLIQUE"}, "ViewPosition OBLIQUE: an oblique film"),
    ({"ViewPosition": "LAO"}, "ViewPosition LAO: an oblique film"),
    ({"BodyPartExamined": "LEGACY"}, None),  # a site's own word that begins as a body part (LEG) does not flag
    ({"BodyPartExamined": "TORSO ABDOMEN"}, None),  # a chest word beside a body part: still a chest film
])
def test_more_of_what_a_header_says_or_does_not(attributes, said, tmp_path):
    from edge.dicom_view import film_header_says
    from tests.test_dicom import with_header

    path = tmp_path / "IM000001"
    path.write_bytes(with_header(make_dicom(ramp()), **attributes))
    got = film_header_says(path)
    assert got is None if said is None else (got or "").startswith(f"the DICOM header says {said}"), got


def test_the_header_warning_of_one_film_says_it_and_quotes_an_odd_name(tmp_path):
    """One film: 'it is', not 'they are'; a name with a line break is quoted, so the warning stays one line."""
    from edge.dicom_view import headers_warning
    from tests.test_dicom import with_header

    name = "IM\n1"
    (tmp_path / name).write_bytes(with_header(make_dicom(ramp()), ViewPosition="LL"))
    line = headers_warning(tmp_path, [name], "scored all the same")
    assert line == ("1 film whose DICOM header says it is no frontal chest radiograph (another modality or body part, "
                    'a lateral view, For Processing): "IM\\n1" (ViewPosition LL); it is scored all the same'), line


def header(**attributes):
    from pydicom.dataset import Dataset

    ds = Dataset()
    for name, value in attributes.items():
        setattr(ds, name, value)
    return ds


def test_the_decoded_size_limits_are_inclusive():
    """A film of exactly MAX_PIXELS pixels, or of exactly MAX_DECODED_BYTES bytes, is allowed; one more is refused."""
    from edge.dicom_size import MAX_DECODED_BYTES, check_decoded_size
    from edge.preprocess import MAX_PIXELS

    assert MAX_DECODED_BYTES == 2 * MAX_PIXELS  # the largest 16-bit grey film
    check_decoded_size(header(Rows=MAX_PIXELS // 5000, Columns=5000, BitsAllocated=16))
    with pytest.raises(ImageError, match="more than the limit"):
        check_decoded_size(header(Rows=MAX_PIXELS // 5000, Columns=5001, BitsAllocated=8))
    check_decoded_size(header(Rows=MAX_PIXELS // 5000, Columns=2500, BitsAllocated=32))
    with pytest.raises(ImageError, match="more than any film needs"):
        check_decoded_size(header(Rows=MAX_PIXELS // 5000, Columns=2501, BitsAllocated=32))
    with pytest.raises(ImageError, match="3 8-bit samples"):
        check_decoded_size(header(Rows=MAX_PIXELS // 5000, Columns=5000, SamplesPerPixel=3, BitsAllocated=8))


def test_a_deflated_data_set_of_just_the_limit_inflated_is_read(monkeypatch):
    import zlib

    import edge.dicom_size
    from tests.test_dicom import deflated

    data = deflated(make_dicom(ramp()))
    meta_end = 144 + int.from_bytes(data[140:144], "little")
    inflated = len(zlib.decompressobj(-zlib.MAX_WBITS).decompress(data[meta_end:]))
    monkeypatch.setattr(edge.dicom_size, "MAX_INFLATED_BYTES", inflated)
    assert (grey(data) == grey(make_dicom(ramp()))).all()
    monkeypatch.setattr(edge.dicom_size, "MAX_INFLATED_BYTES", inflated - 1)
    with pytest.raises(ImageError, match="inflates to more than"):
        load_bytes(data, "x.dcm")


@pytest.mark.parametrize("rows, extra, refused", [(33, b"\x07", False), (34, b"\x07\x07", True)])
def test_one_byte_after_the_frames_is_padding_two_that_are_not_zeros_are_a_wrong_header(rows, extra, refused):
    """PS3.5 pads odd-length pixel data to even with one byte; two bytes more, not zeros, is no padding."""
    pixels = ramp(rows, 35, 255).astype(np.uint8)
    data = resave(make_dicom(pixels), BitsAllocated=8, BitsStored=8, HighBit=7, PixelData=pixels.tobytes() + extra)
    assert len(pydicom.dcmread(io.BytesIO(data)).PixelData) == pixels.size + len(extra)
    if refused:
        with pytest.raises(ImageError, match="no whole number of frames"):
            load_bytes(data, "x.dcm")
    else:
        assert (grey(data) == grey(resave(data, PixelData=pixels.tobytes()))).all()


def siz(xsiz: int, ysiz: int, xo: int = 0, yo: int = 0) -> bytes:
    """A JPEG 2000 codestream's start: SOC, then SIZ with its image size and offset."""
    import struct

    return b"\xff\x4f\xff\x51" + struct.pack(">HH4I", 41, 0, xsiz, ysiz, xo, yo) + bytes(16)


def sof(marker: int, width: int, height: int, before: bytes = b"") -> bytes:
    """A JPEG codestream's start: SOI, ``before``, then a frame header (SOFn) of this size."""
    import struct

    return b"\xff\xd8" + before + bytes([0xFF, marker]) + struct.pack(">HBHHB", 11, 8, height, width, 1) + bytes(3)


@pytest.mark.parametrize("head, size", [
    (siz(300, 280, 44, 24), (256, 256)),           # a JPEG 2000 image offset is not part of the image
    (sof(0xF7, 256, 200), (256, 200)),             # JPEG-LS (SOF55)
    (sof(0xC0, 256, 200, b"\xff\x01"), (256, 200)),  # TEM: a marker with no segment
    (sof(0xC0, 256, 200, b"\xff\xff\xff"), (256, 200)),  # fill bytes before a marker
])
def test_a_codestreams_size_is_read_past_what_may_come_before_it(head, size):
    from edge.dicom_size import _codestream_size

    assert _codestream_size(head) == size
