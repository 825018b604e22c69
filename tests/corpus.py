"""A corpus of awkward input files for edge-classify, written with numpy and Pillow only.

``make_corpus(dir)`` writes every case and returns ``{name: path}``. ``GOOD`` names the files
that must be classified, ``BAD`` maps every file that must be refused to a word its error
message must contain. The content of the good files comes from ``train.synthetic.render``, so
they look like the chest films a model is trained on.
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from train.synthetic import render

# Files that must be classified (one output record with a label each).
GOOD = ("good_normal", "good_covid", "good_viral", "gray16", "cmyk_jpeg", "animated_gif", "rgba", "palette",
        "non_utf8_name")
# Files that must be refused, with a word (lower case) the one-line reason must contain.
BAD = {
    "empty": "empty",
    "truncated_png": "truncated",
    "truncated_jpeg": "truncated",
    "text_as_png": "not a readable image",
    "bomb": "refused",
    "bomb_moderate": "refused",
    "tiny_1x1": "at least",
    "unreadable": "permission denied",
    "symlink_loop": "symbolic links",
    "missing": "no such file",
    "fifo": "not a regular file",  # opening it for reading would wait for a writer forever
}
# Only the bytes of this name are fixed; on disk it is not valid UTF-8.
NON_UTF8_NAME = b"bad-\xff.png"
BOMB_SIDE = 20_000  # 400 megapixels of zeros: 400 MB once decoded, ~0.4 MB on disk
MODERATE_BOMB_SIDE = 8_000  # 64 megapixels: above edge's limit (50 M) but below Pillow's error (100 M)


def make_corpus(dir: Path) -> dict[str, Path]:
    """Write the corpus into ``dir`` (created if needed) and return name -> path."""
    d = Path(dir)
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    films = {c: render(c, rng) for c in ("Normal", "COVID", "Viral_Pneumonia", "Lung_Opacity")}
    lung = films["Lung_Opacity"]
    out: dict[str, Path] = {}

    def put(name: str, filename: str, data: bytes) -> Path:
        p = d / filename
        p.write_bytes(data)
        out[name] = p
        return p

    # --- good files -----------------------------------------------------------------------
    for name, cls in (("good_normal", "Normal"), ("good_covid", "COVID"), ("good_viral", "Viral_Pneumonia")):
        put(name, f"{name}.png", _encode(Image.fromarray(films[cls]), "PNG"))
    wide = lung.astype(np.uint16) * 257 + np.uint16(3)  # full 16-bit range, not just the top byte
    img16 = Image.fromarray(wide)
    assert img16.mode == "I;16", img16.mode
    put("gray16", "gray16.png", _encode(img16, "PNG"))
    rgb = Image.fromarray(np.stack([films["Normal"]] * 3, axis=2))
    put("cmyk_jpeg", "cmyk.jpg", _encode(rgb.convert("CMYK"), "JPEG", quality=90))
    frames = [Image.fromarray(films[c]) for c in ("COVID", "Normal", "Viral_Pneumonia")]
    put("animated_gif", "animated.gif",
        _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0))
    alpha = np.full(lung.shape, 255, np.uint8)
    alpha[:, : lung.shape[1] // 8] = 0  # a transparent strip on the left
    rgba = Image.fromarray(np.stack([lung, lung, lung, alpha], axis=2), "RGBA")
    put("rgba", "rgba.png", _encode(rgba, "PNG"))
    put("palette", "palette.png", _encode(Image.fromarray(films["COVID"]).convert("RGB").convert("P"), "PNG"))
    # A name that is not valid UTF-8, made through the bytes API; its content is a good film.
    raw = os.path.join(os.fsencode(d), NON_UTF8_NAME)
    fd = os.open(raw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(_encode(Image.fromarray(films["Viral_Pneumonia"]), "PNG"))
    out["non_utf8_name"] = Path(os.fsdecode(raw))

    # --- bad files ------------------------------------------------------------------------
    put("empty", "empty.png", b"")
    png = _encode(Image.fromarray(films["Normal"]), "PNG")
    put("truncated_png", "truncated.png", png[: len(png) // 2])
    jpeg = _encode(Image.fromarray(films["COVID"]), "JPEG", quality=90)
    put("truncated_jpeg", "truncated.jpg", jpeg[: len(jpeg) // 2])
    put("text_as_png", "notes.png", b"Patient list, ward 3\nnot an image at all\n" * 20)
    put("bomb", "bomb.png", zero_png(BOMB_SIDE, BOMB_SIDE))
    put("bomb_moderate", "bomb-moderate.png", zero_png(MODERATE_BOMB_SIDE, MODERATE_BOMB_SIDE))
    put("tiny_1x1", "tiny.png", _encode(Image.new("L", (1, 1), 128), "PNG"))
    # Holds a good film: root reads it anyway, so tests give it to a child that file permissions stop
    # (tests/unprivileged.py).
    p = put("unreadable", "unreadable.png", _encode(Image.fromarray(films["Normal"]), "PNG"))
    p.chmod(0)
    a, b = d / "loop-a.png", d / "loop-b.png"
    a.symlink_to(b.name)
    b.symlink_to(a.name)
    out["symlink_loop"] = a
    out["missing"] = d / "no-such-file.png"
    if hasattr(os, "mkfifo"):
        os.mkfifo(d / "fifo.png")
        out["fifo"] = d / "fifo.png"
    return out


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def zero_png(width: int, height: int) -> bytes:
    """A genuine, valid 8-bit grayscale PNG of all-zero pixels, built without holding its pixels.

    The zlib stream is one full-flushed deflate block of ``rows`` zero rows, repeated: after
    Z_FULL_FLUSH the compressor has no history, so each repeat compresses to the same bytes.
    """
    row = width + 1  # filter byte (0 = None) + one byte per pixel, all zero
    rows = next(r for r in range(min(height, 256), 0, -1) if height % r == 0)
    chunk = bytes(row * rows)
    c = zlib.compressobj(9)
    first = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)  # 2-byte zlib header + block
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    n = row * height
    adler = ((n % 65521) << 16) | 1  # Adler-32 of n zero bytes
    stream = first + block * (height // rows - 1) + b"\x03\x00" + struct.pack(">I", adler)  # final empty block

    def chunk_(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    return b"\x89PNG\r\n\x1a\n" + chunk_(b"IHDR", ihdr) + chunk_(b"IDAT", stream) + chunk_(b"IEND", b"")
