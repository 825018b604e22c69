"""Whether a PNG's image data holds its whole image (pure function over the file's bytes; edge.preprocess asks).

Pillow stops reading a PNG's compressed image data where its deflate stream ends, and leaves every row after
that black, without an error: a film whose data held half of its rows (each chunk's checksum right) was labelled
with a black lower half, as a JPEG cut short was with grey (edge.pillow_misreads). Nor does it check the stream's
own checksum (Adler-32), so damaged pixel data under recomputed chunk checksums decoded into noise; libpng refuses
both. This inflates the data once more, a block at a time (never the whole image at once), counts the bytes and lets
zlib check the stream.
"""

from __future__ import annotations

import struct
import zlib

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}  # colour type -> samples per pixel
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))
_STEP = 1 << 20  # bytes inflated at a time: counted and dropped


def expected_bytes(width: int, height: int, depth: int, colour: int, interlaced: bool) -> int | None:
    """How many bytes a PNG's image data inflates to (each row with its filter byte), or None for a header
    Pillow would not open anyway (an unknown colour type)."""
    if colour not in _CHANNELS:
        return None
    bits = depth * _CHANNELS[colour]
    if not interlaced:
        return height * (1 + (width * bits + 7) // 8)
    total = 0
    for x0, y0, dx, dy in _ADAM7:
        w, h = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        if w > 0 and h > 0:
            total += h * (1 + (w * bits + 7) // 8)
    return total


def png_data_fault(data: bytes) -> str | None:
    """Why ``data``'s PNG image data (its IDAT chunks) does not hold its image, in words, or None where it does
    (or where the file is no PNG this can read: Pillow's own checks say what is wrong with it)."""
    if data[:8] != PNG_MAGIC or len(data) < 33 or data[12:16] != b"IHDR":
        return None
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", data[16:29])
    want = expected_bytes(width, height, depth, colour, interlace == 1)
    if not want:
        return None
    inflate, got, pos = zlib.decompressobj(), 0, 8
    try:
        while pos + 8 <= len(data) and not inflate.eof and got <= want:
            length, kind = struct.unpack(">I4s", data[pos : pos + 8])
            if kind == b"IDAT":
                chunk = data[pos + 8 : pos + 8 + length]
                while chunk and not inflate.eof and got <= want:
                    got += len(inflate.decompress(chunk, _STEP))
                    chunk = inflate.unconsumed_tail
            elif kind == b"IEND":
                break
            pos += 12 + length
        if not inflate.eof and not inflate.unconsumed_tail:  # output zlib held back for want of room: a few bytes
            got += len(inflate.flush())
    except zlib.error as e:
        why = str(e).split("decompressing data: ")[-1]  # "Error -3 while decompressing data: incorrect data check"
        return f"damaged image data (its compressed pixels fail their check: {why}); copy or export it again"
    if got >= want or not inflate.eof:  # whole (more is ignored, as by every reader), or cut short: Pillow says so
        return None
    rows = f"{got // (want // height)} of its {height} rows" if interlace != 1 else f"{100 * got // want}% of it"
    return (f"its image data ends early: it holds {rows}, and the rest would be read as black; the file was damaged "
            "or written incompletely (copy or export it again)")
