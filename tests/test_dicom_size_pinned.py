"""edge.dicom_size pinned where a change would let a hostile or damaged DICOM through its checks before decoding
(found by hand mutation testing: each test here failed with one small change to the inflated-size count or the
native pixel data length check, which tests/test_dicom*.py let through)."""

from __future__ import annotations

import io

import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.dicom_size import check_inflated_size, check_native_length  # noqa: E402
from edge.preprocess import ImageError  # noqa: E402


def native(rows: int, cols: int, pixel_data: bytes, samples: int = 1, bits: int = 8, photometric: str = "MONOCHROME2"):
    """A data set of native pixels as its header says them, without a file (check_native_length reads no more)."""
    from pydicom.dataset import Dataset

    ds = Dataset()
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.BitsAllocated = rows, cols, samples, bits
    ds.PhotometricInterpretation = photometric
    ds.PixelData = pixel_data
    return ds


def test_a_deflated_data_set_is_counted_past_the_first_16_mb_each_block_inflates_to(monkeypatch):
    """A block of a few kB can inflate to hundreds of MB: what the 16 MB asked of each decompress call leaves over is
    counted too. Counted only once a block, 40 MB of zeros (40 kB deflated) passed a 20 MB limit."""
    import edge.dicom_size
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import DeflatedExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    monkeypatch.setattr(edge.dicom_size, "MAX_INFLATED_BYTES", 20 * 2**20)
    ds = native(4000, 5000, bytes(40_000_000), bits=16)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID = SecondaryCaptureImageStorage, generate_uid()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    assert len(buf.getvalue()) < 1 << 20  # one block read
    buf.seek(0)
    with pytest.raises(ImageError, match="inflates to more than 20971520 bytes"):
        check_inflated_size(buf)
    assert buf.tell() == 0  # left where it was


def test_a_1_bit_film_of_a_wrong_size_is_refused():
    """1-bit pixels are packed, not byte-aligned: 16x16 of them are 32 bytes; 64 bytes of pixels are no whole
    number of such films' frames plus padding (a wrong Rows or Columns) and are refused, not decoded as stripes."""
    check_native_length(native(16, 16, b"\x5a" * 32, bits=1))  # the size the header says
    with pytest.raises(ImageError, match=r"16x16 1-bit pixels \(32 bytes a frame\), but its pixel data is 40 bytes"):
        check_native_length(native(16, 16, b"\x5a" * 40, bits=1))


def test_a_ybr_full_422_film_of_its_own_size_passes():
    """YBR_FULL_422 keeps two samples a pixel (each pair shares its chroma): 4x4 pixels are 32 bytes, a whole frame,
    not 'no whole number of frames' of 24 bytes."""
    check_native_length(native(4, 4, b"\x80" * 32, samples=3, photometric="YBR_FULL_422"))
    with pytest.raises(ImageError, match="no whole number of frames"):
        check_native_length(native(4, 4, b"\x80" * 42, samples=3, photometric="YBR_FULL_422"))


def frames_of(rows_a: list[int], rows_b: list[int], bits: int = 8, signed: bool = False):
    """A 4x4 film said as one frame whose pixel data holds two, each row of one value (the first frame's rows, then
    the second's)."""
    import numpy as np

    dtype = f"<{'i' if signed else 'u'}{bits // 8}"
    pixels = np.repeat(np.array(rows_a + rows_b, dtype=dtype)[:, None], 4, axis=1)
    ds = native(4, 4, pixels.tobytes(), bits=bits)
    ds.PixelRepresentation = int(signed)
    return ds


def test_frames_each_starting_at_the_films_top_are_a_films_not_one_film_under_a_halved_rows():
    """The second frame's first row nearer the first's last row than its first row, but not twice as near, is a
    film's second frame (each frame starts at its top), classified by its first; not refused as one film cut."""
    check_native_length(frames_of([0, 5, 10, 20], [60, 65, 70, 80]))  # seam 40, same 60
    with pytest.raises(ImageError, match="holds 2 such frames, each going on where the one before ends"):
        check_native_length(frames_of([0, 5, 10, 20], [25, 30, 35, 40]))  # seam 5, same 25


def test_a_signed_film_under_a_halved_rows_is_refused():
    """Signed pixels are compared as signed: -100 at the top, 2 at the bottom and -2 next are one film's rows going
    on; read as unsigned (65436, 2, 65534), the seam looked like a new frame's top and the top half was classified."""
    with pytest.raises(ImageError, match="one film of 8 rows under a wrong Rows"):
        check_native_length(frames_of([-100, -50, 0, 2], [-2, -10, -20, -30], bits=16, signed=True))


def test_a_jp2_file_whose_first_fragment_is_shorter_than_its_signature_is_still_looked_into():
    """A JP2 file's 12-byte signature box split after 8 bytes is not 'no codestream known': its SIZ marker further on
    says 200x120 under an 80x64 header, refused before the decoder makes all of it."""
    from PIL import Image
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import JPEG2000

    from edge.dicom_size import JP2_SIGNATURE, check_codestream_size
    from tests.test_dicom import one_frame

    buf = io.BytesIO()
    Image.new("L", (200, 120), 100).save(buf, "JPEG2000")
    jp2 = buf.getvalue()
    assert jp2.startswith(JP2_SIGNATURE)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = JPEG2000
    ds.Rows, ds.Columns, ds.PixelData = 64, 80, one_frame(jp2[:8], jp2[8:])
    with pytest.raises(ImageError, match=r"^refused: its compressed pixel data is 200x120 pixels, but its header says 80x64$"):
        check_codestream_size(ds)


def test_a_jpeg_frame_header_past_the_bytes_looked_into_is_refused(monkeypatch):
    """Segments enough to push the frame header past MAX_HEAD_BYTES (lowered here to 1000) are refused, not let
    through to a decoder that makes the frame whatever its size."""
    import edge.dicom_size
    from edge.dicom_size import _frame_head

    monkeypatch.setattr(edge.dicom_size, "MAX_HEAD_BYTES", 1000)
    comment = b"\xff\xfe" + (2002).to_bytes(2, "big") + b"x" * 2000
    frame_header = b"\xff\xc0\x00\x0b\x08\x23\x28\x23\x28\x01\x01\x11\x00"  # 9000x9000
    with pytest.raises(ImageError, match=r"^refused: its compressed pixel data has no frame header in its first 1000 bytes"):
        _frame_head(iter([b"\xff\xd8" + comment + frame_header]))
