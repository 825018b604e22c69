"""Why a DICOM data set read to its end holds no pixels, or not all of them, said as what to do about it.

pydicom reads anything quietly: a report, a film cut short inside its header, and a film whose Transfer Syntax
UID names another encoding than its bytes are in (Big Endian on little-endian data, say) all come back as a
data set without Pixel Data. A copy cut short is copied again; a wrong Transfer Syntax UID is the sender's,
and copying it again changes nothing, so each gets its own message. A USB stick pulled during a PACS export
cuts films anywhere: inside the file meta information, inside an element's tag or length, between two
elements, or inside the pixels; each is said as cut short, none as a report ("holds no image")."""

from __future__ import annotations

import io

from edge.controls import escaped
from edge.dicom_start import HEAD_BYTES, dicom_start, not_a_film


def no_pixels_reason(ds, data: bytes) -> str:
    """The error message for ``data``, read by pydicom as ``ds``, which holds no PixelData."""
    if not dicom_start(data):  # a .dcm of text: pydicom reads anything
        return "neither a known image format nor a DICOM image (no DICM preamble, no pixel data)"
    if "FloatPixelData" in ds or "DoubleFloatPixelData" in ds:
        return "DICOM file holds a floating-point image (Float Pixel Data), which cxr-edge does not read"
    what = not_a_film(data[:HEAD_BYTES])
    # bytes left over after the last element say a cut film, not a report with a few bytes of padding after it
    if cut_short(ds, len(data)) or (not what and _ends_inside_an_element(ds, data)):
        said = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        if said is not None and (other := _reads_whole_as(data, ds.original_encoding)) is not None:
            return (f"DICOM file cannot be read as its transfer syntax ({escaped(said.name)}) says, but reads whole as "
                    f"{other}: a wrong Transfer Syntax UID? (copying the file again will not help)")
        return cut_message(data)
    if what:
        return f"DICOM file holds no image: {what}, not a film"
    if not _deflated(ds) and (film := _a_films_header(ds)):  # a deflated stream read to its end is whole
        return (f"DICOM file holds no image: it ends before its pixel data, though its header is a film's ({film}): "
                "cut short (an interrupted copy?), or sent without its pixels")
    return "DICOM file holds no image (no PixelData)"


def _ends_inside_an_element(ds, data: bytes) -> bool:
    """Whether the file ends where pydicom stops without a word: inside the file meta information (its group
    length says more bytes follow), or inside the tag and length of an element (bytes left over after the last
    element read). cut_short sees only a value cut short, and a copy cut elsewhere read as a report would."""
    if _deflated(ds):
        return False  # its offsets are in the inflated data set, not the file
    meta = getattr(ds, "file_meta", None)
    if len(ds):
        try:
            last = ds.get_item(next(reversed(ds.keys())))
            end = last.value_tell + last.length
        except Exception:  # an element already converted: nothing to tell
            return False
        return last.length != 0xFFFFFFFF and end < len(data)
    if data[128:132] != b"DICM":
        return False
    try:
        group_length = int(meta.get("FileMetaInformationGroupLength") if meta is not None else None)
    except (TypeError, ValueError):  # none read: the file ends inside it
        return True
    return 144 + group_length != len(data)  # ends inside it, or inside the first element after it


def _a_films_header(ds) -> str | None:
    """What in a data set without pixels says it is a film's (its size, or an image SOP class's name), for a
    file cut short between two elements, which no byte tells from a whole file; None where nothing says so."""
    try:
        if "Rows" in ds and "Columns" in ds:
            return f"{int(ds.Columns)}x{int(ds.Rows)}"
        uid = ds.get("SOPClassUID") or getattr(getattr(ds, "file_meta", None), "MediaStorageSOPClassUID", None)
        name = getattr(uid, "name", "")
        return escaped(name) if "Image Storage" in name else None
    except Exception:  # a size or class that is no value: nothing to tell
        return None


def pixels_cut_short(ds, size: int) -> str | None:
    """The error message for a data set, read from ``size`` bytes, whose Pixel Data is cut short (an interrupted
    copy), None for any other: pydicom's own words ('less than expected ... the dataset may be corrupted, have an
    invalid group 0028 element value, or the transfer syntax may be incorrect') never say to copy it again."""
    if "PixelData" not in ds or _deflated(ds):
        return None
    element = ds.get_item("PixelData")  # itself, not the last element: one after it (padding) may be the one cut
    if not _runs_past(element, size):
        return None
    held = max(0, size - element.value_tell)
    return (f"DICOM file ends inside its pixel data ({held:,} of its {element.length:,} bytes): cut short (an "
            "interrupted copy?); copy it again")


