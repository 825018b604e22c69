"""How large a DICOM film will be once decoded, read before decoding it.

A few MB of RLE or JPEG can say any size, and a decoder makes all of it before anyone looks: the
header's size in bytes, and a JPEG or JPEG 2000 codestream's own size against the header's, are
checked first (edge.dicom). A Deflated data set is inflated by pydicom whole, headers and all, before
any of them can be read (a 1 MB file took 2.1 GB): its inflated size is counted first, keeping none of it,
and a stream cut short (an interrupted copy) or damaged is said so there (pydicom says zlib's bare 'error')."""

from __future__ import annotations

import math
import struct
import zlib
from typing import BinaryIO

import numpy as np

from edge.capped_repr import capped_text
from edge.controls import escaped
from edge.preprocess import MAX_FILE_BYTES, MAX_PIXELS, ImageError
from edge.size_words import too_many_pixels

# Decoded bytes allowed for the one frame classified: the largest 16-bit grey film MAX_PIXELS admits. Rows x
# Columns alone let a 49-Mpixel RGB film of 32-bit samples (a few MB of RLE) decode to 588 MB.
MAX_DECODED_BYTES = 2 * MAX_PIXELS


# A Deflated data set may inflate to no more than the largest file read as it is.
MAX_INFLATED_BYTES = MAX_FILE_BYTES


def check_inflated_size(fp: BinaryIO) -> None:
    """Refuse a Deflated Explicit VR data set that would inflate past MAX_INFLATED_BYTES, counting it a
    block at a time, or whose deflate stream ends before its end (a copy cut short) or is no deflate data
    (damaged): pydicom says either as zlib's bare 'error'. Any other file passes. ``fp`` is left where it was."""
    from pydicom.filereader import _read_file_meta_info, read_preamble
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    start = fp.tell()
    try:
        read_preamble(fp, True)
        deflated = _read_file_meta_info(fp).get("TransferSyntaxUID") == DeflatedExplicitVRLittleEndian
    except Exception:  # no file meta pydicom can read: nothing said deflated; dcmread says what is wrong
        deflated = False
    try:
        if not deflated:
            return
        inflate, total, began = zlib.decompressobj(-zlib.MAX_WBITS), 0, False
        while not inflate.eof:
            block = inflate.unconsumed_tail or fp.read(1 << 20)
            out = len(inflate.decompress(block, 1 << 24))  # b"" gives what zlib still holds back, if any
            if not block and not out:  # every byte read, and the stream not at its end
                where = "its deflated data set" if began else "its header, before any pixel data"
                raise ImageError(f"DICOM file ends inside {where}: cut short (an interrupted copy?); copy it again")
            began, total = True, total + out
            if total > MAX_INFLATED_BYTES:
                raise ImageError(f"refused: its Deflated data set inflates to more than {MAX_INFLATED_BYTES} "
                                 "bytes, far beyond any film: a damaged file or no film; export it again")
    except zlib.error as e:  # bytes that are no deflate stream, wherever the file ends: copying it again won't help
        why = str(e).rpartition(": ")[2]
        raise ImageError(f"unreadable DICOM: its deflated data set is damaged ({escaped(why)}); "
                         "export the film again") from None
    finally:
        fp.seek(start)


# The image pixel module's attributes that have one value: pydicom fails on a second one with an internal error
# ("unhashable type: 'MultiValue'" for MONOCHROME1\\, written with a trailing backslash)
SINGLE_VALUED = ("PhotometricInterpretation", "SamplesPerPixel", "Rows", "Columns", "BitsAllocated", "BitsStored",
                 "HighBit", "PixelRepresentation", "PlanarConfiguration", "NumberOfFrames")


