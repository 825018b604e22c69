"""Whether a file is DICOM, from its first bytes and its name: a film named by UID with no suffix, or a
data set written without its 128-byte preamble, is one; a PNG renamed .dcm is not. Reads no pixel and
needs no pydicom, so folder listings (edge.batch) and decoding (edge.dicom) judge alike."""

from __future__ import annotations

from pathlib import Path

from edge.image_magic import MAGIC

# The first bytes of the image formats Pillow reads that a file named .dcm may really hold (a PNG renamed).
IMAGE_MAGIC = (*(magic for magic, _ in MAGIC), b"BM")  # any "BM": a bitmap whose reserved bytes are not 0 too


DICOM_SUFFIXES = {".dcm", ".dicom"}  # names taken for DICOM whatever their first bytes, but an image format's

# Value representations, as an explicit-VR data set writes them after a tag.
VRS = {b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FL", b"FD", b"IS", b"LO", b"LT", b"OB", b"OD", b"OF", b"OL",
       b"OV", b"OW", b"PN", b"SH", b"SL", b"SQ", b"SS", b"ST", b"SV", b"TM", b"UC", b"UI", b"UL", b"UN", b"UR", b"US",
       b"UT", b"UV"}


def starts_as_data_set(head: bytes) -> bool:
    """Whether bytes begin as a DICOM data set written without its 128-byte preamble and DICM: a first
    tag of group 0002 (file meta) or 0008 (the film's identity), little-endian, then an explicit VR or,
    implicit, a short length. A PACS export's UID-named file of that kind, with no suffix, was neither
    listed in its folder nor read when named, though the same file named .dcm was read."""
    if len(head) < 8 or head[:2] not in (b"\x02\x00", b"\x08\x00"):
        return False
    if head[4:6] in VRS:
        return True
    return head[:2] == b"\x08\x00" and _implicit_elements(head)


def _implicit_elements(head: bytes) -> bool:
    """Whether the bytes read as implicit-VR elements of group 0008 (then 0010): each tag after the one
    before, each length even and short. One element alone where the next lies beyond ``head``; else two
    or three that agree (a TGA image with an 8-byte ID starts 08 00 02 00 00 00 00 00, then its origin
    and size, which read as group 0000)."""
    pos, last, seen = 0, -1, 0
    while pos + 8 <= len(head) and seen < 3:
        group, element = int.from_bytes(head[pos:pos + 2], "little"), int.from_bytes(head[pos + 2:pos + 4], "little")
        length = int.from_bytes(head[pos + 4:pos + 8], "little")
        tag = group << 16 | element
        if group not in (0x0008, 0x0010) or tag <= last:
            return False
        if seen and (length == 0xFFFFFFFF or length >= 1024):  # a sequence or a long value after agreeing tags
            return True
        if length % 2 or length >= 1024:
            return False
        last, seen, pos = tag, seen + 1, pos + 8 + length
    return seen >= 1


def dicom_start(head: bytes) -> bool:
    """Whether a file's first bytes are DICOM's: the magic (b"DICM" at byte 128), or a data set written
    without the preamble (starts_as_data_set)."""
    return head[128:132] == b"DICM" or starts_as_data_set(head)


def is_dicom(data: bytes, path: Path) -> bool:
    """DICOM by its magic (b"DICM" at byte 128) or by its first tag (starts_as_data_set); a file named .dcm
    or .dicom without either is DICOM too unless its bytes start as an image format's do."""
    if dicom_start(data):
        return True
    webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return path.suffix.lower() in DICOM_SUFFIXES and not (data.startswith(IMAGE_MAGIC) or webp)


# SOP classes that hold no film, by the UID their members start with: an export folder carries them
# beside the films (a dose report, the radiologist's key images, a viewer's window settings).
NOT_FILMS = {
    "1.2.840.10008.5.1.4.1.1.88": "a structured report",  # key object selections and dose reports too
    "1.2.840.10008.5.1.4.1.1.11": "a presentation state",
    "1.2.840.10008.5.1.4.1.1.104": "an encapsulated document (PDF or CDA)",
    "1.2.840.10008.5.1.4.1.1.9": "a waveform",
    "1.2.840.10008.5.1.4.1.1.66": "raw data, a registration or a segmentation",
    "1.2.840.10008.1.3.10": "a media directory (DICOMDIR)",
}
# Explicit VRs whose length takes 4 bytes after 2 reserved ones.
LONG_VRS = {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"UC", b"UN", b"UR", b"UT", b"UV"}
HEAD_BYTES = 1024  # enough for the file meta's SOP class, or a data set's (0008,0016), in any export seen


def sop_class(head: bytes) -> str | None:
    """The SOP Class UID a DICOM file's first bytes give (the file meta's Media Storage SOP Class UID,
    else the data set's (0008,0016)); None where they do not reach it or are no DICOM. Explicit or
    implicit VR, little endian; pydicom is not needed."""
    pos = 132 if head[128:132] == b"DICM" else 0
    while pos + 8 <= len(head):
        group, element = int.from_bytes(head[pos:pos + 2], "little"), int.from_bytes(head[pos + 2:pos + 4], "little")
        vr = head[pos + 4:pos + 6]
        if group == 2 or vr in VRS:
            if vr in LONG_VRS:
                start, length = pos + 12, int.from_bytes(head[pos + 8:pos + 12], "little")
            else:
                start, length = pos + 8, int.from_bytes(head[pos + 6:pos + 8], "little")
        else:
            start, length = pos + 8, int.from_bytes(head[pos + 4:pos + 8], "little")
        if (group, element) in ((0x0002, 0x0002), (0x0008, 0x0016)):
            value = head[start:start + length]
            return value.rstrip(b"\0 ").decode("ascii", "replace") if len(value) == length else None
        if length == 0xFFFFFFFF or (group, element) > (0x0008, 0x0016):
            return None
        pos = start + length
    return None


def not_a_film(head: bytes) -> str | None:
    """What a DICOM file holds instead of a film (``a structured report``), by its SOP class; None for
    an image's class, or where the first bytes do not say."""
    uid = sop_class(head)
    if not uid:
        return None
    return next((what for base, what in NOT_FILMS.items() if uid == base or uid.startswith(base + ".")), None)
