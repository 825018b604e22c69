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


def test_a_presentation_lut_shape_of_inverse_inverts_once():
    """MONOCHROME2 with Presentation LUT Shape INVERSE is shown inverted by viewers and was read as it is
    stored (bone black); MONOCHROME1 with INVERSE, as the DX module pairs them, is inverted once, not twice."""
    def shaped(photometric: str, shape: str) -> np.ndarray:
        ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp(), photometric=photometric)))
        ds.PresentationLUTShape = shape
        buf = io.BytesIO()
        pydicom.dcmwrite(buf, ds, enforce_file_format=True)
        return load_bytes(buf.getvalue(), "p.dcm").astype(int)
    upright, inverted = shaped("MONOCHROME2", "IDENTITY"), shaped("MONOCHROME1", "IDENTITY")
    assert (upright + inverted == 255).all() and upright[:, -1].min() == 255
    assert np.array_equal(shaped("MONOCHROME2", "INVERSE"), inverted)
    assert np.array_equal(shaped("MONOCHROME1", "INVERSE"), inverted)


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


def compressed(uid, fragments: list[bytes], **attributes) -> bytes:
    """make_dicom(ramp())'s file with its pixels replaced by these encapsulated ``fragments`` of ``uid``."""
    from pydicom.encaps import encapsulate

    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp())))
    ds.file_meta.TransferSyntaxUID = uid
    for name, value in attributes.items():
        setattr(ds, name, value)
    ds.PixelData = encapsulate(fragments)
    ds["PixelData"].VR = "OB"
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


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


def test_a_window_of_width_one_is_taken_for_none_not_a_black_and_white_film():
    """DICOM allows a LINEAR window of width 1 (a threshold at its centre). Applied (as up to 0.48), the
    film was two grey levels, a silhouette the model labelled all the same; since session 65 a window
    that leaves fewer than 16 grey levels counts as none, as one that blanks the film does
    (edge.dicom_luts.FEW_LEVELS): the film keeps its whole ramp."""
    g = load_bytes(make_dicom(ramp(), window=(2048, 1)), "x.dcm")
    assert np.array_equal(g, load_bytes(make_dicom(ramp()), "plain.dcm"))
    assert len(np.unique(g)) > 16 and (np.diff(g[0].astype(int)) >= 0).all()


def test_a_few_saturated_marker_pixels_do_not_squash_a_16_bit_film():
    """A burned-in marker at 65535 and a few dead pixels at 0 beside a body of 1000..2000: mapped from
    0..65535 the body became 7 grey levels (a ruined film labelled without a word). The outliers are
    clipped: the body keeps its grey levels, as on the same film without them."""
    body = np.random.default_rng(0).integers(1000, 2001, size=(64, 80)).astype(np.uint16)
    marked = body.copy()
    marked[0, :3], marked[1, :3] = 65535, 0
    got = load_bytes(make_dicom(marked), "x.dcm")
    assert len(np.unique(got[2:])) >= 200
    assert abs(float(np.median(got[2:])) - 128) <= 8
    clean = load_bytes(make_dicom(body), "x.dcm")
    assert np.abs(got[2:].astype(int) - clean[2:].astype(int)).max() <= 3


def test_a_window_that_blanks_a_film_of_negative_slope_is_dropped_not_its_rescale():
    """Slope -1 (some CR/DX writers store the film inverted this way) and a window far outside the data:
    the window is dropped first, so the rescaled film is what is left. Dropping the rescale first gave
    the film inverted (bone black), with nothing to say so."""
    data = make_dicom(ramp(), slope=-1.0, intercept=4095.0, window=(100000, 10), bits=12)
    got = load_bytes(data, "x.dcm")
    assert got[:, 0].min() == 255 and got[:, -1].max() == 0  # bright where the rescaled value is high
    assert (got == load_bytes(make_dicom(ramp(), slope=-1.0, intercept=4095.0, bits=12), "x.dcm")).all()