def many_values(ds) -> str | None:
    """Why a film cannot be decoded where one of :data:`SINGLE_VALUED` has several values, else None."""
    from edge.controls import escaped

    for name in SINGLE_VALUED:
        try:
            element = ds[name] if name in ds else None
            values = list(element.value) if element is not None and element.VM > 1 else []
        except Exception:  # noqa: BLE001 - a value that cannot be read is the decoder's to say
            continue
        if values:
            shown = escaped("\\".join(str(v) for v in values))
            return f"cannot decode DICOM pixel data (its {element.name} has {len(values)} values, {shown}: a film has one)"
    return None


def frames_no_number(ds) -> str | None:
    """Why a film cannot be decoded where its Number of Frames is no whole number ('abc', '1e9'), else None:
    pydicom's own error ("invalid literal for int() with base 10: 'abc'") named no attribute."""
    if "NumberOfFrames" not in ds:
        return None
    try:
        value = ds["NumberOfFrames"].value
        if value is None or value == "" or ds["NumberOfFrames"].VM > 1:  # none said, or many_values's to say
            return None
        int(value)
        return None
    except Exception:  # noqa: BLE001 - the value as written is shown, whatever pydicom made of it
        raw = ds.get_item("NumberOfFrames").value
        shown = raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)
    return f"cannot decode DICOM pixel data (its Number of Frames, '{escaped(capped_text(shown.strip()))}', is no whole number)"


def header_int(ds, name: str, default: int) -> int:
    return int(getattr(ds, name, default) or default)


def check_decoded_size(ds) -> None:
    """Refuse, before decoding, a film whose one decoded frame would pass MAX_PIXELS or MAX_DECODED_BYTES:
    a few MB of RLE or JPEG can say any size."""
    rows, cols = header_int(ds, "Rows", 0), header_int(ds, "Columns", 0)
    if rows * cols > MAX_PIXELS:
        raise ImageError(too_many_pixels(cols, rows, MAX_PIXELS))
    samples, bits = header_int(ds, "SamplesPerPixel", 1), header_int(ds, "BitsAllocated", 8)
    size = rows * cols * samples * max(1, math.ceil(bits / 8))  # 1-bit pixels are unpacked to a byte each
    if size > MAX_DECODED_BYTES:  # no film: a grey one of MAX_PIXELS needs 16 bits, a colour capture 3 x 8
        raise ImageError(f"refused: its header says {cols} x {rows} pixels of {samples} {bits}-bit samples, "
                         f"{size / 1e6:,.0f} MB once decoded, more than any film needs ({MAX_DECODED_BYTES / 1e6:,.0f} "
                         "MB): a damaged header or no film; export it again")