def cut_reading(e: Exception, data: bytes) -> str | None:
    """The error message for a DICOM file that pydicom stopped reading with ``e`` because it ends inside an
    element's tag or length (a length of 4 bytes, or the file meta's group length, cut short); None for another."""
    import struct

    if isinstance(e, struct.error) or data[128:132] == b"DICM" and len(data) < 144:
        return cut_message(data)
    return None


def cut_message(data: bytes) -> str:
    """The error message for a DICOM file cut short, by where: its header or its pixel data. A compressed film's
    pixels (encapsulated, of undefined length) cut short leave pydicom a data set without a single element (it
    drops all it read on the end of file), so only reading its header again tells that the pixels had begun."""
    where = "its pixel data" if _pixels_began(data) else "its header, before any pixel data"
    return f"DICOM file ends inside {where}: cut short (an interrupted copy?); copy it again"


def _pixels_began(data: bytes) -> bool:
    """Whether ``data`` holds the Pixel Data element's tag: a read told to stop before the pixels stops there,
    short of the file's end (it reads to the end, or fails, where the file ends in the header)."""
    import pydicom

    stream = io.BytesIO(data)
    try:
        pydicom.dcmread(stream, force=True, stop_before_pixels=True)
    except Exception:  # cut inside an element's tag or length before the pixels
        return False
    return stream.tell() < len(data)


def cut_short(ds, size: int) -> bool:
    """Whether the data set's last element says it is longer than the file has bytes left: pydicom reads
    a file cut short inside its header quietly, as a film with no pixels."""
    if _deflated(ds):
        return False  # its offsets are in the inflated data set, not the file
    try:
        return _runs_past(ds.get_item(next(reversed(ds.keys()))), size)
    except Exception:  # no element: nothing to tell
        return False


def _runs_past(element, size: int) -> bool:
    """Whether a raw element's value, as its length says, runs past the file's ``size`` bytes; False for one of
    undefined length, or one already converted (no offset to tell)."""
    try:
        return element.length != 0xFFFFFFFF and element.value_tell + element.length > size
    except (AttributeError, TypeError):
        return False


def _deflated(ds) -> bool:
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    return getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None) == DeflatedExplicitVRLittleEndian


def _reads_whole_as(data: bytes, encoding: tuple) -> str | None:
    """The name of the uncompressed encoding, other than ``encoding`` ((implicit VR, little endian), the one
    read), in which the data set after the file meta information reads to Pixel Data that fits in the file;
    None where none does. Bytes cut short or of another encoding find no Pixel Data tag in the right place."""
    from pydicom.filereader import _read_file_meta_info, read_dataset, read_preamble
    from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

    stream = io.BytesIO(data)
    try:
        read_preamble(stream, True)
        _read_file_meta_info(stream)
    except Exception:
        return None
    start = stream.tell()
    for uid, (implicit, little) in ((ExplicitVRLittleEndian, (False, True)), (ImplicitVRLittleEndian, (True, True)),
                                    (ExplicitVRBigEndian, (False, False))):
        if (implicit, little) == tuple(encoding):
            continue
        stream.seek(start)
        try:
            other = read_dataset(stream, implicit, little)
            if "PixelData" in other and not cut_short(other, len(data)):
                return uid.name
        except Exception:  # bytes that are no data set in this encoding
            continue
    return None


def unreadable_un(data: bytes) -> str | None:
    """The error message for a DICOM file that pydicom stopped reading at an element of VR UN with an undefined
    length (explicit VR), None where the file holds none: PS3.5 6.2.2 says to read its value as a sequence, and a
    sender that wrote a private tag's bytes there instead left pydicom without a tag to read ("unreadable DICOM
    (OSError)" named nothing of the file)."""
    at = data.find(b"UN\x00\x00\xff\xff\xff\xff", 132 if data[128:132] == b"DICM" else 0)
    if at < 4:
        return None
    group, element = int.from_bytes(data[at - 4:at - 2], "little"), int.from_bytes(data[at - 2:at], "little")
    private = " (a private tag)" if group % 2 else ""
    return (f"unreadable DICOM: its element ({group:04X},{element:04X}){private} is of VR UN with an undefined length, "
            "and what follows is no sequence it could be read as: written wrongly by the sender; re-export the "
            "film without private tags, or with them in explicit VR")