def test_a_colour_dicom_is_the_mean_of_its_channels_not_its_red():
    """A colour secondary capture whose channels differ: grey is their mean (mapped to 0..255), as for a
    colour PNG; its red channel alone gave another film."""
    from pydicom.uid import ExplicitVRLittleEndian

    h, w = 64, 80
    red = np.tile(np.linspace(0, 255, w), (h, 1))
    green = np.tile(np.linspace(0, 255, h)[:, None], (1, w))
    rgb = np.stack([red, green, np.zeros((h, w))], axis=-1).round().astype(np.uint8)
    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp())))
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"  # secondary capture
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    del ds.RescaleSlope, ds.RescaleIntercept
    ds.PixelData = rgb.tobytes()
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    mean = rgb.astype(np.float64).mean(axis=-1)
    want = np.round((mean - mean.min()) / (mean.max() - mean.min()) * 255)
    got = load_bytes(buf.getvalue(), "colour.dcm").astype(int)
    assert np.abs(got - want).max() <= 1


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
    with pytest.raises(ImageError, match=r"cannot decode DICOM \(its VOI LUT Sequence cannot be applied: '9' bits per LUT"):
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
    with pytest.raises(ImageError, match=r"^DICOM file ends inside its pixel data \(7,240 of its 10,240 bytes\): cut "
                                         r"short \(an interrupted copy\?\); copy it again$") as e:
        load_bytes(data[:-3000], "x.dcm")
    assert "compressed" not in str(e.value) and "\n" not in str(e.value)


def test_undecodable_compressed_dicom_names_the_decoders():
    from pydicom.pixels import get_decoder
    from pydicom.uid import JPEG2000Lossless

    data = compressed(JPEG2000Lossless, [b"\xff\x4f\xff\x51 not a codestream" * 4])
    with pytest.raises(ImageError, match=r"^cannot decode its compressed pixel data \(JPEG 2000 Image Compression "
                                         r"\(Lossless Only\)\): ") as e:
        load_bytes(data, "x.dcm")
    # the install hint only where no plugin for JPEG 2000 is installed; else the plugin's reason
    assert ("no decoder for it is installed" in str(e.value)) != get_decoder(JPEG2000Lossless).is_available


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
        # a width of 0.75 left 2 grey levels, now taken for no window (edge.dicom_luts.FEW_LEVELS); 30.75 leaves ~31
        data = resave(make_dicom(pixels, window=(2000.25, 30.75), bits=12), VOILUTFunction="LINEAR_EXACT")
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


def grey(data: bytes) -> np.ndarray:
    return load_bytes(data, "x.dcm").astype(int)


@pytest.mark.parametrize("signed, high_bit", [(False, 15), (True, 15), (True, 13)])
def test_stored_bits_above_bit_0_are_shifted_down(signed, high_bit):
    """High Bit 15 with Bits Stored 12: the 12 bits are the top of each word, and pydicom kept the low
    ones (stripes). High Bit 13: bits 14 and 15 are not the film's (overlays) and must not count."""
    pixels = np.clip(ramp(), 5, 4000).astype(np.int64)
    values = pixels - 2048 if signed else pixels
    want = make_dicom(pixels.astype(np.uint16), bits=12)
    shift = high_bit - 11
    words = (values << shift) & 0xFFFF
    if high_bit < 15:
        words[::3] |= 0xC000  # set bits above High Bit
    if signed:
        want = resave(want, PixelRepresentation=1, PixelData=values.astype(np.int16).tobytes())
    odd = resave(make_dicom(pixels.astype(np.uint16), bits=12), HighBit=high_bit, PixelRepresentation=int(signed),
                 PixelData=words.astype(np.uint16).tobytes())
    assert (grey(odd) == grey(want)).all()


def test_frames_without_number_of_frames_give_the_first_frame():
    """Three frames' pixels and no Number of Frames: pydicom returned (3, rows, cols), which was taken for
    a colour film of 3 rows."""
    frames = np.stack([ramp(), np.full((64, 80), 7, np.uint16), np.full((64, 80), 9, np.uint16)])
    data = resave(make_dicom(ramp()), PixelData=frames.tobytes())
    assert (grey(data) == grey(make_dicom(ramp()))).all()


def test_palette_color_is_mapped_through_its_palette():
    """Indices into a palette that reverses them: read as grey levels they gave the film inverted."""
    indices = (4095 - ramp()).astype(np.uint16)
    ds = pydicom.dcmread(io.BytesIO(make_dicom(indices, bits=12)))
    ds.PhotometricInterpretation = "PALETTE COLOR"
    del ds.RescaleSlope, ds.RescaleIntercept
    entries = ((4095 - np.arange(4096)) * 16).astype("<u2").tobytes()
    for descriptor, data in ((0x00281101, 0x00281201), (0x00281102, 0x00281202), (0x00281103, 0x00281203)):
        ds.add_new(descriptor, "US", [4096, 0, 16])  # Red, Green, Blue Palette Color LUT Descriptor and Data
        ds.add_new(data, "OW", entries)
    buf = io.BytesIO()
    ds.save_as(buf)
    data = buf.getvalue()
    assert np.abs(grey(data) - grey(make_dicom(ramp(), bits=12))).max() <= 1


