"""Palette and transparent films are turned into grey a strip of rows at a time (edge.flatten), with the
same pixels as the whole-film conversion before cxr-edge 0.33, and without its copies of the film."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from edge.preprocess import decode_bytes


def old_decode(data: bytes) -> np.ndarray:
    """edge.preprocess.decode_bytes's conversion of palette and transparent films up to 0.32 (whole film)."""
    img = Image.open(io.BytesIO(data))
    if img.mode in ("P", "PA") or (img.mode in ("L", "RGB") and "transparency" in img.info):
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA"):
        background = Image.new("RGBA", img.size, (0, 0, 0, 255))
        img = Image.alpha_composite(background, img.convert("RGBA"))
    return np.asarray(img if img.mode == "L" else img.convert("L"))


def film(h: int = 97, w: int = 83) -> np.ndarray:
    rng = np.random.default_rng(7)
    ramp = np.add.outer(np.arange(h) * 2, np.arange(w) * 3) % 256
    return ((ramp + rng.integers(0, 40, (h, w))) % 256).astype(np.uint8)


def saved(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def kinds() -> dict[str, bytes]:
    g = film()
    rgb = np.stack([g, np.roll(g, 5, 1), 255 - g], axis=2)
    alpha = np.roll(g, 11, 0)
    pal = Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=200)
    half_clear = bytes(range(0, 256, 2)) + bytes(range(255, -1, -2))  # a per-index alpha (tRNS of a palette)
    return {
        "P": saved(pal),
        "P-index-transparent": saved(pal, transparency=3),
        "P-alpha-table": saved(pal, transparency=half_clear),
        "GIF": saved(pal, "GIF", transparency=9),
        "LA": saved(Image.fromarray(np.stack([g, alpha], 2), "LA")),
        "RGBA": saved(Image.fromarray(np.dstack([rgb, alpha]), "RGBA")),
        "L-tRNS": saved(Image.fromarray(g), transparency=int(g[5, 5])),
        "RGB-tRNS": saved(Image.fromarray(rgb), transparency=tuple(int(v) for v in rgb[5, 5])),
        "RGBA-TIFF": saved(Image.fromarray(np.dstack([rgb, alpha]), "RGBA"), "TIFF"),
    }


@pytest.mark.parametrize("rows_at_once", [1 << 20, 83 * 10, 83 * 7 + 5, 1])
@pytest.mark.parametrize("kind", sorted(kinds()))
def test_palette_and_transparent_films_give_the_same_pixels_strip_by_strip(kind, rows_at_once, monkeypatch):
    import edge.wide_pixels

    monkeypatch.setattr(edge.wide_pixels, "ROWS_AT_ONCE", rows_at_once)  # one strip, many, a short last one
    data = kinds()[kind]
    got = decode_bytes(data)
    assert got.dtype == np.uint8 and got.shape == (97, 83)
    assert got.tobytes() == old_decode(data).tobytes()


PEAK = """
import sys
from edge.preprocess import decode_bytes

def peak_kb():  # VmHWM: this process's own peak (ru_maxrss would start at the parent's, pytest's)
    return int(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM")))

data = open(sys.argv[1], "rb").read()
before = peak_kb()
gray = decode_bytes(data)
print((peak_kb() - before) // 1024)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="/proc/self/status is Linux's")
def test_a_palette_film_decodes_in_about_two_bytes_a_pixel(tmp_path):
    """A 3000x3000 two-colour palette PNG (9 Mpixels, 13 KB on disk) took about 16 bytes a pixel
    (four RGBA copies: about 140 MB more); its pixels and the grey result take 2 bytes a pixel (18 MB)."""
    side = 3000
    two_level = (np.arange(side * side, dtype=np.uint32).reshape(side, side) // 1000 % 2 * 255).astype(np.uint8)
    (tmp_path / "p.png").write_bytes(saved(Image.fromarray(two_level).convert("P"), transparency=0))
    out = subprocess.run([sys.executable, "-c", PEAK, str(tmp_path / "p.png")], capture_output=True, text=True, check=True)
    assert int(out.stdout) < 60, f"decoding took {out.stdout.strip()} MB more"
