"""Why a DICOM data set read to its end holds no pixels, said as what to do about it.

pydicom reads anything quietly: a report, a film cut short inside its header, and a film whose Transfer Syntax
UID names another encoding than its bytes are in (Big Endian on little-endian data, say) all come back as a
data set without Pixel Data. A copy cut short is copied again; a wrong Transfer Syntax UID is the sender's,
and copying it again changes nothing, so each gets its own message."""

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
    if cut_short(ds, len(data)):
        said = getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None)
        if said is not None and (other := _reads_whole_as(data, ds.original_encoding)) is not None:
            return (f"DICOM file cannot be read as its transfer syntax ({escaped(said.name)}) says, but reads whole as "
                    f"{other}: a wrong Transfer Syntax UID? (copying the file again will not help)")
        return "DICOM file ends inside its header, before any pixel data: cut short (an interrupted copy?); copy it again"
    what = not_a_film(data[:HEAD_BYTES])
    return f"DICOM file holds no image: {what}, not a film" if what else "DICOM file holds no image (no PixelData)"


def cut_short(ds, size: int) -> bool:
    """Whether the data set's last element says it is longer than the file has bytes left: pydicom reads
    a file cut short inside its header quietly, as a film with no pixels."""
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    if getattr(getattr(ds, "file_meta", None), "TransferSyntaxUID", None) == DeflatedExplicitVRLittleEndian:
        return False  # its offsets are in the inflated data set, not the file
    try:
        last = ds.get_item(next(reversed(ds.keys())))
        return last.length != 0xFFFFFFFF and last.value_tell + last.length > size
    except Exception:  # no element, or one already converted: nothing to tell
        return False


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