def test_signed_pixels_with_a_voi_lut_whose_first_value_is_written_unsigned():
    """LUT Descriptor [4096, 63488, 16] in explicit VR (US): 63488 is -2048 for signed pixels. numpy 2
    refused to compare it with int16 values; numpy 1 mapped every pixel to the LUT's first entry."""
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    def with_lut(data: bytes, first: int) -> bytes:
        lut = Dataset()
        lut.add_new(0x00283002, "US", [4096, first, 16])
        lut.add_new(0x00283006, "OW", (np.sqrt(np.arange(4096) / 4095) * 65535).astype("<u2").tobytes())
        return resave(data, VOILUTSequence=Sequence([lut]), RescaleSlope=None, RescaleIntercept=None)

    pixels = np.clip(ramp(), 5, 4000).astype(np.uint16)
    unsigned = with_lut(make_dicom(pixels, bits=12), 0)
    signed = with_lut(resave(make_dicom(pixels, bits=12), PixelRepresentation=1,
                             PixelData=(pixels.astype(np.int16) - 2048).tobytes()), 63488)
    assert (grey(signed) == grey(unsigned)).all()
    assert len(np.unique(grey(signed))) > 50


def rle_film(rows: int, cols: int, samples: int, bits: int) -> bytes:
    """An RLE file whose header says rows x cols; its one frame is a bare RLE header (it is never decoded)."""
    from pydicom.encaps import encapsulate
    from pydicom.uid import RLELossless

    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp())))
    ds.file_meta.TransferSyntaxUID = RLELossless
    ds.Rows, ds.Columns, ds.SamplesPerPixel, ds.BitsAllocated, ds.BitsStored, ds.HighBit = (
        rows, cols, samples, bits, bits, bits - 1)
    if samples == 3:
        ds.PhotometricInterpretation, ds.PlanarConfiguration = "RGB", 1
    ds.PixelData = encapsulate([b"\x01\x00\x00\x00" + b"\x40\x00\x00\x00" + bytes(56) + b"\x00\x00"])
    ds["PixelData"].VR = "OB"
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def test_a_film_that_would_decode_past_the_byte_budget_is_refused_before_decoding():
    """7000x7000 is under the pixel limit, but 3 samples of 32 bits decode to 588 MB (1.24 GB peak)."""
    with pytest.raises(ImageError, match=r"^refused: its header says 7000 x 7000 pixels of 3 32-bit "
                                         r"samples, 588 MB once decoded, more than any film needs \(100 MB\)"):
        load_bytes(rle_film(7000, 7000, 3, 32), "bomb.dcm")


