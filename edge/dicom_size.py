"""How large a DICOM film will be once decoded, read before decoding it.

A few MB of RLE or JPEG can say any size, and a decoder makes all of it before anyone looks: the
header's size in bytes, and a JPEG or JPEG 2000 codestream's own size against the header's, are
checked first (edge.dicom)."""

from __future__ import annotations

import math
import struct

from edge.preprocess import MAX_PIXELS, ImageError

# Decoded bytes allowed for the one frame classified: the largest 16-bit grey film MAX_PIXELS admits. Rows x
# Columns alone let a 49-Mpixel RGB film of 32-bit samples (a few MB of RLE) decode to 588 MB.
MAX_DECODED_BYTES = 2 * MAX_PIXELS


def header_int(ds, name: str, default: int) -> int:
    return int(getattr(ds, name, default) or default)


def check_decoded_size(ds) -> None:
    """Refuse, before decoding, a film whose one decoded frame would pass MAX_PIXELS or MAX_DECODED_BYTES:
    a few MB of RLE or JPEG can say any size."""
    rows, cols = header_int(ds, "Rows", 0), header_int(ds, "Columns", 0)
    if rows * cols > MAX_PIXELS:
        raise ImageError(f"refused: {cols}x{rows} pixels is more than the limit of {MAX_PIXELS}")
    samples, bits = header_int(ds, "SamplesPerPixel", 1), header_int(ds, "BitsAllocated", 8)
    size = rows * cols * samples * max(1, math.ceil(bits / 8))  # 1-bit pixels are unpacked to a byte each
    if size > MAX_DECODED_BYTES:
        raise ImageError(f"refused: {cols}x{rows} pixels of {samples} {bits}-bit samples decode to {size} bytes, "
                         f"more than the limit of {MAX_DECODED_BYTES} (possible decompression bomb)")


def check_codestream_size(ds) -> None:
    """Refuse a JPEG or JPEG 2000 frame whose own size is not Rows x Columns: the decoder would make the
    whole of it (a 9000x9000 JPEG under a 256x256 header took 580 MB) before pydicom finds the mismatch."""
    from pydicom.encaps import generate_fragments
    from pydicom.uid import RLELossless

    if ds.file_meta.TransferSyntaxUID == RLELossless:
        return
    try:
        fragments = generate_fragments(ds.PixelData)
        next(fragments)  # the Basic Offset Table
        first = next(fragments)
    except Exception:  # not encapsulated as it should be: the decoder says what is wrong
        return
    size = _codestream_size(bytes(first[:65536]))
    rows, cols = header_int(ds, "Rows", 0), header_int(ds, "Columns", 0)
    if size is not None and size != (cols, rows):
        raise ImageError(f"refused: its compressed pixel data is {size[0]}x{size[1]} pixels, "
                         f"but its header says {cols}x{rows}")


JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF, 0xF7}  # F7: JPEG-LS


def _codestream_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) from the start of a JPEG 2000 codestream (its SIZ marker) or a JPEG one (its SOF
    marker); None where the bytes hold neither within ``head``."""
    at = head.find(b"\xff\x4f\xff\x51")  # SOC then SIZ, also inside a JP2 box
    if at >= 0 and len(head) >= at + 24:
        xsiz, ysiz, xosiz, yosiz = struct.unpack_from(">4I", head, at + 8)
        return (xsiz - xosiz, ysiz - yosiz) if xsiz > xosiz and ysiz > yosiz else None
    if not head.startswith(b"\xff\xd8"):
        return None
    pos = 2
    while pos + 9 <= len(head) and head[pos] == 0xFF:
        marker = head[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
        elif marker in JPEG_SOF:
            height, width = struct.unpack_from(">HH", head, pos + 5)
            return (width, height) if height else None  # height 0: given later, in a DNL marker
        elif marker == 0xDA:  # start of scan, and no frame header before it
            return None
        else:
            pos += 2 + struct.unpack_from(">H", head, pos + 2)[0]
    return None
