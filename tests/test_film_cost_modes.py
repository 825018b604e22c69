"""What edge.decode_budget expects a film to take while decoded, by its kind: 8-bit grey and palette films the
least, 16-bit ones more, colour the most, each a base and a rate a pixel; a film that may be see-through its file's
bytes too (its decode keeps them); a DICOM by its Rows, Columns, bits and samples (an 8-bit or a colour DICOM is no
16-bit grey one)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

H, W = 60, 50


@pytest.mark.parametrize("mode, kind, held", [("L", "grey", 0), ("P", "grey", 0), ("1", "grey", 0), ("I;16", "wide", 0),
                                              ("I", "wide", 0), ("F", "wide", 0), ("RGB", "colour", 0),
                                              ("LA", "colour", 1), ("RGBA", "colour", 1)])
def test_a_films_cost_is_its_kinds_base_and_its_pixels_at_its_kinds_rate(tmp_path, mode, kind, held):
    from edge.decode_budget import BASE_BYTES, BYTES_PER_PIXEL, film_cost

    path = tmp_path / f"film_{mode.replace(';', '_')}.{'tif' if mode in ('I', 'F') else 'png'}"  # PNG holds no I, F
    grey = np.random.default_rng(0).integers(0, 255, (H, W), dtype=np.uint8)
    img = Image.fromarray(grey).convert(mode) if mode != "I;16" else Image.fromarray(grey.astype(np.uint16) * 257)
    img.save(path)
    with Image.open(path) as check:
        assert check.mode == mode
    expected = held * path.stat().st_size + BASE_BYTES[kind] + int(H * W * BYTES_PER_PIXEL[kind])
    assert film_cost(str(path)) == expected


def test_a_palette_film_with_a_transparent_colour_counts_its_bytes_too(tmp_path):
    from edge.decode_budget import BASE_BYTES, BYTES_PER_PIXEL, film_cost

    path = tmp_path / "film.png"
    Image.fromarray(np.arange(H * W, dtype=np.uint8).reshape(H, W)).convert("P").save(path, transparency=0)
    with Image.open(path) as check:
        assert check.mode == "P" and "transparency" in check.info
    assert film_cost(str(path)) == path.stat().st_size + BASE_BYTES["grey"] + int(H * W * BYTES_PER_PIXEL["grey"])


def _dicom(bits: int, samples: int) -> bytes:
    pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = "1.2.840.10008.5.1.4.1.1.1.1", generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.Rows, ds.Columns, ds.SamplesPerPixel = "DX", H, W, samples
    ds.PhotometricInterpretation = "RGB" if samples == 3 else "MONOCHROME2"
    if samples == 3:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = bits, bits, bits - 1, 0
    ds.PixelData = np.zeros((H, W, samples), np.uint8 if bits <= 8 else np.uint16).tobytes()  # header only read
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


@pytest.mark.parametrize("bits, samples, per_pixel", [(16, 1, 1.0), (8, 1, 0.5), (1, 1, 0.5), (8, 3, 1.5), (16, 3, 3.0)])
def test_a_dicoms_cost_follows_its_bits_and_samples(tmp_path, bits, samples, per_pixel):
    from edge.decode_budget import DICOM_BASE_BYTES, DICOM_BYTES_PER_SAMPLE_16, film_cost

    path = tmp_path / "film.dcm"
    path.write_bytes(_dicom(bits, samples))
    assert film_cost(str(path)) == DICOM_BASE_BYTES + int(H * W * per_pixel * DICOM_BYTES_PER_SAMPLE_16)


def test_an_opaque_films_cost_is_its_pixels_not_its_files_size(tmp_path):
    """Its bytes are dropped once decoded, before the peak: a noisy film (a large file) costs what a flat one does."""
    from edge.decode_budget import film_cost

    noisy, flat = tmp_path / "noisy.png", tmp_path / "flat.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 65535, (H, W), dtype=np.uint16)).save(noisy)
    Image.fromarray(np.full((H, W), 1000, np.uint16)).save(flat)
    assert noisy.stat().st_size > 4 * flat.stat().st_size
    assert film_cost(str(noisy)) == film_cost(str(flat))


def test_a_dicom_under_an_image_s_name_costs_as_a_dicom(tmp_path):
    """Pillow is asked first for a file of an image's name; one it cannot open is read for its data set."""
    from edge.decode_budget import DICOM_BASE_BYTES, DICOM_BYTES_PER_SAMPLE_16, film_cost

    path = tmp_path / "film.png"
    path.write_bytes(_dicom(16, 1))
    assert film_cost(str(path)) == DICOM_BASE_BYTES + int(H * W * DICOM_BYTES_PER_SAMPLE_16)