@pytest.mark.parametrize("fmt, uid", [("JPEG", "1.2.840.10008.1.2.4.50"), ("JPEG2000", "1.2.840.10008.1.2.4.90")])
def test_a_codestream_larger_than_its_header_is_refused_before_decoding(fmt, uid):
    """A 9000x9000 JPEG under a header of 256x256 was decoded whole (580 MB) before pydicom found the
    mismatch; its own frame header says its size."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (200, 120), 100).save(buf, fmt, **({"no_jp2": True} if fmt == "JPEG2000" else {}))
    out = compressed(uid, [buf.getvalue()], BitsAllocated=8, BitsStored=8, HighBit=7)
    with pytest.raises(ImageError, match=r"^refused: its compressed pixel data is 200x120 pixels, but its header says 80x64$"):
        load_bytes(out, "x.dcm")


def test_a_lossless_jpeg_2000_film_of_its_header_size_still_decodes():
    from PIL import Image
    from pydicom.uid import JPEG2000Lossless

    buf = io.BytesIO()
    Image.fromarray(ramp()).save(buf, "JPEG2000", irreversible=False, no_jp2=True)
    out = compressed(JPEG2000Lossless, [buf.getvalue()])
    assert (grey(out) == grey(make_dicom(ramp()))).all()


def test_by_dicom_attribute_reads_files_without_the_preamble(tmp_path):
    """edge decodes a .dcm without the 128-byte preamble; --by read its header without force=True, so such
    films were scored but never grouped."""
    from convert.group_values import group_values

    for name, view in (("a.dcm", "PA"), ("b.dcm", "AP")):
        (tmp_path / name).write_bytes(resave(make_dicom(ramp()), ViewPosition=view)[132:])  # no preamble, no DICM
    assert group_values(tmp_path, ["a.dcm", "b.dcm"], ["ViewPosition"]) == {"ViewPosition": ["PA", "AP"]}


@pytest.mark.parametrize("changes", [{"WindowCenter": 30000, "WindowWidth": 1000},
                                     {"WindowCenter": -5000, "WindowWidth": 100},
                                     {"RescaleSlope": "1e308"}])
def test_a_header_that_blanks_the_film_counts_as_none(changes):
    """A window wholly outside the stored values, or a slope that overflows to inf: a constant film was
    then labelled (with numpy's overflow warnings on stderr). The stored values are mapped instead."""
    import warnings

    data = resave(make_dicom(ramp(), bits=12), **changes)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = grey(data)
    assert (got == grey(make_dicom(ramp(), bits=12))).all()


def test_a_corrupt_jpeg_says_the_plugins_reason_not_an_install_hint():
    from pydicom.pixels import get_decoder
    from pydicom.uid import JPEGBaseline8Bit

    if not get_decoder(JPEGBaseline8Bit).is_available:
        pytest.skip("no JPEG decoder installed here")
    data = compressed(JPEGBaseline8Bit, [b"\xff\xd8\xff\xe0" + bytes(500)], BitsAllocated=8, BitsStored=8, HighBit=7)
    with pytest.raises(ImageError, match=r"^cannot decode its compressed pixel data \(JPEG Baseline \(Process 1\)\): "
                                         r"\w+: \w") as e:
        load_bytes(data, "x.dcm")
    assert "install" not in str(e.value) and " at 0x" not in str(e.value)


def test_a_transfer_syntax_without_an_installed_decoder_says_what_to_install():
    """The line relayed pydicom's 'gdcm - requires gdcm>=3.0.10': PyPI's gdcm is an unrelated package, and pip
    cannot install that requirement at all; the line gives pip commands with the names pip knows."""
    from pydicom.pixels import get_decoder
    from pydicom.uid import JPEGLSLossless

    if get_decoder(JPEGLSLossless).is_available:
        pytest.skip("a JPEG-LS decoder is installed here")
    data = compressed(JPEGLSLossless, [b"\xff\xd8\xff\xf7" + bytes(100)])
    with pytest.raises(ImageError, match=r"^cannot decode its compressed pixel data \(JPEG-LS Lossless Image "
                                         r"Compression\): no decoder for it is installed: \S+ -m pip install pylibjpeg "
                                         r"pylibjpeg-libjpeg \(or instead: ") as e:
        load_bytes(data, "x.dcm")
    assert "python-gdcm" in str(e.value) and "gdcm>=" not in str(e.value) and " gdcm" not in str(e.value)


def test_the_decoder_hint_names_what_pip_installs():
    """pydicom's requirement names, as pip must be given them: gdcm is python-gdcm on PyPI (PyPI's 'gdcm' is another
    package), numpy is no decoder, and pylibjpeg's plugin comes first, as README's DICOM lines say."""
    from edge.install_hint import decoder_hint

    hint = decoder_hint(["gdcm - requires gdcm>=3.0.10", "pylibjpeg - requires pylibjpeg>=2.0 and pylibjpeg-openjpeg>=2.0",
                         "pyjpegls - requires numpy and pyjpegls>=1.2"])
    assert hint.endswith(" -m pip install pylibjpeg pylibjpeg-openjpeg (or instead: python-gdcm; or pyjpegls)"), hint


def test_a_photometric_interpretation_of_two_values_is_refused_in_words(tmp_path):
    """MONOCHROME1\\ (a stray backslash: two values) failed as "unhashable type: 'MultiValue'", which reads as a bug
    of ours; it is the sender's header, said as such."""
    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp())))
    ds.PhotometricInterpretation = ["MONOCHROME1", ""]
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    with pytest.raises(ImageError) as e:
        load_bytes(buf.getvalue(), "x.dcm")
    assert str(e.value) == ("cannot decode DICOM pixel data (its Photometric Interpretation has 2 values, MONOCHROME1\\: "
                            "a film has one)")


