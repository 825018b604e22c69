"""edge.preprocess: every image mode decodes, aspect is kept, intensity shifts cancel out."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from PIL import Image

from edge.borders_contrast import equalize, trim_uniform_borders
from edge.preprocess import ImageError, PreprocessConfig, load_bytes, preprocess_file, preprocess_gray


def chest_like(w: int = 160, h: int = 120) -> np.ndarray:
    """A smooth deterministic grayscale pattern with structure in both directions."""
    yy, xx = np.mgrid[0:h, 0:w]
    img = 128 + 60 * np.sin(xx / 9.0) * np.cos(yy / 13.0) + 40 * (xx / w) - 20 * (yy / h)
    return np.clip(img, 0, 255).astype(np.uint8)


def encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA", "P", "LA", "I;16", "CMYK-JPEG", "JPEG-L", "I"])
def test_every_mode_decodes_to_the_same_grayscale(mode):
    gray = chest_like()
    base = Image.fromarray(gray)
    if mode == "I;16":  # a 16-bit grayscale PNG, full range
        data = encode(Image.fromarray(gray.astype(np.uint16) * 257))
    elif mode == "I":  # 32-bit integer TIFF, 12-bit values as some detectors write them
        data = encode(Image.fromarray(gray.astype(np.int32) * 16), "TIFF")
    elif mode == "CMYK-JPEG":
        data = encode(base.convert("RGB").convert("CMYK"), "JPEG", quality=95)
    elif mode == "JPEG-L":
        data = encode(base, "JPEG", quality=95)
    elif mode == "P":
        data = encode(base.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=256))
    elif mode == "RGBA":
        rgba = base.convert("RGBA")
        rgba.putalpha(255)
        data = encode(rgba)
    else:
        data = encode(base.convert(mode))
    out = load_bytes(data)
    assert out.dtype == np.uint8 and out.shape == gray.shape
    if mode in ("I;16", "I"):  # wide images are stretched linearly from their min..max
        gray = np.round((gray - gray.min()) / (gray.max() - gray.min()) * 255).astype(np.uint8)
    tolerance = 12 if "JPEG" in mode or mode == "P" else 1
    assert np.abs(out.astype(int) - gray).mean() < tolerance


def test_rgba_transparency_composites_onto_black():
    rgba = np.zeros((64, 64, 4), np.uint8)
    rgba[..., :3] = 200
    rgba[:, :32, 3] = 255  # left half opaque, right half transparent
    out = load_bytes(encode(Image.fromarray(rgba, "RGBA")))
    assert out[:, :32].min() >= 199 and out[:, 32:].max() == 0


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_exif_orientation_is_applied_as_a_viewer_would(fmt):
    """A film stored sideways with an EXIF 'rotate 90 CW' tag is read upright, as the user sees it."""
    upright = chest_like(160, 120)
    stored = Image.fromarray(np.ascontiguousarray(np.rot90(upright, k=1)))  # what the camera wrote
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the viewer rotates the stored pixels 90 degrees clockwise
    kw = {"quality": 95} if fmt == "JPEG" else {}
    out = load_bytes(encode(stored, fmt, exif=exif.tobytes(), **kw))
    assert out.shape == upright.shape
    assert np.abs(out.astype(int) - upright).mean() < (12 if fmt == "JPEG" else 1)
    untagged = load_bytes(encode(stored, fmt, **kw))
    assert untagged.shape == stored.size[::-1]  # without the tag nothing turns


def test_aspect_ratio_is_kept_by_padding():
    wide = chest_like(200, 100)
    x = preprocess_gray(wide, PreprocessConfig(size=64, trim_borders=False))
    assert x.shape == (64, 64, 1)
    rows = np.flatnonzero(x[..., 0].max(axis=1) > 0)
    assert 30 <= len(rows) <= 34  # content 32 rows high, centred, zero padding above and below
    assert x[:15, :, 0].max() == 0 and x[-15:, :, 0].max() == 0


def test_squash_mode_fills_the_square():
    x = preprocess_gray(chest_like(200, 100), PreprocessConfig(size=64, resize="squash", trim_borders=False))
    assert (x[..., 0].max(axis=1) > 0).all()


def test_three_channels_repeat_gray():
    x = preprocess_gray(chest_like(), PreprocessConfig(size=32, channels=3))
    assert x.shape == (32, 32, 3)
    assert (x[..., 0] == x[..., 1]).all() and (x[..., 1] == x[..., 2]).all()


def test_equalization_cancels_monotone_intensity_changes():
    gray = chest_like()
    gamma = np.clip(255 * (gray / 255.0) ** 1.6, 0, 255).astype(np.uint8)
    cfg = PreprocessConfig(size=64, trim_borders=False)
    a, b = preprocess_gray(gray, cfg).astype(int), preprocess_gray(gamma, cfg).astype(int)
    raw = PreprocessConfig(size=64, trim_borders=False, normalize="none")
    ra, rb = preprocess_gray(gray, raw).astype(int), preprocess_gray(gamma, raw).astype(int)
    assert np.abs(a - b).mean() < 0.25 * np.abs(ra - rb).mean()


def test_equalize_constant_image_is_mid_grey():
    assert (equalize(np.full((8, 8), 7, np.uint8)) == 128).all()
    eq = equalize(chest_like())
    assert eq.min() == 0 and eq.max() == 255


def test_trim_removes_flat_borders_but_not_content():
    gray = chest_like(100, 100)
    framed = np.zeros((140, 130), np.uint8)
    framed[20:120, 10:110] = gray
    trimmed = trim_uniform_borders(framed)
    assert trimmed.shape == (100, 100)
    assert (trimmed == gray).all()
    dark = np.zeros((100, 100), np.uint8)
    assert trim_uniform_borders(dark).shape[0] >= 50  # never trims a flat image away


def test_preprocess_file_is_deterministic(tmp_path):
    p = tmp_path / "x.png"
    Image.fromarray(chest_like()).save(p)
    a, b = preprocess_file(p), preprocess_file(p)
    assert a.dtype == np.uint8 and a.shape == (128, 128, 1)
    assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"hello, I am not an image\n", "not a readable image"),
])
def test_bad_bytes_give_clear_errors(data, reason):
    with pytest.raises(ImageError, match=reason):
        load_bytes(data, "x.png")


def test_truncated_png_is_an_image_error():
    data = encode(Image.fromarray(chest_like(400, 400)))
    with pytest.raises(ImageError, match="corrupt|truncated|not a readable"):
        load_bytes(data[: len(data) // 2])


def test_tiny_image_is_refused():
    with pytest.raises(ImageError, match="at least"):
        load_bytes(encode(Image.new("L", (1, 1))))


def test_config_validation_and_round_trip():
    cfg = PreprocessConfig(size=96, channels=3, resize="squash")
    assert PreprocessConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError):
        PreprocessConfig(channels=2)
    with pytest.raises(ValueError):
        PreprocessConfig(resize="stretch")


def float_tiff(a: np.ndarray) -> bytes:
    return encode(Image.fromarray(a.astype(np.float32)), "TIFF")


@pytest.mark.parametrize("fill", [np.nan, np.inf, -np.inf])
def test_an_image_without_a_finite_pixel_is_refused(fill):
    with pytest.raises(ImageError, match="no finite pixel values"):
        load_bytes(float_tiff(np.full((48, 64), fill)), "x.tif")


@pytest.mark.parametrize("value,grey", [(np.inf, 255), (-np.inf, 0), (np.nan, 0)])
def test_a_non_finite_pixel_maps_to_an_end_of_the_range_without_warnings(value, grey):
    clean = np.tile(np.linspace(-5, 7, 64), (48, 1))
    odd = clean.copy()
    odd[10, 10] = value
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's RuntimeWarnings ("All-NaN slice", "invalid value") are errors here
        got, want = load_bytes(float_tiff(odd), "x.tif"), load_bytes(float_tiff(clean), "x.tif")
    others = np.ones(got.shape, bool)
    others[10, 10] = False
    assert got[10, 10] == grey and (got[others] == want[others]).all()


def old_wide_to_uint8(a: np.ndarray) -> np.ndarray:
    """edge.preprocess's mapping of 16-bit, 32-bit and float images up to 0.12 (whole-array float64)."""
    a = a.astype(np.float64)
    lo, hi = float(np.nanmin(a)), float(np.nanmax(a))
    return np.round((a - lo) / (hi - lo) * 255.0).astype(np.uint8)


