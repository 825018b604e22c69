"""DICOM -> 8-bit grayscale, the same way every time (optional extra: pip install '.[dicom]').

Order follows the DICOM grayscale pipeline: stored values -> modality LUT (rescale slope and
intercept) -> VOI LUT or window centre/width -> MONOCHROME1 (or Presentation LUT Shape INVERSE)
inversion (so bone is always bright) -> linear map of the result's range to 0..255. The histogram equalisation in
edge.preprocess then removes what differences in windowing remain. A window that cannot be
applied (a width below 1, or not above 0 for LINEAR_EXACT and SIGMOID; a centre that is no number) counts
as no window: the stored range is mapped, as for a file without one; so does a rescale that is no number
or has a slope of 0.
A window, VOI LUT or rescale that would leave the film (nearly) one grey level, or that gives values
that are no finite numbers, counts as none as well: a blank film would still be labelled. PALETTE
COLOR films are mapped through their palette, like RGB ones. Whatever else goes wrong is an
ImageError naming the cause.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from edge.capped_repr import LONGEST, capped_text
from edge.controls import escaped
from edge.dicom_no_pixels import cut_reading, no_pixels_reason, pixels_cut_short, unreadable_un
from edge.film_bytes import FilmBytes, held
from edge.dicom_start import HEAD_BYTES, dicom_start, is_dicom, not_a_film, starts_as_data_set  # noqa: F401 (API)
from edge.dicom_sign import sign_lie
from edge.dicom_size import (check_codestream_size, check_decoded_size, check_inflated_size, check_native_length,
                             frames_no_number, header_int, many_values)
from edge.dicom_luts import (by_stored_value, palette_problem, rescale_usable, sign_lut_descriptors, unblanked_counted,
                             window_usable)
from edge.preprocess import OUT_OF_MEMORY, ImageError, first_line, short_of_memory
from edge.wide_pixels import linear_to_uint8, row_steps

if TYPE_CHECKING:
    from pydicom import Dataset

# The pixels come out right or the decode fails with an ImageError; what pydicom warns on its way (an
# unknown character set, excess padding, a Number of Frames of 0) would only reach the user as raw warnings
# with source lines. A filter, not warnings.catch_warnings: batch decodes in threads, and catch_warnings
# swaps the process's filters unguarded, so overlapping decodes could leave them changed for good.
PYDICOM_WARNINGS = ("ignore", None, Warning, re.compile(r"pydicom(\.|$)"), 0)

def _quiet_pydicom() -> None:
    """Each time, not once: a caller's warnings.catch_warnings (pytest's, say) drops the filter on leaving."""
    if PYDICOM_WARNINGS not in warnings.filters:
        warnings.filterwarnings("ignore", module=r"pydicom(\.|$)")


def dicom_header(path: Path, attributes: list[str]) -> Dataset | None:
    """The data set of a DICOM file up to its pixels, read as dicom_to_gray reads it (a file without the
    preamble included), so that what is decoded is also what is grouped by; None for a file that is not DICOM."""
    with open(path, "rb") as f:
        if not is_dicom(f.read(132), Path(path)):
            return None  # known without pydicom: a PNG's folder needs no DICOM support to be grouped
        import pydicom

        _quiet_pydicom()
        f.seek(0)
        check_inflated_size(f)
        return pydicom.dcmread(f, force=True, stop_before_pixels=True, specific_tags=attributes)


def dicom_to_gray(data: bytes | FilmBytes) -> np.ndarray:
    """A DICOM file's first frame as 8-bit grayscale, or an ImageError naming the cause. FilmBytes (edge.preprocess's)
    are dropped once pydicom has read the data set, which holds its own copy of the pixel data: a 72 MB film's
    file was held beside that copy and the decoded array."""
    return dicom_counted(data)[0]


def dicom_counted(data: bytes | FilmBytes) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`dicom_to_gray`, with the film's 256 per-level counts where its LUTs' blank test took them (a grey
    film; None for a colour or palette one): edge.preprocess's checks take them rather than counting it again."""
    try:
        import pydicom  # noqa: F401
    except (ImportError, MemoryError, OSError) as e:
        if short_of_memory(e):  # installed, but its libraries could not be mapped
            raise ImageError(OUT_OF_MEMORY) from None
        from edge.install_hint import install_hint

        raise ImageError(f"this is a DICOM file: install DICOM support with {install_hint('dicom')}") from None
    _quiet_pydicom()
    try:
        with np.errstate(all="ignore"):  # thread-local; values that are no finite numbers are checked for
            return _to_gray(held(data))
    except ImageError:
        raise
    except Exception as e:  # a header pydicom cannot apply (a broken LUT, say): this file's error, never the batch's
        raise ImageError(OUT_OF_MEMORY if short_of_memory(e) else f"cannot decode DICOM ({_reason(e)})") from None


