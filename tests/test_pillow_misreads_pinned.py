"""edge.pillow_misreads pinned: the bounds of each test for a film Pillow decodes wrongly without an error.

Written by hand mutation testing (H67 mutants6). PNGs are written here byte by byte where Pillow cannot
write them (16-bit colour, a palette cut short, PLTE after the image data); Pillow opens them for real.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image

from edge.pillow_misreads import MIN_LEVELS, ends_in_decoder_fill, palette_fault, top_byte_levels


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, raw: bytes, depth: int = 8, colour: int = 0, before: bytes = b"",
        after: bytes = b"") -> bytes:
    """A PNG with chunks ``before`` and ``after`` its one IDAT (``raw`` deflated)."""
    head = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + before + chunk(b"IDAT", zlib.compress(raw)) + after
            + chunk(b"IEND", b""))


def grey_levels(n: int) -> np.ndarray:
    return np.arange(n, dtype=np.uint8).reshape(1, n)


def test_a_16_bit_colour_png_is_refused_below_32_levels_only():
    """RGB48, LA and RGBA64 keep only each value's top byte: 31 levels left is too posterised, 32 enough."""
    for colour in (2, 4, 6):
        head = png(1, 1, b"", depth=16, colour=colour)
        assert top_byte_levels(head, grey_levels(MIN_LEVELS - 1)) == MIN_LEVELS - 1
        assert top_byte_levels(head, grey_levels(MIN_LEVELS)) is None
    assert MIN_LEVELS == 32  # fewer than a 13-bit film keeps in its top byte
    assert top_byte_levels(png(1, 1, b"", depth=8, colour=2), grey_levels(4)) is None  # 8-bit colour: read whole
    assert top_byte_levels(png(1, 1, b"", depth=16, colour=0), grey_levels(4)) is None  # 16-bit grey: read whole


def bottom_filled(height: int, width: int = 16) -> Image.Image:
    """A grey film whose last 8 rows are grey 128, the rows above them other greys."""
    a = np.tile(np.arange(height, dtype=np.uint8)[:, None] * 3 + 1, (1, width))
    a[-8:] = 128
    return Image.fromarray(a)


def test_a_jpeg_ending_in_8_rows_of_grey_128_is_taken_as_cut_short():
    """The decoder's fill is the last row of 8x8 blocks exactly: 8 rows of 128, whatever lies above them."""
    assert ends_in_decoder_fill(bottom_filled(16))
    assert ends_in_decoder_fill(bottom_filled(16).convert("RGB"))
    one_off = np.asarray(bottom_filled(16)).copy()
    one_off[-1, 5] = 127
    assert not ends_in_decoder_fill(Image.fromarray(one_off))  # one pixel not the fill: a film's own grey
    assert not ends_in_decoder_fill(Image.fromarray(np.full((15, 16), 128, np.uint8)))  # under 16 rows: no test
    assert not ends_in_decoder_fill(bottom_filled(16).convert("P"))


def palette_png(entries: int, highest: int, plte_after: bool = False) -> bytes:
    raw = b"".join(b"\x00" + bytes([min(x, highest) for x in range(4)]) for _ in range(2))
    plte = chunk(b"PLTE", bytes(range(3 * entries)))
    return png(4, 2, raw, colour=3, before=b"" if plte_after else plte, after=plte if plte_after else b"")


def palette_said(data: bytes) -> str | None:
    return palette_fault(data, Image.open(io.BytesIO(data)))


def test_a_palette_that_covers_the_pixels_has_no_fault_and_one_short_by_one_is_said():
    """Entries 0..N-1: a pixel of index N has none (Pillow reads it black). Said with 1-based numbers."""
    assert palette_said(palette_png(3, 2)) is None
    assert palette_said(palette_png(3, 3)) == (
        "a palette PNG whose palette is cut short: it has 3 colours, but its pixels use colours up to number 4, and "
        "those past its end would be read as black; the file was damaged or badly written: export the film again "
        "as a grey PNG")


def test_a_palette_after_the_image_data_is_no_palette():
    """PLTE must come before IDAT: one after it is not read as the palette by Pillow, so the film is black."""
    assert palette_said(palette_png(3, 2, plte_after=True)).startswith("a palette PNG without its palette")