def test_empty_pixel_data_says_so():
    data = make_dicom(ramp())
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.PixelData = b""
    buf = io.BytesIO()
    ds.save_as(buf)
    with pytest.raises(ImageError, match=r"^no pixel data"):
        load_bytes(buf.getvalue(), "x.dcm")


def test_pydicoms_warnings_do_not_reach_stderr(tmp_path):
    """An unknown character set and pixel data longer than the header says decode, with none of
    pydicom's warnings (source lines and all) printed."""
    import subprocess
    import sys

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom warns on writing the name too
        (tmp_path / "charset.dcm").write_bytes(resave(make_dicom(ramp()), SpecificCharacterSet="ISO_IR 999",
                                                      PatientName="M\xfcller"))
    (tmp_path / "excess.dcm").write_bytes(resave(make_dicom(ramp()), PixelData=ramp().tobytes() * 2))
    code = ("import sys; from edge.preprocess import load_bytes\n"
            "for f in sys.argv[1:]: assert load_bytes(open(f, 'rb').read(), f).shape == (64, 80)")
    run = subprocess.run([sys.executable, "-c", code, str(tmp_path / "charset.dcm"), str(tmp_path / "excess.dcm")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stderr == "", run.stderr


def deflated(data: bytes) -> bytes:
    """The same film written with the Deflated Explicit VR Little Endian transfer syntax."""
    from pydicom.uid import DeflatedExplicitVRLittleEndian

    ds = pydicom.dcmread(io.BytesIO(data))
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


def test_a_deflated_film_decodes_as_its_plain_copy():
    film = make_dicom(ramp())
    assert pydicom.dcmread(io.BytesIO(deflated(film))).file_meta.TransferSyntaxUID.name.startswith("Deflated")
    assert (grey(deflated(film)) == grey(film)).all()


def test_a_deflated_data_set_that_inflates_past_the_limit_is_refused_before_pydicom_inflates_it(monkeypatch, tmp_path):
    """pydicom inflates a Deflated data set whole before any header can be read: a 1 MB file of zeros took
    2.1 GB. Its inflated size is counted first (here against a limit lowered below this film's 10 kB),
    when it is decoded and when --by reads its header."""
    import edge.dicom_size
    from convert.group_values import _dicom_header

    monkeypatch.setattr(edge.dicom_size, "MAX_INFLATED_BYTES", 5000, raising=False)
    data = deflated(resave(make_dicom(ramp()), ViewPosition="PA"))
    with pytest.raises(ImageError, match=r"^refused: its Deflated data set inflates to more than 5000 bytes"):
        load_bytes(data, "x.dcm")
    (tmp_path / "x.dcm").write_bytes(data)
    calls = []
    monkeypatch.setattr(pydicom, "dcmread", lambda *a, **k: calls.append(a))
    said = _dicom_header(tmp_path / "x.dcm", ["ViewPosition"])  # why its header cannot be read, never {} (no value)
    assert said.startswith("refused: its Deflated data set inflates") and calls == []  # never handed to pydicom


def test_a_manifest_column_named_as_a_dicom_attribute_fills_in_for_headers_not_over_them(tmp_path):
    """A MANIFEST.csv column ViewPosition listing a site's PNG exports put every DICOM film it did not list, or
    left blank, in '(not given)', though their own headers said PA or AP."""
    from convert.group_values import group_values

    for name, view in (("a.dcm", "PA"), ("b.dcm", "AP"), ("c.dcm", "AP")):
        (tmp_path / name).write_bytes(resave(make_dicom(ramp()), ViewPosition=view, Manufacturer="Acme"))
    (tmp_path / "d.png").write_bytes(b"not read")
    (tmp_path / "MANIFEST.csv").write_text("file,ViewPosition\nc.dcm,LATERAL\nb.dcm,\nd.png,PA\n")
    got = group_values(tmp_path, ["a.dcm", "b.dcm", "c.dcm", "d.png"], ["ViewPosition"])
    assert got == {"ViewPosition": ["PA", "AP", "LATERAL", "PA"]}
    # c.dcm's header read for another column the manifest leaves blank must not then replace its ViewPosition
    (tmp_path / "MANIFEST.csv").write_text("file,ViewPosition,Manufacturer\nc.dcm,LATERAL,\n")
    got = group_values(tmp_path, ["a.dcm", "c.dcm"], ["ViewPosition", "Manufacturer"])
    assert got == {"ViewPosition": ["PA", "LATERAL"], "Manufacturer": ["Acme", "Acme"]}


def one_frame(*fragments: bytes) -> bytes:
    """Encapsulated pixel data of one frame in these fragments (pydicom's encapsulate makes a frame of each)."""
    import struct

    items = [struct.pack("<HHI", 0xFFFE, 0xE000, 0)]  # an empty Basic Offset Table
    for fragment in fragments:
        fragment += b"\x00" * (len(fragment) % 2)
        items.append(struct.pack("<HHI", 0xFFFE, 0xE000, len(fragment)) + fragment)
    return b"".join(items) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0)


def as_jpeg_dicom(pixel_data: bytes) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(compressed("1.2.840.10008.1.2.4.50", [b"\xff\xd8\xff\xd9"],
                                               BitsAllocated=8, BitsStored=8, HighBit=7)))
    ds.PixelData = pixel_data
    buf = io.BytesIO()
    ds.save_as(buf, enforce_file_format=True)
    return buf.getvalue()