@pytest.mark.parametrize("kind", ["I;16", "I;16B", "I", "F"])
def test_wide_images_map_a_block_at_a_time_to_the_same_bytes(kind, monkeypatch):
    import edge.wide_pixels as pre

    monkeypatch.setattr(pre, "ROWS_AT_ONCE", 500)  # blocks of 2 rows of 250 px: many blocks, a short last one
    rng = np.random.default_rng(5)
    values = rng.normal(30000, 9000, (101, 250)).clip(1, 65000)
    array = {"I;16": values.astype(np.uint16), "I;16B": values.astype(">u2"), "I": values.astype(np.int32) - 40000,
             "F": (values / 7.3 - 11.1).astype(np.float32)}[kind]
    img = Image.fromarray(array) if kind != "I;16B" else Image.frombytes("I;16B", (250, 101), array.tobytes())
    fmt = "TIFF" if kind in ("I", "F", "I;16B") else "PNG"
    got = load_bytes(encode(img, fmt), f"x.{fmt.lower()}")
    assert got.tobytes() == old_wide_to_uint8(np.asarray(img)).tobytes()




def test_a_macos_appledouble_file_is_named_for_what_it_is():
    """A `find -name '*.png'` on a stick written by a Mac also lists ._NAME.png: 4 KiB of Finder metadata."""
    from edge.preprocess import ImageError, decode_bytes

    apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + bytes(4070)
    with pytest.raises(ImageError, match=r"not an image: a macOS metadata file \(AppleDouble, a \._ name\)"):
        decode_bytes(apple_double)
    with pytest.raises(ImageError, match="not a readable image"):
        decode_bytes(b"just some text, not an image")


