"""--by InstitutionName (and any DICOM text attribute) as a viewer shows the name where the header's Specific
Character Set is absent or wrong (edge.dicom_text): one site, one readable group, never 'D�sseldorf'."""

from __future__ import annotations

import io

import numpy as np
import pytest

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from convert.group_values import group_values  # noqa: E402

NAME = "Klinikum Düsseldorf – Süd"


def dicom_named(raw: bytes, charset: str | list[str] | None) -> bytes:
    """A tiny DICOM film whose InstitutionName holds ``raw`` as written, under ``charset`` (None: none named)."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.1.1"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    if charset is not None:
        ds.SpecificCharacterSet = charset
    ds.add_new(0x00080080, "LO", raw)  # InstitutionName, the bytes as the site's system wrote them
    ds.Modality = "DX"
    ds.Rows = ds.Columns = 8
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = np.zeros((8, 8), np.uint16).tobytes()
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


@pytest.mark.parametrize("encoding,charset", [
    ("cp1252", "ISO_IR 192"),   # Windows bytes under a header that says UTF-8: 'D�sseldorf' before
    ("utf-8", None),            # UTF-8 with no set named: 'DÃ¼sseldorf'
    ("utf-8", "ISO_IR 100"),    # UTF-8 under a header that says Latin-1
    ("cp1252", None),           # Windows bytes, none named: the dash was the control character U+0096
    ("utf-8", "ISO_IR 192"),    # right as it was
])
def test_an_institution_name_in_any_western_encoding_is_one_readable_group(tmp_path, encoding, charset):
    for k in range(2):
        (tmp_path / f"{k}.dcm").write_bytes(dicom_named(NAME.encode(encoding), charset))
    groups = group_values(tmp_path, ["0.dcm", "1.dcm"], ["InstitutionName"])
    assert groups == {"InstitutionName": [NAME, NAME]}


def test_a_latin1_name_with_no_set_named_and_another_named_set_read_as_declared(tmp_path):
    (tmp_path / "0.dcm").write_bytes(dicom_named("Zürich".encode("latin-1"), None))
    (tmp_path / "1.dcm").write_bytes(dicom_named("Больница".encode("iso8859-5"), "ISO_IR 144"))  # Cyrillic, as said
    groups = group_values(tmp_path, ["0.dcm", "1.dcm"], ["InstitutionName"])
    assert groups == {"InstitutionName": ["Zürich", "Больница"]}
