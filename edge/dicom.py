"""DICOM -> 8-bit grayscale, the same way every time (optional extra: pip install 'cxr-edge[dicom]').

Order follows the DICOM grayscale pipeline: stored values -> modality LUT (rescale slope and
intercept) -> VOI LUT or window centre/width -> MONOCHROME1 inversion (so bone is always
bright) -> linear map of the result's range to 0..255. The histogram equalisation in
edge.preprocess then removes what differences in windowing remain. A window that cannot be
applied (a width below 1, a centre that is no number) counts as no window: the stored range is
mapped, as for a file without one; so does a rescale that is no number or has a slope of 0.
Whatever else goes wrong is an ImageError naming the cause.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np

from edge.preprocess import MAX_PIXELS, ImageError, first_line
from edge.wide_pixels import linear_to_uint8, row_steps, scale_to_uint8

# The first bytes of the image formats Pillow reads that a file named .dcm may really hold (a PNG renamed).
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*",
               b"\x00\x00\x00\x0cjP  ", b"\xff\x4f\xff\x51")


def is_dicom(data: bytes, path: Path) -> bool:
    """DICOM by its magic (b"DICM" at byte 128); a file named .dcm or .dicom without it is DICOM too
    (a data set written without the preamble) unless its bytes start as an image format's do."""
    if data[128:132] == b"DICM":
        return True
    webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return path.suffix.lower() in (".dcm", ".dicom") and not (data.startswith(IMAGE_MAGIC) or webp)


def dicom_to_gray(data: bytes) -> np.ndarray:
    try:
        import pydicom  # noqa: F401
    except ImportError:
        raise ImageError("this is a DICOM file: install DICOM support with pip install 'cxr-edge[dicom]'") from None
    try:
        return _to_gray(data)
    except ImageError:
        raise
    except MemoryError:
        raise ImageError("out of memory while decoding") from None
    except Exception as e:  # a header pydicom cannot apply (a broken LUT, say): this file's error, never the batch's
        raise ImageError(f"cannot decode DICOM ({first_line(e)})") from None


def _to_gray(data: bytes) -> np.ndarray:
    import pydicom
    from pydicom.pixels import apply_modality_lut, apply_voi_lut, pixel_array

    try:
        ds = pydicom.dcmread(io.BytesIO(data), force=True)
    except Exception as e:
        raise ImageError(f"unreadable DICOM ({type(e).__name__})") from None
    if "PixelData" not in ds:
        raise ImageError("DICOM file holds no image (no PixelData)" if data[128:132] == b"DICM" else
                         "neither a known image format nor a DICOM image (no DICM preamble, no pixel data)")
    rows, cols = int(getattr(ds, "Rows", 0)), int(getattr(ds, "Columns", 0))
    if rows * cols > MAX_PIXELS:
        raise ImageError(f"refused: {cols}x{rows} pixels is more than the limit of {MAX_PIXELS}")
    compressed = _is_compressed(ds)
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    try:  # a multi-frame file: the first frame alone is decoded (it is the one classified), so 40 frames need no 40x memory
        arr = pixel_array(ds, index=0) if frames > 1 else ds.pixel_array
    except Exception as e:
        raise ImageError(f"cannot decode DICOM pixel data ({first_line(e)})" + (
            "; compressed DICOM may need pylibjpeg or gdcm installed" if compressed else "")) from None
    del ds.PixelData  # the array holds the pixels now: the bytes go before the mapping needs memory
    if frames > 1 and arr.ndim == (4 if int(getattr(ds, "SamplesPerPixel", 1) or 1) > 1 else 3):
        arr = arr[0]  # a decoder that returned every frame all the same
    photometric = str(getattr(ds, "PhotometricInterpretation", "MONOCHROME2")).upper()
    if arr.ndim == 3:  # colour (RGB/YBR) secondary capture: average the channels
        gray = np.empty(arr.shape[:2], dtype=np.float64)
        for r in row_steps(arr):
            gray[r] = arr[r].astype(np.float64).mean(axis=-1)
        return linear_to_uint8(gray)
    for names, usable in ((("WindowCenter", "WindowWidth"), _window_usable(ds)),
                          (("RescaleSlope", "RescaleIntercept"), _rescale_usable(ds))):
        if not usable:  # as if there were none, where pydicom would raise or blank the film
            for name in [n for n in names if n in ds]:
                delattr(ds, name)
    invert = photometric == "MONOCHROME1"

    def grey_levels(values: np.ndarray) -> np.ndarray:  # modality LUT (rescale), then the VOI LUT or window
        modality = apply_modality_lut(values, ds)
        if "VOILUTSequence" in ds and modality.dtype.kind == "f":
            # A rescale (often slope 1, intercept 0) makes the values floats, and pydicom warns on each such
            # film that floats 'may give incorrect results'. It indexes its LUT with them rounded down (a
            # cast, above the LUT's first value); as integers rounded down they give the same grey levels.
            modality = np.floor(modality).astype(np.int64)
        return np.asarray(apply_voi_lut(modality, ds, index=0), dtype=np.float64)

    # Value by value when only + - * / and lookups are involved (their bits cannot depend on the array's
    # size); a sigmoid window (np.exp) over the whole image, as it always was.
    if arr.dtype.kind in "iu" and arr.dtype.itemsize <= 2 and str(ds.get("VOILUTFunction", "")).upper() != "SIGMOID":
        return _by_stored_value(arr, grey_levels, invert)
    return linear_to_uint8(grey_levels(arr), invert)


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


def _numbers(ds, names: tuple[str, str]) -> tuple[float, float] | None:
    """The first values of two attributes as finite numbers, or None."""
    try:
        values = tuple(float(e.value[0] if e.VM > 1 else e.value) for e in (ds[name] for name in names))
    except Exception:
        return None
    return values if all(map(math.isfinite, values)) else None


def _rescale_usable(ds) -> bool:
    """Whether a rescale slope and intercept are numbers, the slope not 0 (which would blank the film)."""
    values = _numbers(ds, ("RescaleSlope", "RescaleIntercept"))
    return values is not None and values[0] != 0


def _window_usable(ds) -> bool:
    """Whether the first window centre and width are numbers that pydicom's windowing accepts."""
    if (values := _numbers(ds, ("WindowCenter", "WindowWidth"))) is None:
        return False
    center, width = values
    function = str(ds.get("VOILUTFunction", "LINEAR") or "LINEAR").upper()
    least_ok = width >= 1 if function == "LINEAR" else width > 0
    return least_ok and function in ("LINEAR", "LINEAR_EXACT", "SIGMOID")


def _by_stored_value(arr: np.ndarray, grey_levels, invert: bool) -> np.ndarray:
    """The bytes of ``linear_to_uint8(grey_levels(arr), invert)``, with ``grey_levels`` applied once per
    stored value (at most 65536 for 8- and 16-bit pixels) rather than in float64 over the whole image."""
    first = int(arr.min())
    values = np.arange(first, int(arr.max()) + 1).astype(arr.dtype)
    mapped = grey_levels(values)
    present = np.zeros(len(values), dtype=bool)
    for r in row_steps(arr):
        present[arr[r].astype(np.intp) - first] = True
    lo, hi = float(mapped[present].min()), float(mapped[present].max())
    if hi <= lo:
        return np.zeros(arr.shape, dtype=np.uint8)
    table = scale_to_uint8(np.where(present, mapped, lo), lo, hi, invert)
    out = np.empty(arr.shape, dtype=np.uint8)
    for r in row_steps(arr):
        out[r] = table[arr[r].astype(np.intp) - first]
    return out