def _png(a: np.ndarray, mode: str | None = None) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(a, mode).save(buf, format="PNG")
    return buf.getvalue()


def test_a_blank_image_is_refused_not_labelled():
    """equalize() turns a film of one grey level into mid-grey, and the model answered COVID 0.74 to
    0.96 on such films: a fully transparent PNG (black once composited), a blank first page."""
    with pytest.raises(ImageError, match="blank image: 100% of its pixels are one grey level"):
        load_bytes(_png(np.full((300, 256), 255, np.uint8)))
    clear = np.zeros((64, 64, 4), np.uint8)
    clear[..., :3] = np.random.default_rng(0).integers(0, 256, (64, 64, 3))  # pixels, all fully transparent
    with pytest.raises(ImageError, match="blank image"):
        load_bytes(_png(clear, "RGBA"))
    mostly = np.zeros((100, 100), np.uint8)
    mostly[0, :90] = 200  # 99.1% black
    with pytest.raises(ImageError, match=r"blank image: 99\.1% of its pixels"):
        load_bytes(_png(mostly))
    mostly[:2] = np.linspace(20, 220, 100).astype(np.uint8)  # 98% black, 2% a line of many levels: thin strokes
    with pytest.raises(ImageError, match=r"^nearly blank: .* the rest is thin strokes"):
        load_bytes(_png(mostly))
    mostly[:2] = 0
    mostly[-15:, -20:] = np.linspace(20, 220, 20).astype(np.uint8)  # 97% black, 3% a solid patch: a film, however odd
    assert load_bytes(_png(mostly)).shape == (100, 100)
    mostly[-15:, -20:] = 200  # 3% of one level: a box on a blank (edge.box_on_blank, tests/test_box_on_blank.py)
    with pytest.raises(ImageError, match=r"^nearly blank: "):
        load_bytes(_png(mostly))


def _film(h: int = 256, w: int = 224) -> np.ndarray:
    """A smooth, film-like grey image (no flat rows, no blank)."""
    yy, xx = np.mgrid[0:h, 0:w]
    return (120 + 80 * np.sin(yy / 23.0) * np.cos(xx / 31.0) + np.random.default_rng(1).normal(0, 6, (h, w))
            ).clip(0, 255).astype(np.uint8)


def test_a_png_with_damaged_data_is_refused():
    """Pillow decoded it into noise below the damage, and the model labelled it."""
    data = bytearray(_png(_film()))
    at = data.index(b"IDAT") + 200
    data[at:at + 16] = bytes(16)
    with pytest.raises(ImageError, match=r"corrupt or truncated image \(broken PNG file \(bad header checksum"):
        load_bytes(bytes(data))


