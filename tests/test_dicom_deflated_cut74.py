"""A Deflated Explicit VR Little Endian DICOM file cut short (an interrupted copy) is said to be cut short.

Up to 0.57.0 one cut inside its deflate stream, or at its last byte, was 'unreadable DICOM (error)' (zlib's error
class named, nothing of the file), and one cut inside the file meta information after its Transfer Syntax UID
'holds no image (no PixelData)', as a report is. A deflate stream that is whole but damaged is no copy cut short:
copying it again changes nothing, so it is said damaged, to be exported again."""

from __future__ import annotations

import io
import zlib

import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import load_bytes  # noqa: E402
from tests.test_dicom import deflated, make_dicom, ramp  # noqa: E402
from tests.test_dicom_cut_anywhere import CUT, reason  # noqa: E402


def film_and_meta_end() -> tuple[bytes, int]:
    data = deflated(make_dicom(ramp()))
    return data, 144 + pydicom.dcmread(io.BytesIO(data)).file_meta.FileMetaInformationGroupLength


def stream_end(data: bytes, meta_end: int) -> int:
    """Where the deflate stream ends: pydicom pads one of an odd length with a byte after it."""
    inflate = zlib.decompressobj(-zlib.MAX_WBITS)
    inflate.decompress(data[meta_end:])
    return len(data) - len(inflate.unused_data)


def test_a_deflated_film_cut_anywhere_after_its_preamble_says_cut_short_and_copy_it_again():
    data, meta_end = film_and_meta_end()
    end = stream_end(data, meta_end)
    for size in range(132, end):  # the file meta, the deflate stream's first bytes, its last one
        said = reason(data[:size])
        assert said.startswith("DICOM file ends inside ") and said.endswith(CUT) and "\n" not in said, (size, said)
    assert "its header" in reason(data[:meta_end - 10])
    assert reason(data[:meta_end + 40]) == f"DICOM file ends inside its deflated data set: {CUT}"
    assert reason(data[:end - 1]) == f"DICOM file ends inside its deflated data set: {CUT}"


def test_a_whole_deflated_film_still_decodes_without_its_pad_byte_too():
    for _ in range(8):  # about one film in two has an odd stream, padded
        data, meta_end = film_and_meta_end()
        for size in range(stream_end(data, meta_end), len(data) + 1):
            assert load_bytes(data[:size], "IM000001") is not None


def test_a_whole_deflate_stream_that_is_damaged_is_said_damaged_not_cut_short():
    data, meta_end = film_and_meta_end()
    damaged = data[:meta_end] + b"\xff" * 8 + data[meta_end + 8:]  # 0xff: a block type deflate does not have
    said = reason(damaged)
    assert said.startswith("unreadable DICOM: its deflated data set is damaged (") and "copy it again" not in said
    assert said.endswith("export the film again") and "\n" not in said


def test_its_header_read_for_grouping_says_cut_short_too(tmp_path):
    """cxr-evaluate --by reads a film's header the same way: zlib's error went on to the command's error lines."""
    from convert.group_values import _dicom_header

    data, meta_end = film_and_meta_end()
    (tmp_path / "x.dcm").write_bytes(data[:meta_end + 40])
    assert _dicom_header(tmp_path / "x.dcm", ["ViewPosition"]) == f"DICOM file ends inside its deflated data set: {CUT}"
