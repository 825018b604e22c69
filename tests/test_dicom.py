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


def resave(data: bytes, **changes) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(data))
    for name, value in changes.items():
        if value is None:
            delattr(ds, name)
        else:
            setattr(ds, name, value)
    buf = io.BytesIO()
    ds.save_as(buf)
    return buf.getvalue()


@pytest.mark.parametrize("centre,width", [(2048, 0), (2048, 0.5), (2048, -3)])
def test_a_window_narrower_than_one_counts_as_none(centre, width):
    """pydicom refuses such a window ('Window Width must be greater than or equal to 1'): the stored
    range is mapped instead, as for a file without a window."""
    want = load_bytes(make_dicom(ramp()), "x.dcm")
    assert (load_bytes(make_dicom(ramp(), window=(centre, width)), "x.dcm") == want).all()


def test_a_window_centre_that_is_no_number_counts_as_none():
    data = make_dicom(ramp(), window=(2048, 1000))
    assert data.count(b"2048") == 1
    assert (load_bytes(data.replace(b"2048", b"ab c"), "x.dcm") == load_bytes(make_dicom(ramp()), "x.dcm")).all()


def test_a_header_pydicom_cannot_apply_is_an_image_error():
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    lut = Dataset()
    lut.add_new(0x00283002, "US", [4096, 0, 9])  # LUT Descriptor: 9 bits an entry, which pydicom cannot apply
    lut.add_new(0x00283006, "US", list(range(4096)))
    with pytest.raises(ImageError, match=r"cannot decode DICOM \('9' bits per LUT entry"):
        load_bytes(resave(make_dicom(ramp()), VOILUTSequence=Sequence([lut])), "x.dcm")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF", "BMP"])
def test_an_image_named_dcm_is_read_as_what_it_is(fmt):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray((ramp() >> 4).astype(np.uint8)).save(buf, fmt)
    assert load_bytes(buf.getvalue(), "x.dcm").shape == (64, 80)


def test_text_named_dcm_is_neither_an_image_nor_dicom():
    with pytest.raises(ImageError, match="neither a known image format nor a DICOM image"):
        load_bytes(b"Patient list, ward 3\nnot an image at all\n" * 20, "notes.dcm")


@pytest.mark.parametrize("implicit", [True, False])
def test_dicom_without_preamble_or_file_meta_decodes(implicit):
    """A data set written alone (no 128-byte preamble, no DICM, no file meta): read as DICOM for its name."""
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_dataset

    data = make_dicom(ramp())
    fp = DicomBytesIO()
    fp.is_little_endian, fp.is_implicit_VR = True, implicit
    write_dataset(fp, pydicom.dcmread(io.BytesIO(data)))
    assert (load_bytes(fp.getvalue(), "x.dcm") == load_bytes(data, "x.dcm")).all()
    assert (load_bytes(data[132:], "x.dcm") == load_bytes(data, "x.dcm")).all()  # file meta but no preamble


def test_truncated_uncompressed_dicom_does_not_blame_compression():
    data = make_dicom(ramp())
    with pytest.raises(ImageError, match="less than expected") as e:
        load_bytes(data[:-3000], "x.dcm")
    assert "compressed" not in str(e.value) and "\n" not in str(e.value)


def test_undecodable_compressed_dicom_names_the_decoders():
    from pydicom.encaps import encapsulate
    from pydicom.uid import JPEG2000Lossless

    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp())))
    ds.file_meta.TransferSyntaxUID = JPEG2000Lossless
    ds.PixelData = encapsulate([b"\xff\x4f\xff\x51 not a codestream" * 4])
    ds["PixelData"].VR = "OB"
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    with pytest.raises(ImageError, match="compressed DICOM may need pylibjpeg or gdcm"):
        load_bytes(buf.getvalue(), "x.dcm")


def whole_image_reference(data: bytes) -> np.ndarray:
    """edge.dicom's pipeline up to 0.12: pydicom's LUTs and the min..max map over the whole image in float64."""
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    ds = pydicom.dcmread(io.BytesIO(data))
    a = np.asarray(apply_voi_lut(apply_modality_lut(ds.pixel_array, ds), ds, index=0), dtype=np.float64)
    lo, hi = float(a.min()), float(a.max())
    g = (a - lo) / (hi - lo) * 255.0
    return np.round(255.0 - g if ds.PhotometricInterpretation == "MONOCHROME1" else g).astype(np.uint8)


