"""DICOM headers that do not match their file: a wrong Columns or Rows, a wrong Transfer Syntax UID, and header
values holding control characters, each refused with a message that says so and escapes the file's own bytes."""

from __future__ import annotations

import io

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError, first_line, load_bytes  # noqa: E402


def film(pixels: np.ndarray, frames: int | None = None, bits: int = 16, **header) -> bytes:
    """A DX film of ``pixels`` (rows x columns, or frames x rows x columns), its header changed by ``header``."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality = "DX"
    ds.Rows, ds.Columns = pixels.shape[-2:]
    if frames is not None:
        ds.NumberOfFrames = frames
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, min(bits, 12), min(bits, 12) - 1, 0
    if bits == 1:
        ds.BitsStored, ds.HighBit = 1, 0
        ds.PixelData = np.packbits(pixels.ravel(), bitorder="little").tobytes()
    else:
        ds.PixelData = pixels.astype(np.uint8 if bits == 8 else np.uint16).tobytes()
    for name, value in header.items():
        setattr(ds, name, value)
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


def ramp(h: int = 64, w: int = 80, top: int = 4095) -> np.ndarray:
    return np.tile(np.linspace(0, top, w), (h, 1)).astype(np.uint16)


@pytest.mark.parametrize("change,says", [({"Columns": 73}, "73x64 16-bit pixels (9344 bytes a frame)"),
                                         ({"Rows": 50}, "80x50 16-bit pixels (8000 bytes a frame)")])
def test_a_wrong_columns_or_rows_is_refused_not_decoded_as_stripes(change, says):
    """pydicom only warned ('excess padding', silenced) and decoded the first Rows x Columns values: each row
    ran into the next, and the film of diagonal stripes was labelled, exit code 0."""
    with pytest.raises(ImageError, match=r"^refused: its header says " + says.replace("(", r"\(").replace(")", r"\)")
                       + r", but its pixel data is 10240 bytes, no whole number of frames: a wrong Rows or Columns\?"):
        load_bytes(film(ramp(), **change), "x.dcm")


def test_a_wrong_columns_on_a_multi_frame_film_says_its_frames():
    data = film(np.stack([ramp(8, 10)] * 3), frames=3, Columns=9)
    with pytest.raises(ImageError, match=r"^refused: its header says 3 frames of 9x8 16-bit pixels \(144 bytes a frame\)"):
        load_bytes(data, "x.dcm")


@pytest.mark.parametrize("pixels,frames,bits", [
    (ramp(33, 35, 255), None, 8),                   # 1155 bytes and the padding byte
    (np.stack([ramp(33, 35, 255)] * 3), 3, 8),      # 3 frames, 3465 bytes and the padding byte
    (np.stack([ramp(33, 35, 255)] * 3), None, 8),   # whole frames more than Number of Frames says: the first is read
    (np.stack([ramp()] * 2), 1, 16),
    (np.stack([ramp()] * 2), 0, 16),                # a Number of Frames of 0, which pydicom reads as 1
    ((ramp(33, 35) > 2000).astype(np.uint8), None, 1),  # 1155 bits packed in 145 bytes, and the padding byte
    ((np.stack([ramp(33, 35)] * 3) > 2000).astype(np.uint8), 3, 1),  # frames of 144.375 bytes, not byte-aligned
])
def test_valid_odd_length_multi_frame_and_bit_packed_films_still_decode(pixels, frames, bits):
    first = pixels[0] if pixels.ndim == 3 else pixels
    if bits == 1:  # their lengths pass; a 1-bit film is then refused as no radiograph (tests/test_dicom_leads65.py)
        with pytest.raises(ImageError, match=r"^refused: its pixels are 1-bit"):
            load_bytes(film(pixels, frames=frames, bits=bits), "x.dcm")
        return
    grey = load_bytes(film(pixels, frames=frames, bits=bits), "x.dcm")
    assert grey.shape == first.shape and grey.std() > 10
    assert np.array_equal(grey, load_bytes(film(first, bits=bits), "one.dcm"))


def big_endian_label(data: bytes) -> bytes:
    """``data`` (Explicit VR Little Endian) with its Transfer Syntax UID, same length, saying Explicit VR Big Endian."""
    assert data.count(b"1.2.840.10008.1.2.1\x00") == 1
    return data.replace(b"1.2.840.10008.1.2.1\x00", b"1.2.840.10008.1.2.2\x00")


def test_a_big_endian_label_on_little_endian_data_is_not_called_cut_short():
    """It was 'cut short (an interrupted copy?); copy it again': the file was whole, and a copy would be the same."""
    with pytest.raises(ImageError) as e:
        load_bytes(big_endian_label(film(ramp())), "x.dcm")
    assert str(e.value) == ("DICOM file cannot be read as its transfer syntax (Explicit VR Big Endian) says, but reads "
                            "whole as Explicit VR Little Endian: a wrong Transfer Syntax UID? (copying the file again "
                            "will not help)")


def test_a_film_cut_short_in_its_header_under_a_wrong_label_is_still_cut_short():
    data = film(ramp(), StudyDescription="x" * 300)
    cut = data.index(b"x" * 300) + 100
    for cut_film in (data[:cut], big_endian_label(data)[:cut]):
        with pytest.raises(ImageError, match=r"^DICOM file ends inside its header, before any pixel data: cut short"):
            load_bytes(cut_film, "x.dcm")


@pytest.mark.parametrize("value", ["\x1b[2K\r\x1b[A\x1b[2K", "\x00\x01JUNK"])
def test_control_characters_of_a_header_value_are_escaped_in_the_error(value):
    """pydicom quotes the value in its message: an ESC sequence erased the error line on a terminal, a NUL made
    the log a binary file to grep. They are written as \\u001b, \\u0000, as file names are."""
    with pytest.raises(ImageError) as e:
        load_bytes(film(ramp(), PhotometricInterpretation=value), "x.dcm")
    message = str(e.value)
    assert message.isprintable() and "Photometric Interpretation" in message
    assert ("\\u001b[2K\\u000d\\u001b[A\\u001b[2K" if "\x1b" in value else "\\u0000\\u0001JUNK") in message


def test_first_line_ends_at_a_newline_and_escapes_the_rest():
    assert first_line(ValueError("value '\x1b[2K\r'\nsecond line")) == "value '\\u001b[2K\\u000d'"
    assert first_line(ValueError("windows line\r\nnext")) == "windows line"
    assert first_line(ValueError("\nonly later")) == "ValueError"
    assert first_line(ValueError("bidi \u202e override")) == "bidi \\u202e override"


@pytest.mark.parametrize("zeros", [128, 3000])
def test_zeros_after_a_films_pixels_are_padding_not_a_wrong_header(zeros):
    """DICOM PS3.5 8.1.1: older equipment sends pixel data with excess padding, which readers should accept
    (pydicom's MR_small_padded.dcm: 128 zero bytes). They were refused as 'a wrong Rows or Columns?'."""
    from pydicom import dcmread

    plain = film(ramp())
    ds = dcmread(io.BytesIO(plain))
    ds.PixelData = ds.PixelData + bytes(zeros)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    assert np.array_equal(load_bytes(buf.getvalue(), "padded.dcm"), load_bytes(plain, "plain.dcm"))
