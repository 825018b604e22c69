"""DICOM -> 8-bit grayscale, the same way every time (optional extra: pip install 'cxr-edge[dicom]').

Order follows the DICOM grayscale pipeline: stored values -> modality LUT (rescale slope and
intercept) -> VOI LUT or window centre/width -> MONOCHROME1 inversion (so bone is always
bright) -> linear map of the result's range to 0..255. The histogram equalisation in
edge.preprocess then removes what differences in windowing remain.
"""

from __future__ import annotations

import io

import numpy as np

from edge.preprocess import ImageError


def dicom_to_gray(data: bytes) -> np.ndarray:
    try:
        import pydicom
    except ImportError:
        raise ImageError("this is a DICOM file: install DICOM support with pip install 'cxr-edge[dicom]'") from None
    from pydicom.pixels import apply_modality_lut, apply_voi_lut
    try:
        ds = pydicom.dcmread(io.BytesIO(data), force=True)
    except Exception as e:
        raise ImageError(f"unreadable DICOM ({type(e).__name__})") from None
    if "PixelData" not in ds:
        raise ImageError("DICOM file holds no image (no PixelData)")
    rows, cols = int(getattr(ds, "Rows", 0)), int(getattr(ds, "Columns", 0))
    from edge.preprocess import MAX_PIXELS

    if rows * cols > MAX_PIXELS:
        raise ImageError(f"refused: {cols}x{rows} pixels is more than the limit of {MAX_PIXELS}")
    try:
        arr = ds.pixel_array
    except Exception as e:
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ImageError(f"cannot decode DICOM pixel data ({reason}); compressed DICOM may need "
                         "pylibjpeg or gdcm installed") from None
    if int(getattr(ds, "NumberOfFrames", 1) or 1) > 1:
        arr = arr[0]
    photometric = str(getattr(ds, "PhotometricInterpretation", "MONOCHROME2")).upper()
    if arr.ndim == 3:  # colour (RGB/YBR) secondary capture: average the channels
        arr = arr.astype(np.float64).mean(axis=-1)
        photometric = "MONOCHROME2"
    else:
        arr = apply_voi_lut(apply_modality_lut(arr, ds), ds, index=0)
    arr = np.asarray(arr, dtype=np.float64)
    lo, hi = float(arr.min()), float(arr.max())
    if hi <= lo:
        return np.zeros(arr.shape, dtype=np.uint8)
    gray = (arr - lo) / (hi - lo) * 255.0
    if photometric == "MONOCHROME1":
        gray = 255.0 - gray
    return np.round(gray).astype(np.uint8)