@pytest.mark.parametrize("layout", ["comments before the frame header", "frame split after 16 bytes",
                                    "stray bytes between segments", "JPEG 2000 split after 8 bytes"])
def test_a_codestream_larger_than_its_header_is_refused_wherever_its_frame_header_lies(layout):
    """The frame header was looked for in the first fragment's first 64 kB only: 80 kB of comments before
    it, or a first fragment of 16 bytes, let a 9000x9000 JPEG under a 256x256 header decode (874 MB)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (200, 120), 100).save(buf, "JPEG")
    jpeg = buf.getvalue()
    if layout.startswith("comments"):
        comment = b"\xff\xfe" + (65533).to_bytes(2, "big") + b"x" * 65531
        out = as_jpeg_dicom(one_frame(jpeg[:2] + comment + comment + jpeg[2:]))
    elif layout.startswith("stray"):  # after APP0 (FFD8, then FFE0 and its length): decoders pass over them
        app0_end = 4 + int.from_bytes(jpeg[4:6], "big")
        out = as_jpeg_dicom(one_frame(jpeg[:app0_end] + b"\x00\x00\xff\x00" + jpeg[app0_end:]))
    elif layout.startswith("JPEG 2000"):
        buf = io.BytesIO()
        Image.new("L", (200, 120), 100).save(buf, "JPEG2000", no_jp2=True)
        j2k = buf.getvalue()
        out = compressed("1.2.840.10008.1.2.4.90", [j2k], BitsAllocated=8, BitsStored=8, HighBit=7)
        ds = pydicom.dcmread(io.BytesIO(out))
        ds.PixelData = one_frame(j2k[:8], j2k[8:])
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        out = buf.getvalue()
    else:
        out = as_jpeg_dicom(one_frame(jpeg[:16], jpeg[16:400], jpeg[400:]))
    with pytest.raises(ImageError, match=r"^refused: its compressed pixel data is 200x120 pixels, but its header says 80x64$"):
        load_bytes(out, "x.dcm")


def test_a_jpeg_film_split_into_fragments_of_its_header_size_still_decodes():
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray((ramp() >> 4).astype(np.uint8)).save(buf, "JPEG", quality=95)
    jpeg = buf.getvalue()
    whole, split = as_jpeg_dicom(one_frame(jpeg)), as_jpeg_dicom(one_frame(jpeg[:16], jpeg[16:]))
    assert (grey(split) == grey(whole)).all()
    assert grey(whole).std() > 10  # the ramp, not a blank film


def test_a_film_cut_short_in_its_header_or_of_float_pixels_is_said_as_such():
    """Both were 'holds no image (no PixelData)', which reads as a report or a presentation state: one is half a
    film to copy again, the other a film of Float Pixel Data."""
    data = resave(make_dicom(ramp()), StudyDescription="x" * 300)
    cut = data.index(b"x" * 300) + 100  # inside the header, before the pixels
    with pytest.raises(ImageError, match=r"^DICOM file ends inside its header, before any pixel data: cut short"):
        load_bytes(data[:cut], "x.dcm")
    ds = pydicom.dcmread(io.BytesIO(data))
    del ds.PixelData
    ds.FloatPixelData = ramp().astype(np.float32).tobytes()
    ds.BitsAllocated = 32
    buf = io.BytesIO()
    ds.save_as(buf)
    with pytest.raises(ImageError, match=r"floating-point image \(Float Pixel Data\), which cxr-edge does not read"):
        load_bytes(buf.getvalue(), "x.dcm")


def test_a_manifest_giving_every_film_a_value_reads_no_header(tmp_path, monkeypatch):
    """Filling in for the headers, the manifest column made every film's header be read, even where it gave each
    film a value (2,000 films: 2 s for nothing)."""
    import convert.group_values as gv

    for name in ("a.dcm", "b.dcm"):
        (tmp_path / name).write_bytes(resave(make_dicom(ramp()), ViewPosition="AP"))
    (tmp_path / "MANIFEST.csv").write_text("file,ViewPosition\na.dcm,PA\nb.dcm,\n")
    read = []
    real = gv._dicom_header
    monkeypatch.setattr(gv, "_dicom_header", lambda path, attrs: read.append(path.name) or real(path, attrs))
    assert gv.group_values(tmp_path, ["a.dcm", "b.dcm"], ["ViewPosition"]) == {"ViewPosition": ["PA", "AP"]}
    assert read == ["b.dcm"]


def with_header(data: bytes, **attributes) -> bytes:
    """A DICOM film's bytes with header attributes set (None: removed), as a PACS export may write them."""
    ds = pydicom.dcmread(io.BytesIO(data))
    for name, value in attributes.items():
        if value is None:
            delattr(ds, name) if name in ds else None
        elif name == "SOPClassUID":
            ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = value
        else:
            setattr(ds, name, value)
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


