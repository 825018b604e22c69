"""edge.image_magic pinned: each format a film may be saved in is told by its first bytes, and text that starts
with the same letters is not (found by hand mutation testing: each test here failed with one small change to
MAGIC, _NETPBM, _HEIF_BRANDS or image_format in place, which tests/test_foreign_files.py, test_dicom_names.py and
test_bad_inputs.py let through)."""

from __future__ import annotations

import pytest

from edge.image_magic import image_format


@pytest.mark.parametrize("head, what", [
    (b"GIF87a\x10\x00", "GIF"), (b"GIF89a\x10\x00", "GIF"), (b"II*\x00\x08\x00", "TIFF"), (b"MM\x00*\x00\x00", "TIFF"),
    (b"\xff\x4f\xff\x51\x00\x2f", "JPEG 2000"), (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG 2000"),
    (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00", "BMP"), (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WebP"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00", "HEIC"), (b"\x00\x00\x00\x18ftypheix\x00\x00", "HEIC"),
    (b"P5\n640 480\n255\n\x00", "PGM"), (b"P2 3 4 255 0 0", "PGM"), (b"P6\n# a comment\n64 48\n255\n", "PPM"),
    (b"P3 3 4 255\n", "PPM"),
])
def test_each_format_is_told_by_its_first_bytes(head, what):
    assert image_format(head) == what


@pytest.mark.parametrize("head", [
    b"BMW service notes, 2026", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"\x00\x00\x00\x18ftypmp42\x00\x00",
    b"P2 3 4 is a note", b"P5 640 480", b"P5 640 480 255", b"P23 4 255 parts",
])
def test_text_or_other_files_starting_alike_are_no_image(head):
    """A text 'BMW ...', a WAVE sound, an MP4 video, a note 'P2 3 4 ...': none is a film that lost its suffix."""
    assert image_format(head) is None
