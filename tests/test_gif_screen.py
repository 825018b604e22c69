"""edge.gif_screen through edge.preprocess: a GIF's first image that lies outside its screen is read alone, not on the
canvas Pillow grows around it (filled with palette colour 0, without a word). GIFs written here from bytes."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from edge.preprocess import load_bytes

GREYS = bytes(v for i in range(256) for v in (i, i, i))  # colour i is grey i: Pillow reads it as mode L
INVERSE = bytes(v for i in range(256) for v in (255 - i,) * 3)  # colour i is grey 255 - i: mode P, colour 0 white


def lzw(indices: np.ndarray) -> bytes:
    """8-bit indices as GIF LZW codes without compression: a clear code before the table would grow a code wider."""
    clear, end, width = 256, 257, 9
    codes = [clear]
    for k, v in enumerate(indices.ravel().tolist()):
        if k and k % 250 == 0:
            codes.append(clear)
        codes.append(v)
    codes.append(end)
    bits = nbits = 0
    out = bytearray()
    for code in codes:
        bits |= code << nbits
        nbits += width
        while nbits >= 8:
            out.append(bits & 255)
            bits >>= 8
            nbits -= 8
    return bytes(out + (bytes([bits]) if nbits else b""))


def gif(screen: tuple[int, int], frames: list[tuple[int, int, np.ndarray]], palette: bytes = GREYS) -> bytes:
    """A GIF89a of ``screen`` (width, height), a global palette of 256 colours, and each (left, top, indices) image."""
    out = b"GIF89a" + struct.pack("<HHBBB", *screen, 0xF7, 0, 0) + palette
    for left, top, indices in frames:
        h, w = indices.shape
        data = lzw(indices)
        out += b"," + struct.pack("<HHHHB", left, top, w, h, 0) + b"\x08"
        out += b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255] for i in range(0, len(data), 255)) + b"\x00"
    return out + b";"


FILM = np.random.default_rng(66).integers(40, 240, (64, 80)).astype(np.uint8)  # 80 wide, 64 high


def grey(indices: np.ndarray, palette: bytes) -> np.ndarray:
    return np.frombuffer(palette, np.uint8)[0::3][indices]


@pytest.mark.parametrize("palette", [GREYS, INVERSE], ids=["grey", "palette"])
@pytest.mark.parametrize("screen, left, top", [
    ((80, 64), 30, 20),   # partly outside: Pillow made it 110 x 84, an L-shaped band on two sides
    ((80, 64), 200, 0),   # wholly outside: 280 x 64, 200 columns of colour 0
    ((80, 64), 9000, 0),  # far outside: 9080 x 64, 99% one level, refused as a "blank image"
    ((40, 30), 0, 0),     # larger than its screen (a screen size written wrong): Pillow already read it whole
    ((0, 0), 5, 5),       # a screen of no size
])
def test_a_first_image_outside_its_screen_is_read_alone(palette, screen, left, top):
    assert (load_bytes(gif(screen, [(left, top, FILM)], palette), "x.gif") == grey(FILM, palette)).all()


def test_the_first_image_of_an_animation_outside_its_screen_is_read_alone():
    later = np.full_like(FILM, 200)
    data = gif((80, 64), [(50, 40, FILM), (0, 0, later)])
    assert (load_bytes(data, "x.gif") == FILM).all()


@pytest.mark.parametrize("palette", [GREYS, INVERSE], ids=["grey", "palette"])
def test_an_image_inside_its_screen_is_read_on_it(palette):
    """As every viewer shows it: the screen around the image is part of the picture (a uniform border, which
    preprocessing trims), and stays as it was read before."""
    gray = load_bytes(gif((160, 128), [(40, 32, FILM)], palette), "x.gif")
    assert gray.shape == (128, 160)
    assert (gray[32:96, 40:120] == grey(FILM, palette)).all()
    outside = np.ones(gray.shape, bool)
    outside[32:96, 40:120] = False
    assert (gray[outside] == grey(np.zeros(1, np.uint8), palette)[0]).all()  # colour 0, as Pillow fills it


def test_a_gif87a_first_image_outside_its_screen_is_read_alone_too():
    """Pinned by mutation testing: the older GIF87a header (no extensions here, so the same bytes otherwise) is read
    the same way."""
    data = b"GIF87a" + gif((80, 64), [(200, 0, FILM)])[6:]
    assert (load_bytes(data, "x.gif") == FILM).all()
