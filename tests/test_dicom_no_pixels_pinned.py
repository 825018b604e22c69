"""edge.dicom_no_pixels pinned where a change would say the wrong thing of a DICOM file without pixels (found by
hand mutation testing: each test here failed with one small change, which tests/test_dicom*.py let through)."""

from __future__ import annotations

import io

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from edge.preprocess import ImageError, load_bytes  # noqa: E402
from tests.test_dicom import make_dicom, ramp  # noqa: E402


def test_a_film_of_double_float_pixel_data_is_said_as_such():
    """Double Float Pixel Data (7FE0,0009) as well as Float Pixel Data: 'no image' read as a report."""
    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp())))
    del ds.PixelData
    ds.DoubleFloatPixelData = ramp().astype(np.float64).tobytes()
    ds.BitsAllocated = 64
    buf = io.BytesIO()
    ds.save_as(buf)
    with pytest.raises(ImageError, match=r"floating-point image \(Float Pixel Data\), which cxr-edge does not read"):
        load_bytes(buf.getvalue(), "x.dcm")


def whole_file(sop_class: str, **attributes) -> bytes:
    """A whole DICOM file of ``sop_class`` without Pixel Data (nothing cut short)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID = sop_class, generate_uid()
    ds.SOPClassUID, ds.PatientName = sop_class, "Test^Patient"
    for name, value in attributes.items():
        setattr(ds, name, value)
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def test_only_an_image_sop_class_says_a_file_without_pixels_was_a_film_cut_short():
    """An RT Plan (no image class, not among the known non-films) is a file without an image, not a film 'cut short
    (an interrupted copy?)'; a Digital X-Ray Image's header without its pixels is."""
    with pytest.raises(ImageError, match=r"^DICOM file holds no image \(no PixelData\)$"):
        load_bytes(whole_file("1.2.840.10008.5.1.4.1.1.481.5"), "x.dcm")
    with pytest.raises(ImageError, match=r"though its header is a film's \(Digital X-Ray Image Storage - For Presentation\)"):
        load_bytes(whole_file("1.2.840.10008.5.1.4.1.1.1.1"), "x.dcm")