@pytest.mark.parametrize("case", ["plain", "window", "rescale+window", "monochrome1", "exact", "voi lut", "signed"])
def test_mapping_by_stored_value_gives_the_whole_image_bytes(case, monkeypatch):
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    import edge.wide_pixels as pre

    monkeypatch.setattr(pre, "ROWS_AT_ONCE", 300)  # many blocks of rows
    rng = np.random.default_rng(11)
    pixels = np.clip(ramp(70, 90) + rng.normal(0, 40, (70, 90)), 5, 4000).astype(np.uint16)
    data = {"plain": make_dicom(pixels, bits=12), "window": make_dicom(pixels, window=(1800.5, 1333), bits=12),
            "rescale+window": make_dicom(pixels, slope=1.7, intercept=-1024, window=(900, 2500), bits=12),
            "monochrome1": make_dicom(pixels, photometric="MONOCHROME1", window=(2000, 3001), bits=12)}.get(case)
    if case == "exact":
        data = resave(make_dicom(pixels, window=(2000.25, 0.75), bits=12), VOILUTFunction="LINEAR_EXACT")
    if case == "voi lut":  # not monotone: the range comes from the values present
        lut = Dataset()
        lut.add_new(0x00283002, "US", [4096, 0, 16])
        lut.add_new(0x00283006, "US", [int(v) for v in np.sin(np.arange(4096) / 300.0) * 20000 + 30000])
        data = resave(make_dicom(pixels, bits=12), VOILUTSequence=Sequence([lut]), RescaleSlope=None,
                      RescaleIntercept=None)
    if case == "signed":
        data = resave(make_dicom(pixels, bits=12), PixelRepresentation=1, PixelData=(pixels.astype(np.int16) - 2048)
                      .tobytes())
    assert load_bytes(data, "x.dcm").tobytes() == whole_image_reference(data).tobytes()


@pytest.mark.parametrize("slope, intercept", [(1.0, 0.0), (0.5, 0.25), (1.7, -100.0)])
def test_a_voi_lut_after_a_rescale_is_applied_without_pydicoms_float_warning(slope, intercept):
    """DX exports often carry both a rescale (slope 1, intercept 0) and a VOI LUT Sequence: pydicom
    warned on every such file that a float input 'may give incorrect results'. Whole values or not,
    the grey levels are pydicom's own."""
    import warnings

    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    lut = Dataset()
    lut.add_new(0x00283002, "US", [4096, 0, 16])
    lut.add_new(0x00283006, "US", [int(v) for v in np.sqrt(np.arange(4096)) * 1000])
    pixels = np.clip(ramp(70, 90), 5, 4000).astype(np.uint16)
    data = resave(make_dicom(pixels, slope=slope, intercept=intercept, bits=12), VOILUTSequence=Sequence([lut]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = load_bytes(data, "x.dcm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert got.tobytes() == whole_image_reference(data).tobytes()  # pydicom on the floats: the same bytes


@pytest.mark.parametrize("slope", ["0", "", "x1"])
def test_a_rescale_that_is_no_number_or_blanks_the_film_counts_as_none(slope):
    want = load_bytes(make_dicom(ramp()), "x.dcm")
    data = make_dicom(ramp(), slope=1.25, intercept=0.0)
    assert data.count(b"1.25") == 1
    odd = data.replace(b"1.25", slope.encode().ljust(4)) if slope else resave(data, RescaleSlope="")
    assert (load_bytes(odd, "x.dcm") == want).all()


def test_a_multi_frame_film_decodes_its_first_frame_only():
    """Only the first frame is classified, so only it is decoded: 40 compressed frames of a 4096^2
    film needed 1.5 GB when every frame was (a few MB of RLE can hold them), and a damaged later
    frame stopped a film whose first frame is whole."""
    from pydicom.encaps import encapsulate, generate_frames
    from pydicom.uid import RLELossless

    frames = np.stack([ramp(), np.full((64, 80), 7, np.uint16), np.full((64, 80), 9, np.uint16)])
    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp())), force=True)
    ds.NumberOfFrames = 3
    ds.compress(RLELossless, frames)
    parts = list(generate_frames(ds.PixelData, number_of_frames=3))
    ds.PixelData = encapsulate([parts[0], parts[1], b"\x01\x00\x00\x00" + b"\xff" * 60])  # frame 3: a broken RLE header
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    with pytest.raises(Exception):
        _ = pydicom.dcmread(io.BytesIO(buf.getvalue())).pixel_array  # decoding every frame fails on the third
    np.testing.assert_array_equal(load_bytes(buf.getvalue(), "film.dcm"), load_bytes(make_dicom(ramp()), "one.dcm"))
