"""edge.image_decode pinned (hand mutation testing, session 71): a header just over MAX_PIXELS is refused by its
size, a PNG whose image data ends before its last rows (every checksum good) is refused, and a BMP cut short is a
corrupt film (an ImageError, not Pillow's raw error)."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from edge.image_decode import MAX_PIXELS, decode_bytes
from edge.image_error import ImageError


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(w: int, h: int, rows: int) -> bytes:
    """An 8-bit grey PNG of w x h whose image data holds only its first ``rows`` rows, every checksum good."""
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)
    data = zlib.compress(b"".join(b"\0" + bytes([(y * 7) % 256]) * w for y in range(rows)))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_header_just_over_the_pixel_limit_is_refused_by_its_size():
    h = MAX_PIXELS // 32 + 1  # 32 x 1562501: 32 pixels over
    with pytest.raises(ImageError) as e:
        decode_bytes(_png(32, h, 1))
    assert "50" in str(e.value) and "corrupt" not in str(e.value)


def test_a_png_whose_image_data_ends_before_its_last_rows_is_refused():
    assert decode_bytes(_png(64, 64, 64)).shape == (64, 64)
    with pytest.raises(ImageError):
        decode_bytes(_png(64, 64, 40))


def test_a_bmp_cut_short_is_a_corrupt_film_not_pillows_raw_error():
    out = io.BytesIO()
    Image.fromarray(np.arange(64 * 64, dtype=np.uint8).reshape(64, 64)).save(out, format="BMP")
    with pytest.raises(ImageError):
        decode_bytes(out.getvalue()[: len(out.getvalue()) // 2])