DX_FOR_PROCESSING = "1.2.840.10008.5.1.4.1.1.1.1.1"


@pytest.mark.parametrize("attributes, said", [
    ({"Modality": "CT"}, "Modality CT: not a radiograph"),
    ({"Modality": "MR"}, "Modality MR: not a radiograph"),
    ({"BodyPartExamined": "SKULL"}, "BodyPartExamined SKULL: not a chest film"),
    ({"BodyPartExamined": "abdomen"}, "BodyPartExamined ABDOMEN: not a chest film"),
    ({"BodyPartExamined": "L_SPINE"}, "BodyPartExamined L_SPINE: not a chest film"),
    ({"ViewPosition": "LL"}, "ViewPosition LL: a lateral film; the model was trained on frontal films"),
    ({"ViewPosition": "RL"}, "ViewPosition RL: a lateral film"),
    ({"ViewPosition": "LATERAL"}, "ViewPosition LATERAL: a lateral film"),
    ({"PresentationIntentType": "FOR PROCESSING"}, "PresentationIntentType FOR PROCESSING: raw detector data"),
    ({"SOPClassUID": DX_FOR_PROCESSING}, "a For Processing SOP class: raw detector data"),
    ({"SOPClassUID": "1.2.840.10008.5.1.4.1.1.1.2.1"}, "a For Processing SOP class"),  # mammography's
    ({"ViewPosition": "LAT"}, "ViewPosition LAT: a lateral film"),
    ({"ViewPosition": "RAO"}, "ViewPosition RAO: an oblique film; the model was trained on frontal films"),
    ({"ViewPosition": " LL"}, "ViewPosition LL: a lateral film"),  # a CS value's leading space means nothing
    ({"Modality": "CT\\MR"}, "Modality CT: not a radiograph"),  # written multi-valued: its first value
    # what a frontal chest film's header says, or nothing: never flagged
    ({}, None), ({"Modality": "CR"}, None), ({"Modality": "DX"}, None), ({"Modality": "OT"}, None),
    ({"Modality": "DR"}, None), ({"Modality": "RG"}, None), ({"Modality": "SC"}, None),
    ({"BodyPartExamined": "Brustkorb/Bauch"}, None),  # a chest word's longer form (BRUST...) keeps it a chest film
    ({"Modality": ""}, None), ({"Modality": None}, None),
    ({"BodyPartExamined": "CHEST"}, None), ({"BodyPartExamined": "thorax"}, None), ({"BodyPartExamined": "LUNG"}, None),
    ({"BodyPartExamined": "PORT CHEST"}, None), ({"BodyPartExamined": "CHEST_ABDOMEN"}, None),
    ({"BodyPartExamined": "ROUTINE"}, None), ({"BodyPartExamined": ""}, None),
    ({"ViewPosition": "PA"}, None), ({"ViewPosition": "AP"}, None), ({"ViewPosition": "LLD"}, None),
    ({"ViewPosition": ""}, None), ({"PresentationIntentType": "FOR PRESENTATION"}, None),
])
def test_a_header_that_says_no_frontal_chest_film_is_read_as_such(attributes, said, tmp_path):
    """A skull CT, an abdomen, a lateral or a For-Processing film from a PACS got a COVID/Normal answer like any
    chest film: the header was never read. What it plainly says flags the film; a chest spelling, a site's own word
    (ROUTINE), a decubitus view (frontal) or an attribute missing or empty never does."""
    from edge.dicom_view import film_header_says

    path = tmp_path / "IM000001"
    path.write_bytes(with_header(make_dicom(ramp()), **attributes))
    got = film_header_says(path)
    if said is None:
        assert got is None
    else:
        assert got is not None and got.startswith(f"the DICOM header says {said}"), got


