"""edge.png_data pinned: how many bytes a PNG's image data must inflate to, and what a short one is told.

Written by hand mutation testing (H67 mutants6). The PNGs are written here byte by byte (zlib and
struct), so that each holds exactly the image data a case needs; the real check reads them.
"""

from __future__ import annotations

import struct
import zlib

from edge.png_data import expected_bytes, png_data_fault


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, raw: bytes, depth: int = 8, colour: int = 0, interlace: int = 0,
        stream: bytes | None = None) -> bytes:
    """A PNG whose IDAT holds ``stream`` (default: ``raw`` deflated whole)."""
    head = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head)
            + chunk(b"IDAT", zlib.compress(raw) if stream is None else stream) + chunk(b"IEND", b""))


def rows(width: int, n: int, per_pixel: int = 1) -> bytes:
    """n rows of filter byte 0 and width pixels of per_pixel bytes."""
    return (b"\x00" + bytes(range(width * per_pixel))) * n


def test_the_bytes_of_each_row_count_its_filter_byte_and_round_bits_up():
    """Each row: one filter byte, then its samples' bits rounded up to whole bytes; samples per pixel by colour type."""
    assert expected_bytes(10, 3, 8, 0, False) == 3 * 11  # grey
    assert expected_bytes(9, 3, 1, 0, False) == 3 * 3  # 9 one-bit pixels: 2 bytes
    assert expected_bytes(3, 2, 8, 4, False) == 2 * 7  # grey + alpha: 2 samples
    assert expected_bytes(2, 2, 16, 6, False) == 2 * 17  # RGBA, 16 bits: 8 bytes a pixel
    assert expected_bytes(2, 2, 8, 2, False) == 2 * 7  # RGB
    assert expected_bytes(4, 4, 8, 5, False) is None  # no such colour type


def test_an_interlaced_image_counts_each_pass_that_has_pixels():
    """Adam7: 8x8 grey passes are 1x1, 1x1, 2x1, 2x2, 4x2, 4x4, 8x4 pixels, each row with its filter byte;
    a 1x1 image has the first pass only (the others are empty, with no rows at all)."""
    assert expected_bytes(8, 8, 8, 0, True) == 2 + 2 + 3 + 6 + 10 + 20 + 36
    assert expected_bytes(1, 1, 8, 0, True) == 2


def test_a_whole_png_has_no_fault_and_more_data_is_ignored():
    assert png_data_fault(png(6, 4, rows(6, 4))) is None
    assert png_data_fault(png(6, 4, rows(6, 5))) is None  # one row too many: ignored, as by every reader
    assert png_data_fault(png(2, 2, rows(2, 2, 4), colour=6)) is None
    assert png_data_fault(png(3, 2, rows(3, 2, 2), colour=4)) is None


def test_a_png_whose_data_ends_early_says_how_many_rows_it_holds():
    """6 wide, 4 high, data for 1 row: 'holds 1 of its 4 rows' (rows counted by the row's bytes, not the width)."""
    fault = png_data_fault(png(6, 4, rows(6, 1)))
    assert fault == ("its image data ends early: it holds 1 of its 4 rows, and the rest would be read as black; the "
                     "file was damaged or written incompletely (copy or export it again)")
    assert "holds 3 of its 4 rows" in png_data_fault(png(6, 4, rows(6, 4)[:-1]))  # one byte short: that row lost


def test_an_interlaced_png_short_of_data_says_how_much_it_holds():
    """Interlaced rows are no image rows: the share of the data is said instead. 8x8 grey needs 79 bytes."""
    assert "it holds 50% of it, and the rest" in png_data_fault(png(8, 8, bytes(40), interlace=1))


def test_a_stream_cut_short_is_left_to_pillow():
    """A deflate stream that just stops (no end): Pillow says 'truncated' itself; this check says nothing."""
    assert png_data_fault(png(6, 4, b"", stream=zlib.compress(rows(6, 4))[:-6])) is None


def test_a_stream_failing_its_own_checksum_is_damaged():
    stream = bytearray(zlib.compress(rows(6, 4)))
    stream[-1] ^= 0xFF  # the Adler-32 at the stream's end
    assert png_data_fault(png(6, 4, b"", stream=bytes(stream))) == (
        "damaged image data (its compressed pixels fail their check: incorrect data check); copy or export it again")


def test_not_a_png_or_a_header_too_short_is_left_to_pillow():
    assert png_data_fault(b"GIF89a" + bytes(40)) is None
    whole = png(6, 4, rows(6, 1))
    assert png_data_fault(whole[:32]) is None  # IHDR cut: the header cannot be read whole


def test_a_header_this_cannot_size_is_left_to_pillow():
    """An unknown colour type (5), or no pixels at all: no size to hold the data to; Pillow's checks say what
    is wrong (a crash here was a traceback in place of its reason)."""
    assert png_data_fault(png(6, 4, rows(6, 4)).replace(
        chunk(b"IHDR", struct.pack(">IIBBBBB", 6, 4, 8, 0, 0, 0, 0)),
        chunk(b"IHDR", struct.pack(">IIBBBBB", 6, 4, 8, 5, 0, 0, 0)))) is None
    assert png_data_fault(png(6, 0, b"")) is None


def test_data_after_the_end_chunk_is_not_read():
    """Nothing after IEND is the image's: a stream cut before IEND is left to Pillow ('truncated'), even where
    an IDAT after the end would close it (read on, it would be called a stream that ends early)."""
    stream = zlib.compress(rows(6, 1))
    cut = png(6, 4, b"", stream=stream[:-6])
    assert png_data_fault(cut + chunk(b"IDAT", stream[-6:])) is None


def test_a_checksum_in_an_idat_chunk_of_its_own_is_still_read():
    """Writers cut IDAT chunks at fixed sizes, so a stream's Adler-32 can fall in a chunk after the one that holds
    its last pixel. Reading stops once the pixels are all there only after that chunk: a damaged pixel (stored,
    uncompressed, so the length is right) is caught by the checksum, not labelled as noise."""
    stream = bytearray(zlib.compress(rows(6, 4), 0))
    stream[-10] ^= 0x01  # a pixel of the last row; the Adler-32 (the last 4 bytes) is the undamaged data's
    head = struct.pack(">IIBBBBB", 6, 4, 8, 0, 0, 0, 0)
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", bytes(stream[:-4]))
            + chunk(b"IDAT", bytes(stream[-4:])) + chunk(b"IEND", b""))
    assert png_data_fault(data) == (
        "damaged image data (its compressed pixels fail their check: incorrect data check); copy or export it again")
    whole = bytes(stream)
    whole = whole[:-10] + bytes([whole[-10] ^ 0x01]) + whole[-9:]  # undamaged again, still in two chunks
    assert png_data_fault(data.replace(bytes(stream[:-4]), whole[:-4])) is None


def test_a_header_cut_anywhere_inside_ihdr_is_left_to_pillow():
    """A file cut inside its IHDR (fewer than its 33 bytes) cannot be sized: no reading of a header that is not
    there (struct.error, a traceback in place of Pillow's 'truncated')."""
    whole = png(6, 4, rows(6, 4))
    for n in range(8, 33):
        assert png_data_fault(whole[:n]) is None, n
