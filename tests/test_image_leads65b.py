"""Image-decoding leads left by helpers of session 65 (second round): a PNG's palette missing or short, headers that
claim sizes far beyond any film, DICOM films of 2 to 5 bits, and Pixel Padding Value under a negative Rescale Slope;
each refused with a line that says what is wrong and what to do, or decoded as viewers show it."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest

from PIL import Image

from edge.preprocess import ImageError, load_bytes
from tests.test_image_fuzzed import build, chunks, encode, film, grey_palette

pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")

from tests.test_dicom import make_dicom, ramp, resave  # noqa: E402
from tests.test_dicom_leads65 import padded_film  # noqa: E402


# DICOM films of 2 to 5 bits

@pytest.mark.parametrize("bits", [2, 4, 5])
@pytest.mark.parametrize("top", [None, 4095])  # values of that many bits; a 12-bit film under a wrong Bits Stored
def test_a_film_of_2_to_5_bits_is_refused_as_no_radiograph(bits, top):
    """pydicom keeps the low bits: a 12-bit film said to be 4-bit decoded to stripes of 16 levels, and was labelled."""
    data = make_dicom(ramp(top=(1 << bits) - 1 if top is None else top), bits=bits)
    with pytest.raises(ImageError, match=rf"^refused: its pixels are {bits}-bit \(Bits Stored {bits}\), at most "
                                         rf"{1 << bits} grey levels: no radiograph .* or correct Bits Stored$"):
        load_bytes(data, "x.dcm")


@pytest.mark.parametrize("bits", [6, 8])
def test_a_film_of_6_bits_or_more_decodes(bits):
    g = load_bytes(make_dicom(ramp(top=(1 << bits) - 1), bits=bits), "x.dcm")
    assert len(np.unique(g)) >= 2 ** min(bits, 6)


# Pixel Padding Value under a negative Rescale Slope

def with_slope(data: bytes, slope: float) -> bytes:
    ds = pydicom.dcmread(io.BytesIO(data))
    ds.RescaleSlope = slope
    buf = io.BytesIO()
    pydicom.dcmwrite(buf, ds, enforce_file_format=True)
    return buf.getvalue()


@pytest.mark.parametrize("photometric", ["MONOCHROME2", "MONOCHROME1"])
@pytest.mark.parametrize("slope", [-1.0, -0.5])
def test_pixel_padding_is_black_under_a_negative_rescale_slope(photometric, slope):
    """Padding set to the lowest stored value is the brightest once a negative slope turns the values round: the
    border came out white (255), neither black as viewers show it nor trimmed."""
    g = load_bytes(with_slope(padded_film("SS", photometric), slope), "x.dcm")
    border = np.r_[g[:12].ravel(), g[52:].ravel(), g[:, :15].ravel(), g[:, 65:].ravel()]
    assert (border == 0).all()
    field = g[12:52, 15:65]
    assert field.min() == 0 and field.max() == 255


# A palette PNG whose palette is missing or short

def palette_png(colours: int | None, top: int = 255, bits: int = 8) -> bytes:
    """A palette PNG of a film's grey levels (indices 0..``top``), its PLTE cut to ``colours`` (None: left out)."""
    img = Image.fromarray((film().astype(np.uint16) * top // 255).astype(np.uint8), "P")
    img.putpalette(bytes(np.repeat(np.linspace(0, 255, top + 1).astype(np.uint8), 3)))
    parts = chunks(encode(img, bits=bits) if bits != 8 else encode(img))
    if colours is None:
        return build([c for c in parts if c[0] != b"PLTE"])
    return build([(k, d[: 3 * colours] if k == b"PLTE" else d) for k, d in parts])


def test_a_palette_png_without_its_palette_is_refused_for_it_not_as_blank():
    """Pillow reads every pixel black: refused as 'blank image', which said nothing of the missing palette."""
    with pytest.raises(ImageError, match=r"^a palette PNG without its palette \(no PLTE chunk\).* export the film "
                                         r"again as a grey PNG$"):
        load_bytes(palette_png(None), "x.png")


@pytest.mark.parametrize("colours", [1, 2, 100, 200])
def test_a_palette_png_whose_palette_is_short_is_refused(colours):
    """Indices past the palette's end are read black: with 100 of 256 colours left, the film decoded (black patches)
    and was labelled; with 1 or 2, it was refused as 'blank image'."""
    with pytest.raises(ImageError, match=rf"^a palette PNG whose palette is cut short: it has {colours} colours?, but "
                                         r"its pixels use colours up to number 248,"):  # film() spans 6..247
        load_bytes(palette_png(colours), "x.png")


@pytest.mark.parametrize("make", [
    lambda: palette_png(256),  # whole
    lambda: palette_png(16, top=15),  # a short palette its pixels stay within
    lambda: palette_png(200, top=150),  # more colours than are used
    lambda: encode(grey_palette(film() // 64, 4), bits=2),
    lambda: encode(grey_palette(film() // 16, 16), bits=4),
    lambda: encode(Image.fromarray(film()).convert("P"), optimize=True),  # Pillow trims the palette to what is used
    lambda: encode(Image.fromarray(np.dstack([film()] * 3)).quantize(37)),
    lambda: encode(Image.fromarray(film()).convert("P"), transparency=0),
])
def test_good_palette_pngs_still_decode(make):
    assert load_bytes(make(), "x.png").shape == (128, 96)


# Headers that claim sizes far beyond any film

def sized_png(w: int, h: int) -> bytes:
    return build([(k, struct.pack(">II", w, h) + d[8:] if k == b"IHDR" else d)
                  for k, d in chunks(encode(Image.fromarray(film())))])


def sized_jpeg(w: int, h: int) -> bytes:
    data = bytearray(encode(Image.fromarray(film()), "JPEG"))
    at = data.find(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", h, w)
    return bytes(data)


def sized_tiff(w: int, h: int) -> bytes:
    data = bytearray(encode(Image.fromarray(film()), "TIFF"))
    ifd = struct.unpack_from("<I", data, 4)[0]
    for i in range(struct.unpack_from("<H", data, ifd)[0]):
        entry = ifd + 2 + 12 * i
        tag = struct.unpack_from("<H", data, entry)[0]
        if tag in (256, 257):  # ImageWidth, ImageLength, as LONG
            struct.pack_into("<HHII", data, entry, tag, 4, 1, w if tag == 256 else h)
    return bytes(data)


def sized_bmp(w: int, h: int) -> bytes:
    data = bytearray(encode(Image.fromarray(film()), "BMP"))
    struct.pack_into("<ii", data, 18, w, h)
    return bytes(data)


def sized_gif(w: int, h: int) -> bytes:
    data = bytearray(encode(Image.fromarray(film()), "GIF"))
    struct.pack_into("<HH", data, 6, w, h)  # the screen, and the first image's own size
    struct.pack_into("<HH", data, data.find(b"\x2c") + 5, w, h)
    return bytes(data)


def sized_dicom(w: int, h: int) -> bytes:
    return resave(make_dicom(ramp(), bits=12), Rows=h, Columns=w)


SIZED = {"png": sized_png, "jpeg": sized_jpeg, "tiff": sized_tiff, "bmp": sized_bmp, "gif": sized_gif,
         "dcm": sized_dicom}
# Pillow warns between the limit and twice it; edge.preprocess's filter for it is reset by pytest in each test
quiet = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
FAR = r"pixels, far beyond any film \(limit 50 megapixels\): a damaged file or no film; export it again$"


LARGEST = {"jpeg": 65535, "gif": 65535, "dcm": 65535, "bmp": 2**31 - 1}  # a side its header can say; others 2**32 - 1


@quiet
@pytest.mark.parametrize("kind, w, h", [(kind, w, h) for kind in SIZED
                                        for w, h in ((65535, 65535), (4294967295, 4294967295), (100000, 600))
                                        if w <= LARGEST.get(kind, 2**32 - 1)])
def test_a_header_far_beyond_any_film_is_said_so_in_words(kind, w, h):
    """'refused: 18446744065119617025 pixels is more than the limit of 50000000 (possible decompression bomb)': a raw
    count, and nothing to do."""
    with pytest.raises(ImageError, match=rf"^refused: its header says {w} x {h} {FAR}"):
        load_bytes(SIZED[kind](w, h), f"x.{kind}")


@quiet
@pytest.mark.parametrize("kind", SIZED)
@pytest.mark.parametrize("w, h", [(8000, 7000), (12000, 12000)])  # under and over Pillow's own guard (100 Mpx)
def test_a_film_merely_over_the_limit_is_told_to_be_scaled_down(kind, w, h):
    with pytest.raises(ImageError, match=rf"^refused: it is {w} x {h} pixels \({w * h // 10**6} megapixels\), more "
                                         r"than the limit of 50 megapixels; scale it down"):
        load_bytes(SIZED[kind](w, h), f"x.{kind}")


def test_a_bomb_whose_size_is_not_found_is_said_in_megapixels():
    from edge.size_words import bomb_words

    said = bomb_words(Image.DecompressionBombError("Image size (18446744065119617025 pixels) exceeds limit"), 50_000_000)
    assert said == ("refused: its header says 18,446,744,065,120 megapixels, far beyond any film (limit 50 "
                    "megapixels): a damaged file or no film; export it again")


# A progressive JPEG cut short and closed with an end marker

def progressive(rgb: bool = False, **options) -> bytes:
    g = film(400, 520)
    return encode(Image.fromarray(np.dstack([g] * 3) if rgb else g), "JPEG", progressive=True, **options)


@pytest.mark.parametrize("rgb", [False, True])
def test_a_progressive_jpeg_cut_in_its_first_scan_is_refused(rgb):
    """Cut in its first scan (the DC values) and given an end marker, it decoded without an error, its lower part the
    decoder's flat grey 128, and was labelled: the cut-short check was for baseline JPEGs only."""
    whole = progressive(rgb, quality=90)
    first = whole.index(b"\xff\xda")
    second = whole.index(b"\xff\xda", first + 2)
    with pytest.raises(ImageError, match=r"^truncated JPEG: its last rows are exactly grey 128"):
        load_bytes(whole[: (first + second) // 2] + b"\xff\xd9", "x.jpg")


@pytest.mark.parametrize("options", [dict(quality=90), dict(quality=50, optimize=True), dict(quality=100),
                                     dict(quality=75, rgb=True), dict(quality=95, subsampling=0, rgb=True),
                                     dict(quality=85, subsampling=2, rgb=True, optimize=True)])
def test_good_progressive_jpegs_still_decode(options):
    assert load_bytes(progressive(**options), "x.jpg").shape == (520, 400)