def _to_gray(film: FilmBytes) -> tuple[np.ndarray, np.ndarray | None]:
    import pydicom
    from pydicom.pixels import apply_color_lut

    stream = io.BytesIO(film.data)
    check_inflated_size(stream)
    try:
        ds = pydicom.dcmread(stream, force=True)
    except Exception as e:
        why = cut_reading(e, film.data) or unreadable_un(film.data) or f"unreadable DICOM ({type(e).__name__})"
        raise ImageError(OUT_OF_MEMORY if short_of_memory(e) else why) from None
    if cut := pixels_cut_short(ds, film.size):
        raise ImageError(cut)
    # MONOCHROME1\\ failed in pydicom ("unhashable type"), a Number of Frames of 'abc' as "invalid literal for int()"
    if "PixelData" not in ds or (why := many_values(ds) or frames_no_number(ds)):
        raise ImageError(no_pixels_reason(ds, film.data) if "PixelData" not in ds else why)
    stream.close()  # the data set keeps the stream, and the stream the file's bytes: pydicom copied what it read
    film.drop()
    if not ds.PixelData:
        raise ImageError("no pixel data (its PixelData element is empty)")
    check_decoded_size(ds)
    compressed = _is_compressed(ds)
    if compressed:
        check_codestream_size(ds)
    else:
        check_native_length(ds)
    if (bits := min(header_int(ds, "BitsStored", 0) or 16, header_int(ds, "BitsAllocated", 0) or 16)) < MIN_BITS:
        raise ImageError(_too_few_bits(bits))
    arr = _first_frame(ds, compressed)
    del ds.PixelData  # the array holds the pixels now: the bytes go before the mapping needs memory
    photometric = str(getattr(ds, "PhotometricInterpretation", "MONOCHROME2")).upper()
    if header_int(ds, "SamplesPerPixel", 1) > 1 and arr.ndim == 3:  # colour (RGB/YBR) secondary capture: average the channels
        gray = np.empty(arr.shape[:2], dtype=np.float64)
        for r in row_steps(arr):
            gray[r] = arr[r].astype(np.float64).mean(axis=-1)
        return linear_to_uint8(gray), None
    if arr.ndim != 2:
        raise ImageError(f"cannot decode DICOM pixel data (an array of shape {arr.shape} is no single film)")
    if photometric != "PALETTE COLOR" and (why := sign_lie(arr, ds)):
        raise ImageError(why)
    if photometric == "PALETTE COLOR":  # indices into a palette, averaged to grey as the RGB branch does
        if arr.dtype.kind not in "iu" or arr.dtype.itemsize > 2:
            raise ImageError(f"cannot decode DICOM pixel data (palette indices of {arr.dtype.itemsize * 8} bits)")
        if why := palette_problem(ds):
            raise ImageError(why)
        return by_stored_value(arr, lambda v: apply_color_lut(v, ds).astype(np.float64).mean(axis=-1), False), None
    for names, usable in ((("WindowCenter", "WindowWidth"), window_usable(ds)),
                          (("RescaleSlope", "RescaleIntercept"), rescale_usable(ds))):
        if not usable:  # as if there were none, where pydicom would raise or blank the film
            for name in [n for n in names if n in ds]:
                delattr(ds, name)
    sign_lut_descriptors(ds)
    # Presentation LUT Shape INVERSE says as MONOCHROME1 does that the film is shown inverted (the DX
    # module pairs the two; some CR writers send it beside MONOCHROME2): either inverts, never both twice
    inverse = str(ds.get("PresentationLUTShape", "") or "").strip().upper() == "INVERSE"
    invert = photometric == "MONOCHROME1" or inverse
    return unblanked_counted(arr, ds, invert)  # padding (PixelPaddingValue) too: edge.dicom_luts.unpadded


# The fewest bits a radiograph's grey levels are stored in: the DX image module's least Bits Stored (PS3.3 C.8.11.3);
# CR and digitised films use 8 to 16, secondary captures 8. Fewer is a mask, an overlay or a wrong Bits Stored, of
# which pydicom keeps the low bits only (a 12-bit film said to be 4-bit decoded to stripes, and was labelled).
MIN_BITS = 6


def _too_few_bits(bits: int) -> str:
    """Why a film of ``bits``-bit pixels (fewer than MIN_BITS) is refused, in words."""
    if bits == 1:  # two grey levels (a mask, an overlay or a scanned document saved as an image): labelled all the same
        return ("refused: its pixels are 1-bit (Bits Stored 1), black and white: no radiograph, whose grey levels "
                "the model reads; send the film itself")
    return (f"refused: its pixels are {bits}-bit (Bits Stored {bits}), at most {1 << bits} grey levels: no radiograph "
            f"(a digital X-ray stores at least {MIN_BITS} bits) but a mask or overlay, or a wrong Bits Stored, of "
            "which only the low bits would be read; send the film itself or correct Bits Stored")