def test_a_baseline_jpeg_cut_short_and_closed_is_refused():
    """Cut at half and given an end marker, it decodes without an error: its lower half is the decoder's
    grey 128, and a Normal film so cut was labelled COVID 0.98."""
    buf = io.BytesIO()
    Image.fromarray(_film()).save(buf, format="JPEG", quality=90)
    whole = buf.getvalue()
    assert load_bytes(whole).shape == (256, 224)
    with pytest.raises(ImageError, match="truncated JPEG: its last rows are exactly grey 128"):
        load_bytes(whole[: len(whole) // 2] + b"\xff\xd9")
    buf = io.BytesIO()
    Image.fromarray(_film()).save(buf, format="JPEG", quality=90, progressive=True)
    cut = buf.getvalue()[: len(buf.getvalue()) * 2 // 3] + b"\xff\xd9"  # a progressive file cut so is only softer
    assert load_bytes(cut).shape == (256, 224)


def test_a_16_bit_min_is_white_tiff_is_inverted_as_an_8_bit_one_is():
    wide = Image.fromarray((_film().astype(np.uint16) * 257)).convert("I;16")
    decoded = {}
    for photometric in (0, 1):  # 0: MinIsWhite, 1: MinIsBlack
        buf = io.BytesIO()
        wide.save(buf, format="TIFF", tiffinfo={262: photometric})
        decoded[photometric] = load_bytes(buf.getvalue()).astype(int)
    assert np.abs(decoded[0] - (255 - decoded[1])).max() <= 1 and decoded[1].std() > 20  # rounding of halves


def test_a_transparent_colour_is_laid_on_black_in_every_mode():
    """A palette PNG's transparent index went to black and a grey PNG's transparent grey stayed white:
    one picture gave other pixels as it was stored."""
    film = _film()
    film[:40] = 255  # a band the file declares transparent
    grey, palette = io.BytesIO(), io.BytesIO()
    Image.fromarray(film).save(grey, format="PNG", transparency=255)
    p = Image.fromarray(film).convert("P")
    p.save(palette, format="PNG", transparency=p.getpixel((0, 0)))
    a, b = load_bytes(grey.getvalue()), load_bytes(palette.getvalue())
    assert (a[:40] == 0).all() and (b[:40] == 0).all()
    assert np.abs(a[40:].astype(int) - b[40:].astype(int)).max() <= 1


def test_a_strip_too_narrow_is_refused_from_its_header(monkeypatch):
    """A 1x50,000,000 PNG was decoded (200 MB) before its width refused it."""
    from PIL import PngImagePlugin

    buf = io.BytesIO()
    Image.new("L", (20_000, 8), 0).save(buf, format="PNG")

    def decoded(self):
        raise AssertionError("decoded")

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", decoded)  # the header alone must say it
    with pytest.raises(ImageError, match="image is 20000x8 pixels; at least 32 px per side"):
        load_bytes(buf.getvalue())


def test_one_outlying_pixel_does_not_take_a_16_bit_films_grey_levels():
    """One pixel at 65535 in a 12-bit film mapped 0..65535 to 0..255: the film kept 17 grey levels."""
    film = (_film().astype(np.uint16) * 16)  # 12-bit values, 0..4080
    buf = io.BytesIO()
    Image.fromarray(film).save(buf, format="PNG")
    plain = load_bytes(buf.getvalue())
    expected = np.round((film - film.min()) / (film.max() - film.min()) * 255.0).astype(np.uint8)
    assert (plain == expected).all()  # no outlier: min to max, as always
    film[5, 5] = 65535
    buf = io.BytesIO()
    Image.fromarray(film).save(buf, format="PNG")
    hot = load_bytes(buf.getvalue())
    assert len(np.unique(hot)) > 0.8 * len(np.unique(plain)) and hot[5, 5] == 255  # it had 17
    assert np.abs(equalize(hot).astype(int) - equalize(plain).astype(int)).mean() < 2  # as the model sees them


def _png16(values: np.ndarray, colour_type: int) -> bytes:
    """A 16-bit PNG written by hand (Pillow writes no 16-bit colour PNG): values (H, W, channels)."""
    import struct
    import zlib

    h, w = values.shape[:2]
    raw = b"".join(b"\x00" + values[y].astype(">u2").tobytes() for y in range(h))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", w, h, 16, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("colour_type,channels", [(2, 3), (4, 2), (6, 4)])
def test_a_16_bit_colour_png_with_low_values_is_refused_not_posterised(colour_type, channels):
    """Pillow keeps only the top byte of a 16-bit colour PNG: a 12-bit film stored so was read in 16
    grey levels and labelled; one that fills the 16 bits is read as its top byte, as a viewer shows it."""
    film = _film().astype(np.uint16)
    opaque = np.full_like(film, 65535)

    def stored(grey: np.ndarray) -> bytes:
        planes = {3: [grey] * 3, 2: [grey, opaque], 4: [grey] * 3 + [opaque]}[channels]
        return _png16(np.stack(planes, -1), colour_type)
    with pytest.raises(ImageError, match=r"16-bit colour PNG .* leaves 1[0-6] grey levels of the film"):
        load_bytes(stored(film * 16))  # 12-bit values: 0..4080
    with pytest.raises(ImageError, match=r"16-bit colour PNG .* leaves 1 grey level of the film"):  # not 'level(s)'
        load_bytes(stored(film // 16))  # values 0..15: one top byte
    full = load_bytes(stored(film * 257))
    assert np.array_equal(full, _film())


def test_preprocess_resamples_bilinearly_and_rounds_the_short_side():
    """The one preprocessing function resamples bilinearly and rounds the short side (nearest resampling or truncation moved both the workstation and the device, so no comparison of the two could see it)."""
    from edge.preprocess import PreprocessConfig, preprocess_gray
    step = np.zeros((40, 40), np.uint8)
    step[:, 20:] = 200
    step[:, 19] = 100  # no flat border to trim
    out = preprocess_gray(step, PreprocessConfig(size=64, normalize="none", trim_borders=False))[:, :, 0]
    assert len(np.unique(out[32])) > 3  # bilinear blends the edge; nearest keeps 3 levels
    thin = np.tile(np.arange(100, dtype=np.uint8), (3, 1))  # 3 x 100 at 64: 1.92 rows -> 2
    out = preprocess_gray(thin, PreprocessConfig(size=64, normalize="none", trim_borders=False))[:, :, 0]
    assert (out.max(axis=1) > 0).sum() == 2


def test_a_border_row_varying_by_exactly_the_tolerance_is_flat_and_one_more_is_content():
    """Rows whose values span at most 6 grey levels are a flat border (scanner noise on a black frame); 7 is content."""
    gray = chest_like(100, 100)
    framed = np.zeros((120, 100), np.uint8)
    framed[10:110] = gray
    framed[:10, ::2] = 6  # the top band spans 0..6: flat
    framed[110:, ::2] = 7  # the bottom band spans 0..7: kept
    assert trim_uniform_borders(framed, tolerance=6).shape == (110, 100)


def sideways_png() -> tuple[np.ndarray, bytes]:
    """A film stored turned, with the EXIF tag that turns it upright (as test_exif_orientation...)."""
    upright = chest_like(160, 120)
    exif = Image.Exif()
    exif[0x0112] = 6
    return upright, encode(Image.fromarray(np.ascontiguousarray(np.rot90(upright, k=1))), exif=exif.tobytes())


def test_a_turn_that_runs_out_of_memory_is_out_of_memory_not_a_sideways_film(monkeypatch):
    """The EXIF turn copies the whole image: a MemoryError there was taken for a damaged EXIF block, and the film
    was classified (and trained on) lying on its side, exit 0; it is the retried OUT_OF_MEMORY of every other step."""
    from edge.memory import OUT_OF_MEMORY

    _, data = sideways_png()

    def no_room(self, method):
        raise MemoryError()

    monkeypatch.setattr(Image.Image, "transpose", no_room)
    with pytest.raises(ImageError, match=f"^{OUT_OF_MEMORY}$"):
        load_bytes(data)


def test_a_fault_in_reading_the_orientation_is_not_taken_for_a_damaged_exif_block(monkeypatch):
    """Only what Pillow raises for a bad EXIF block is ignored: a KeyError there (a bug, or a Pillow the code
    does not fit) gave the film back unturned, without a word."""
    _, data = sideways_png()

    def broken(self):
        raise KeyError("x")

    monkeypatch.setattr(Image.Image, "getexif", broken)
    with pytest.raises(KeyError):
        load_bytes(data)


def test_a_damaged_exif_block_is_still_ignored():
    """A PNG whose eXIf chunk is no TIFF structure (Pillow: SyntaxError) decodes as stored, not refused."""
    upright, _ = sideways_png()
    out = load_bytes(encode(Image.fromarray(upright), exif=b"XXXX\x00\x00garbage-not-a-tiff"))
    assert out.shape == upright.shape and np.abs(out.astype(int) - upright).mean() < 1


def test_an_error_no_decoder_gives_keeps_its_type_and_is_no_corrupt_film(monkeypatch, tmp_path):
    """A TypeError in our own decoding steps (or from a Pillow or NumPy the device has that the code does not fit)
    was 'corrupt or truncated image (...)' without its type: every film called damaged. It goes on with its type,
    and edge-classify's batch says 'cannot decode (TypeError: ...)'; a damaged film is still 'corrupt'."""
    import edge.image_decode
    from edge.batch import decode

    data = encode(Image.fromarray(chest_like()))

    def levels(data, gray, counts=None):
        raise TypeError("object of type 'NoneType' has no len()")

    monkeypatch.setattr(edge.image_decode, "top_byte_levels", levels)  # edge.pillow_misreads', looked up in edge.image_decode
    with pytest.raises(TypeError):
        load_bytes(data)
    (tmp_path / "a.png").write_bytes(data)
    said = decode(str(tmp_path / "a.png"), PreprocessConfig(size=32))
    assert said == "cannot decode (TypeError: object of type 'NoneType' has no len())", said
    monkeypatch.undo()
    with pytest.raises(ImageError, match="^corrupt or truncated image"):  # a decoder's error: the film's fault
        load_bytes(data[: len(data) // 2])
