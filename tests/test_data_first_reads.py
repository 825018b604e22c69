"""cxr-train's layout check before TensorFlow loads (train.data_first) reads the first bytes of each file of a PACS
tree that has no image suffix once: a structured report or a film that lost its suffix was read twice, once to
tell whether it is a DICOM film (edge.film_files.is_image_file), then again by what discovery asked next, whether
it is an image that lost its suffix (lacks_image_suffix). On a share, each is a round trip per file."""

from __future__ import annotations

import io
from collections import Counter

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

import edge.film_files
from tests.test_dicom import make_dicom, ramp
from train.data import DataError
from train.data_first import check_films_found
from train.run import TrainSettings


def _report() -> bytes:
    """A DICOM structured report (no film), as a PACS export holds beside its films."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.88.11"  # Basic Text SR
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality = "SR"
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


def _png() -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((16, 16), 90, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def test_each_file_without_an_image_suffix_is_read_once(tmp_path, monkeypatch):
    data, film, report, png = tmp_path / "pacs", make_dicom(ramp(16, 16)), _report(), _png()
    for p in range(8):  # a folder per patient, taken for classes: refused before TensorFlow loads
        study = data / f"PAT{p:04d}" / "study1"
        study.mkdir(parents=True)
        (study / "IM000001").write_bytes(film)
        (study / "SR000001").write_bytes(report)
        (study / "IM000002").write_bytes(png)  # a film a de-identification tool left without its suffix
    reads: Counter[str] = Counter()
    real = edge.film_files.read_regular_file

    def counted(path, *args, **kwargs):  # the real read, counted (no file's bytes made up)
        reads[str(path)] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(edge.film_files, "read_regular_file", counted)
    try:
        check_films_found(TrainSettings(data=str(data), out=str(tmp_path / "run")), say=lambda line: None)
    except DataError as e:
        assert "is this a folder per patient or study?" in str(e)
    assert len(reads) == 24  # every file of the tree looked at
    assert max(reads.values()) == 1, sorted((n, p) for p, n in reads.items() if n > 1)[:3]