def _first_frame(ds, compressed: bool) -> np.ndarray:
    """The first frame's stored values, the one classified: 40 frames need no 40x memory, and pixel data
    that holds more frames than Number of Frames says (or none said) gives its first one, not a 3-D array."""
    from pydicom.pixels import pixel_array

    shift, stored = _high_bit_shift(ds, compressed), header_int(ds, "BitsStored", 0)
    if shift:  # decode the whole word; the stored bits are taken out of it below
        ds.BitsStored = header_int(ds, "BitsAllocated", 0)
    try:
        arr = pixel_array(ds, index=0, allow_excess_frames=False)
    except Exception as e:
        if short_of_memory(e):  # a codec (pylibjpeg, openjpeg) imported lazily, or its buffers
            raise ImageError(OUT_OF_MEMORY) from None
        raise ImageError(_decode_error(ds, e) if compressed else f"cannot decode DICOM pixel data ({_reason(e)})") from None
    if arr.ndim == (4 if header_int(ds, "SamplesPerPixel", 1) > 1 else 3):
        arr = arr[0]  # a decoder that returned every frame all the same
    if shift:
        ds.BitsStored = stored
        arr = _stored_bits(arr, stored, shift, header_int(ds, "PixelRepresentation", 0) == 1)
    return arr


def _high_bit_shift(ds, compressed: bool) -> int:
    """How far above bit 0 the stored bits sit (High Bit - Bits Stored + 1): old equipment put 12 bits in
    the top of a 16-bit word, and pydicom keeps the low bits, so the film decodes to stripes. Grey native
    or RLE data only (a JPEG's samples are its precision, whatever the header says); a High Bit that
    cannot be (below Bits Stored - 1, or past Bits Allocated) is ignored, as pydicom ignores it. No Bits
    Stored (or 0) is no shift: kept as 0 bits of each word, every film was blank ("blank image")."""
    from pydicom.uid import RLELossless

    if compressed and ds.file_meta.TransferSyntaxUID != RLELossless or header_int(ds, "SamplesPerPixel", 1) != 1:
        return 0
    stored, allocated = header_int(ds, "BitsStored", 0), header_int(ds, "BitsAllocated", 0)
    high = header_int(ds, "HighBit", stored - 1)
    shift = high - stored + 1
    return shift if 0 < shift and 0 < stored and high < allocated and allocated in (8, 16, 32) else 0


def _stored_bits(arr: np.ndarray, bits: int, shift: int, signed: bool) -> np.ndarray:
    """The ``bits`` bits from bit ``shift`` up of each whole word in ``arr``, sign-extended if ``signed``."""
    unsigned = np.dtype(f"u{arr.itemsize}")
    out = (arr.view(unsigned) >> unsigned.type(shift)) & unsigned.type((1 << bits) - 1)
    if not signed:
        return out
    sign = unsigned.type(1 << (bits - 1))
    out ^= sign
    out -= sign  # wraps below 0 in the unsigned type: the two's complement of the negative values
    return out.view(np.dtype(f"i{arr.itemsize}"))


def _decode_error(ds, e: Exception) -> str:
    """One line on why compressed pixel data did not decode: the plugins' own reasons, and which packages
    to install only where no plugin for the transfer syntax is installed."""
    from pydicom.pixels import get_decoder

    from edge.install_hint import decoder_hint

    uid = ds.file_meta.TransferSyntaxUID
    what = f"cannot decode its compressed pixel data ({uid.name})"
    try:
        decoder = get_decoder(uid)
    except NotImplementedError:
        return f"{what}: pydicom has no decoder for this transfer syntax"
    if not decoder.is_available:
        return f"{what}: no decoder for it is installed: {decoder_hint(decoder.missing_dependencies)}"
    lines = str(e).splitlines()
    if lines and lines[0].startswith("Unable to decode as exceptions were raised by all available plugins"):
        # each plugin's line names a BytesIO object by its address: no help to anyone
        reasons = [escaped(re.sub(r"\s*<[^<>]* at 0x[0-9a-fA-F]+>", "", line).strip()) for line in lines[1:]]
        return f"{what}: {'; '.join(r for r in reasons if r) or 'no reason given'}"
    return f"{what}: {_reason(e)}"


def _reason(e: Exception) -> str:
    """first_line(e) with each header value it quotes ("value 'X'", "value of 'X'") cut to capped_text's length:
    pydicom quotes a value whole, and 10 kB of Photometric Interpretation was one error line of 10 kB."""
    return re.sub(r"(value (?:of )?')([^']{%d,})'" % (LONGEST + 1), lambda m: f"{m[1]}{capped_text(m[2])}'",
                  first_line(e))


def _is_compressed(ds) -> bool:
    """Whether the pixel data is compressed. A data set read without its file meta information (a
    file without the preamble) gets the uncompressed transfer syntax it was read in, so it decodes."""
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

    if getattr(ds, "file_meta", None) is None:
        ds.file_meta = FileMetaDataset()
    uid = ds.file_meta.get("TransferSyntaxUID")
    if uid is None:
        implicit, little = ds.original_encoding
        if implicit is not None:
            ds.file_meta.TransferSyntaxUID = (ImplicitVRLittleEndian if implicit else
                                              ExplicitVRLittleEndian if little else ExplicitVRBigEndian)
        return False
    try:
        return bool(uid.is_compressed)
    except ValueError:  # not a transfer syntax UID
        return False