def test_cxr_evaluate_and_cxr_trains_warning_names_the_films_the_header_flags(tmp_path):
    """cxr-evaluate scored, and cxr-train learnt from, a skull CT in a class folder without a word: the one warning
    both give names each such film and what its header says, and no other film."""
    from edge.dicom_view import headers_warning

    (tmp_path / "Normal").mkdir()
    (tmp_path / "Normal" / "IM1").write_bytes(with_header(make_dicom(ramp()), Modality="CT"))
    (tmp_path / "Normal" / "IM2").write_bytes(with_header(make_dicom(ramp()), ViewPosition="PA", BodyPartExamined="CHEST"))
    (tmp_path / "Normal" / "IM3").write_bytes(with_header(make_dicom(ramp()), ViewPosition="LL"))
    line = headers_warning(tmp_path, ["Normal/IM1", "Normal/IM2", "Normal/IM3"], "scored all the same")
    assert line == ("2 films whose DICOM header says they are no frontal chest radiograph (another modality or body "
                    "part, a lateral view, For Processing): Normal/IM1 (Modality CT), Normal/IM3 (ViewPosition LL); "
                    "they are scored all the same")
    assert headers_warning(tmp_path, ["Normal/IM2"], "scored all the same") is None


def test_the_header_warning_names_five_films_and_says_how_many_more(tmp_path):
    """A PACS folder of 7 lateral films: the warning names the first 5 and counts the rest, and is one line however
    many there are (a study of 200 CT slices named each)."""
    from edge.dicom_view import headers_warning

    lateral = with_header(make_dicom(ramp()), ViewPosition="LL")
    films = [f"IM{k}" for k in range(7)]
    for name in films:
        (tmp_path / name).write_bytes(lateral)
    line = headers_warning(tmp_path, films, "scored all the same")
    assert line.endswith(": IM0 (ViewPosition LL), IM1 (ViewPosition LL), IM2 (ViewPosition LL), IM3 (ViewPosition "
                         "LL), IM4 (ViewPosition LL), and 2 more; they are scored all the same"), line
    assert line.startswith("7 films whose DICOM header says"), line
    assert headers_warning(tmp_path, films[:5], "scored").endswith("IM4 (ViewPosition LL); they are scored")


def test_a_for_processing_film_is_known_by_its_file_meta_where_its_data_set_lacks_the_sop_class(tmp_path):
    """An export that drops SOPClassUID from the data set keeps it in the file meta (MediaStorageSOPClassUID): a DX
    For Processing film is raw detector data all the same."""
    from edge.dicom_view import film_header_says

    ds = pydicom.dcmread(io.BytesIO(make_dicom(ramp())))
    del ds.SOPClassUID
    ds.file_meta.MediaStorageSOPClassUID = DX_FOR_PROCESSING
    ds.save_as(tmp_path / "IM1", enforce_file_format=True)
    assert (film_header_says(tmp_path / "IM1") or "").startswith("the DICOM header says a For Processing SOP class")


def test_a_header_that_cannot_be_read_flags_nothing_and_stops_nothing(tmp_path):
    """A deflated data set whose compressed bytes are damaged (zlib.error, no ValueError): the header says nothing,
    so nothing is flagged, and the reader's error must not end cxr-train's, cxr-evaluate's or the device's batch
    (its decode says what is wrong with it)."""
    from edge.dicom_view import film_header_says, headers_warning

    data = deflated(with_header(make_dicom(ramp()), ViewPosition="LL"))
    meta_end = 144 + int.from_bytes(data[140:144], "little")  # preamble, DICM, group length element, the meta
    (tmp_path / "IM1").write_bytes(data[:meta_end] + b"\xff" * 50)
    assert film_header_says(tmp_path / "IM1") is None
    assert headers_warning(tmp_path, ["IM1"], "scored all the same") is None