def check_native_length(ds) -> None:
    """Refuse uncompressed pixel data longer than the frames its header says by more than the 1 padding byte,
    no whole number of such frames, and not zeros after them (padding, which is allowed): a wrong Columns or
    Rows, which pydicom only warns of ('excess padding'), and which decoded runs each row into the next (the
    film as diagonal stripes). Whole frames
    more than Number of Frames says are a film's (its first is classified). Data too short is refused too: pydicom's
    'less than expected ... the dataset may be corrupted' said nothing of what to do (persona review 74)."""
    try:
        rows, cols, frames = header_int(ds, "Rows", 0), header_int(ds, "Columns", 0), header_int(ds, "NumberOfFrames", 1)
        samples, bits = header_int(ds, "SamplesPerPixel", 1), header_int(ds, "BitsAllocated", 0)
    except (TypeError, ValueError):
        return  # no number: pydicom's decode says which
    if min(rows, cols, samples, frames) < 1 or not (bits == 1 or 8 <= bits <= 64 and bits % 8 == 0):
        return
    frame_bits = rows * cols * samples * bits  # 1-bit frames are packed one after the other, not byte-aligned
    ybr_422 = str(ds.get("PhotometricInterpretation", "")).strip().upper() == "YBR_FULL_422"
    if ybr_422:
        frame_bits = frame_bits // 3 * 2  # each pair of pixels shares its two chroma samples
    if frame_bits < 1:
        return
    actual, expected = len(ds.PixelData), math.ceil(frames * frame_bits / 8)
    if actual < expected and not ybr_422:  # a whole file (one cut short is said on reading: edge.dicom_no_pixels)
        raise ImageError(_too_short(rows, cols, samples, bits, frames, frame_bits, actual))
    whole = max(frames, actual * 8 // frame_bits)
    used = math.ceil(whole * frame_bits / 8)
    if actual - used <= 1 or ybr_422 and actual >= expected // 2 * 3:
        if whole > frames and (why := _one_film_cut_in_frames(ds, rows, cols, samples, bits, whole)):
            raise ImageError(why)
        return  # whole frames and their padding byte; or a 422 film of full colour, which pydicom says
    if ds.PixelData.count(0, used) == actual - used:  # zeros after the frames: padding, which PS3.5 8.1.1 says readers
        return  # accept (older equipment sends it; pydicom's MR_small_padded.dcm), not pixels of a wrong header
    pixels = f"{bits}-bit pixels" if samples == 1 else f"pixels of {samples} {bits}-bit samples"
    said = f"{cols}x{rows} {pixels}" if frames == 1 else f"{frames} frames of {cols}x{rows} {pixels}"
    raise ImageError(f"refused: its header says {said} ({_frame_bytes(frame_bits)} bytes a frame), but its pixel "
                     f"data is {actual} bytes, no whole number of frames: a wrong Rows or Columns? (decoded, each row "
                     "would run into the next)")


def _one_film_cut_in_frames(ds, rows: int, cols: int, samples: int, bits: int, whole: int) -> str | None:
    """Why pixel data of ``whole`` frames where fewer are said is one film under too small a Rows, else None: the
    first "frame" then ends where the second begins (its last row and the next one's first are neighbours), where
    frames of a film each start at its top (their first rows alike). A halved Rows classified the film's top half."""
    if samples != 1 or bits not in (8, 16) or rows < 2:
        return None
    kind = "i" if header_int(ds, "PixelRepresentation", 0) == 1 else "u"
    little = getattr(ds, "original_encoding", (None, True))[1] is not False
    dtype = np.dtype(f"{'<' if little else '>'}{kind}{bits // 8}")
    def row(n: int) -> np.ndarray:  # three rows read, not the frame (a film of 3000x3000 would be 72 MB as floats)
        return np.frombuffer(ds.PixelData, dtype, count=cols, offset=n * cols * dtype.itemsize).astype(np.float64)

    top, last, next_top = row(0), row(rows - 1), row(rows)
    seam = np.abs(next_top - last).mean()  # the second frame's first row against the first's last
    same = np.abs(next_top - top).mean()  # ... against the first frame's first row
    if not seam * 2 < same:
        return None
    said = header_int(ds, "NumberOfFrames", 1)
    frames = "" if said == 1 else f" in {said} frames"
    return (f"refused: its header says {cols}x{rows} {bits}-bit pixels{frames}, but its pixel data"
            f" holds {whole} such frames, each going on where the one before ends: one film of "
            f"{rows * whole} rows under a wrong Rows? (its top part alone would be classified); correct Rows or "
            "re-export the film")


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
        size = _codestream_size(_frame_head(fragments))
    except ImageError:
        raise
    except Exception:  # not encapsulated as it should be: the decoder says what is wrong
        return
    rows, cols = header_int(ds, "Rows", 0), header_int(ds, "Columns", 0)
    if size is not None and size != (cols, rows):
        raise ImageError(f"refused: its compressed pixel data is {size[0]}x{size[1]} pixels, "
                         f"but its header says {cols}x{rows}")


# How far into a frame its JPEG frame header may lie: past APP segments (an ICC profile of a few 64 kB
# segments, say), never megabytes in.
MAX_HEAD_BYTES = 4 * 2**20


def _frame_head(fragments) -> bytes:
    """The first frame's codestream up to its JPEG 2000 SIZ marker's sizes or its JPEG frame header,
    however many fragments it is split into (a first fragment of 16 bytes hid a 9000x9000 frame behind a
    256x256 header); an ImageError where neither comes within MAX_HEAD_BYTES."""
    head, pos, found = bytearray(), 2, None
    for fragment in fragments:
        head += fragment[:MAX_HEAD_BYTES - len(head)]
        if len(head) < 4:
            continue
        if head.startswith(b"\xff\xd8"):
            found, pos = _jpeg_walk(head, pos)
        elif (at := head.find(b"\xff\x4f\xff\x51")) >= 0:  # JPEG 2000: SOC then SIZ, also inside a JP2 box
            found = "siz" if len(head) >= at + 24 else None
        elif not (head.startswith(JP2_SIGNATURE) or JP2_SIGNATURE.startswith(bytes(head))):
            return bytes(head)  # no codestream known: the decoder says what it is
        if found is not None or len(head) >= MAX_HEAD_BYTES:
            break
    if found is None and len(head) >= MAX_HEAD_BYTES:
        raise ImageError(f"refused: its compressed pixel data has no frame header in its first {MAX_HEAD_BYTES} bytes")
    return bytes(head)


JP2_SIGNATURE = b"\x00\x00\x00\x0cjP  \r\n\x87\n"  # a JP2 file's first box; its codestream (SOC, SIZ) follows later


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
    found, _ = _jpeg_walk(head, 2)
    return found if isinstance(found, tuple) else None


def _jpeg_walk(head: bytes | bytearray, pos: int) -> tuple[tuple[int, int] | str | None, int]:
    """A JPEG codestream's markers walked on from ``pos``: (width, height) at its frame header, "scan" at a
    scan with no frame header before it (or a frame whose height comes later, in a DNL marker), None
    where ``head`` ends first; and where the walk stopped. Bytes that are no marker are passed over, as
    decoders do (two stray bytes after APP0 hid a 9000x9000 frame)."""
    while pos + 9 <= len(head):
        if head[pos] != 0xFF:  # stray bytes between segments: decoders pass over them to the next marker
            nxt = head.find(b"\xff", pos)
            if nxt < 0:
                return None, len(head)
            pos = nxt
            continue
        marker = head[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
        elif marker == 0x00 or marker == 0x01 or 0xD0 <= marker <= 0xD8:  # no segment: a stuffed FF, TEM, RSTn, SOI
            pos += 2
        elif marker in JPEG_SOF:
            height, width = struct.unpack_from(">HH", head, pos + 5)
            return ((width, height) if height else "scan"), pos
        elif marker == 0xDA:  # start of scan, and no frame header before it
            return "scan", pos
        else:
            pos += 2 + struct.unpack_from(">H", head, pos + 2)[0]
    return None, pos


def _too_short(rows: int, cols: int, samples: int, bits: int, frames: int, frame_bits: int, actual: int) -> str:
    """Why whole pixel data shorter than its header's frames is refused: a wrong Rows, Columns or Number of Frames
    (the file read to its end, so a copy would be the same), in words that say what to do."""
    pixels = f"{bits}-bit pixels" if samples == 1 else f"pixels of {samples} {bits}-bit samples"
    fields = "Rows or Columns" if frames == 1 else "Number of Frames, Rows or Columns"
    said = (f"{cols}x{rows} {pixels} ({_frame_bytes(frame_bits)} bytes)" if frames == 1 else
            f"{frames} frames of {cols}x{rows} {pixels} ({_frame_bytes(frame_bits)} bytes a frame)")
    return (f"refused: its header says {said}, but its pixel data is {actual} bytes, too few: a wrong {fields}? "
            "(the file is whole: copying it again will not help; correct the header or re-export the film)")


def _frame_bytes(frame_bits: int) -> str:
    """A frame's size in bytes as said to users: whole, where ':g' wrote every chest film's (a million bytes or
    more) as '1.0998e+07'; a packed 1-bit frame's part byte kept exactly ('500500.125', not ':g''s '500500')."""
    return str(frame_bits // 8) if frame_bits % 8 == 0 else str(frame_bits / 8)
