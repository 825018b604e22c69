"""DICOM decoding: inversion, rescale, windowing, 12/16-bit, and the message without pydicom."""

from __future__ import annotations

import io

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError, load_bytes  # noqa: E402


def make_dicom(pixels: np.ndarray, photometric: str = "MONOCHROME2", slope: float = 1.0, intercept: float = 0.0,
               window: tuple[float, float] | None = None, bits: int = 16) -> bytes:
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"  # digital X-ray
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality = "DX"
    ds.Rows, ds.Columns = pixels.shape
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = photometric
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, bits, bits - 1
    ds.PixelRepresentation = 0
    ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    if window:
        ds.WindowCenter, ds.WindowWidth = window
    ds.PixelData = pixels.astype(np.uint16).tobytes()
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


def ramp(h: int = 64, w: int = 80, top: int = 4095) -> np.ndarray:
    return np.tile(np.linspace(0, top, w), (h, 1)).astype(np.uint16)


def test_12_bit_monochrome2_maps_to_full_range():
    g = load_bytes(make_dicom(ramp(), bits=12), "x.dcm")
    assert g.dtype == np.uint8 and g.shape == (64, 80)
    assert g[:, 0].max() == 0 and g[:, -1].min() == 255
    assert (np.diff(g[0].astype(int)) >= 0).all()


def test_monochrome1_is_inverted():
    a = load_bytes(make_dicom(ramp()), "a.dcm")
    b = load_bytes(make_dicom(ramp(), photometric="MONOCHROME1"), "b.dcm")
    assert (a.astype(int) + b.astype(int) == 255).all()


def test_window_clips_outside_values():
    g = load_bytes(make_dicom(ramp(), window=(1000, 1000)), "w.dcm")
    # values below 500 and above 1500 saturate: the left third is black, most of the right is white
    assert (g[:, :8] == 0).all() and (g[:, 40:] == 255).all()


def test_rescale_slope_does_not_change_the_picture():
    a = load_bytes(make_dicom(ramp()), "a.dcm")
    b = load_bytes(make_dicom(ramp(), slope=2.0, intercept=-1024), "b.dcm")
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1


def test_dicom_detected_by_magic_without_suffix():
    g = load_bytes(make_dicom(ramp()), "no_suffix")
    assert g.shape == (64, 80)


def test_dicom_without_pixels_is_a_clear_error():
    data = make_dicom(ramp())
    ds = pydicom.dcmread(io.BytesIO(data))
    del ds.PixelData
    buf = io.BytesIO()
    ds.save_as(buf)
    with pytest.raises(ImageError, match="no image"):
        load_bytes(buf.getvalue(), "x.dcm")
