"""SYNTHETIC chest-X-ray-like images for smoke tests and demos. NOT medical data.

Everything this module produces is drawn from simple geometric shapes and
filtered noise. No real patient, radiograph or clinical data set went into it,
and a model trained on it learns nothing about real disease. It exists so
that the whole cxr-edge pipeline (PNG decoding, grayscale conversion,
aspect-preserving resize with padding, histogram equalisation, border
trimming, training, TFLite conversion, on-device inference) can run on a
fresh machine without downloading anything.

An image is made in three steps, each drawn from its own random numbers:

* a normal frontal (PA) chest with random anatomy (train/synthetic_anatomy.py);
* the class pattern inside the lung fields, of random strength, so some
  cases are subtle (train/synthetic_findings.py, which describes the classes);
* acquisition, here in :func:`render`: random pose (shift, scale, rotation
  within +-5 degrees), brightness, contrast and gamma, plus heel-effect
  gradient, blur and noise; some images get black collimation borders or a
  burned-in "L"/"R" marker in a corner.

Anatomy and acquisition are drawn the same way for every class, so neither
borders, markers nor overall brightness tell the classes apart; only the
pattern inside the lungs does.

Images are deterministic. :func:`train.synthetic_set.generate` seeds image ``i`` of class ``c``
with ``np.random.default_rng([seed, SYNTHETIC_CLASSES.index(c), i])``. So the
same seed gives byte-identical PNG files, and a run with 10 images per class
gives the same first 10 images as a run with 60. The PNGs also do not depend
on which other classes are generated alongside.

Only numpy and Pillow are used.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image

from train.synthetic_anatomy import draw_chest
from train.synthetic_draw import Canvas, gaussian_blur, lowpass_noise
from train.synthetic_findings import add_finding
from train.synthetic_mark import png_info

__all__ = ["SYNTHETIC_CLASSES", "render", "png_bytes"]

SYNTHETIC_CLASSES: tuple[str, ...] = ("Normal", "COVID", "Viral_Pneumonia", "Lung_Opacity")

_MIN_SIDE = 32  # smallest width/height render() accepts


# 5x7 bitmap glyphs for burned-in side markers. These are used instead of a
# font so the output is the same whatever fonts the machine has.
_GLYPHS: dict[str, tuple[str, ...]] = {
    "L": ("1....", "1....", "1....", "1....", "1....", "1....", "11111"),
    "R": ("1111.", "1...1", "1...1", "1111.", "1.1..", "1..1.", "1...1"),
}


# --------------------------------------------------------------------------
# rendering one image
# --------------------------------------------------------------------------


def check_label(label: str) -> int:
    if label not in SYNTHETIC_CLASSES:
        raise ValueError(
            f"unknown synthetic class {label!r}; known classes: {', '.join(SYNTHETIC_CLASSES)}"
        )
    return SYNTHETIC_CLASSES.index(label)


def check_size(size: tuple[int, int]) -> tuple[int, int]:
    try:
        width, height = (int(s) for s in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (width, height), got {size!r}") from None
    if width < _MIN_SIDE or height < _MIN_SIDE:
        raise ValueError(f"size must be at least {_MIN_SIDE}x{_MIN_SIDE}, got {width}x{height}")
    return width, height


def render(label: str, rng: np.random.Generator, size: tuple[int, int] = (192, 192)) -> np.ndarray:
    """One synthetic image, uint8 HxW (size = (width, height)).

    A normal chest, the pattern of class ``label`` in its lungs, then pose and exposure.
    """
    check_label(label)
    width, height = check_size(size)
    cv = Canvas(width, height)
    chest = draw_chest(rng, cv)
    img = add_finding(label, rng, cv, chest)
    return _acquire(img, rng, chest.background)


def _acquire(img: np.ndarray, rng: np.random.Generator, background: float) -> np.ndarray:
    """Take the picture of a drawn chest: pose, exposure, noise, marker and borders; uint8 HxW.

    Nothing here depends on the class, so none of it can tell the classes apart.
    """
    height, width = img.shape
    shape = (height, width)
    img = np.clip(img, 0.0, 1.0).astype(np.float32)

    # ---- pose: shift, scale, rotation -----------------------------------------
    angle = math.radians(rng.uniform(-5.0, 5.0))
    scale = rng.uniform(0.9, 1.08)
    shift_x = rng.uniform(-0.05, 0.05) * width
    shift_y = rng.uniform(-0.05, 0.05) * height
    cx, cy = width / 2.0, height / 2.0
    ca, sa = math.cos(angle) / scale, math.sin(angle) / scale
    # output (x, y) -> input: centre + R(-angle)/scale * (out - centre - shift)
    ox, oy = cx + shift_x, cy + shift_y
    coeffs = (ca, sa, cx - ca * ox - sa * oy, -sa, ca, cy + sa * ox - ca * oy)
    posed = Image.fromarray(img).transform(
        (width, height),
        Image.Transform.AFFINE,
        coeffs,
        resample=Image.Resampling.BILINEAR,
        fillcolor=float(background),
    )
    img = np.asarray(posed, dtype=np.float32).copy()

    # ---- acquisition: heel effect, blur, exposure, noise -------------------------
    g_ang = rng.uniform(0, 2 * math.pi)
    gx = (np.arange(width, dtype=np.float32)[None, :] / width - 0.5) * math.cos(g_ang)
    gy = (np.arange(height, dtype=np.float32)[:, None] / height - 0.5) * math.sin(g_ang)
    img = img * (1.0 + rng.uniform(0.0, 0.15) * (gx + gy))
    img = gaussian_blur(img, rng.uniform(0.3, 1.1) * min(width, height) / 192.0)
    img = np.clip(img, 0.0, 1.0) ** rng.uniform(0.75, 1.3)
    contrast = rng.uniform(0.8, 1.2)
    brightness = rng.uniform(-0.08, 0.08)
    img = (img - 0.4) * contrast + 0.4 + brightness
    img = img + rng.normal(0.0, rng.uniform(0.006, 0.025), shape)
    img = img + rng.uniform(0.0, 0.02) * lowpass_noise(rng, shape, 1.2)  # film grain
    img = np.clip(img, 0.0, 1.0)

    # ---- burned-in side marker (any class) -------------------------------------
    if rng.random() < 0.4:
        _burn_marker(img, rng, str(rng.choice(["L", "R"])))

    out = np.round(img * 255.0).astype(np.uint8)

    # ---- collimation: black borders on some images ------------------------------
    if rng.random() < 0.3:
        for side_idx in range(4):
            if rng.random() < 0.5:
                continue
            dim = height if side_idx < 2 else width
            k = int(rng.integers(1, max(2, int(0.06 * dim))))
            if side_idx == 0:
                out[:k, :] = 0
            elif side_idx == 1:
                out[-k:, :] = 0
            elif side_idx == 2:
                out[:, :k] = 0
            else:
                out[:, -k:] = 0
    return out


def _burn_marker(img: np.ndarray, rng: np.random.Generator, letter: str) -> None:
    """Stamp a block letter into a random corner of img (float, in place)."""
    h, w = img.shape
    glyph = np.array([[c == "1" for c in row] for row in _GLYPHS[letter]], dtype=bool)
    k = max(1, int(round(min(h, w) * rng.uniform(0.01, 0.016))))
    bitmap = np.kron(glyph, np.ones((k, k), dtype=bool))
    gh, gw = bitmap.shape
    if gh + 4 > h // 3 or gw + 4 > w // 3:
        return
    my = int(rng.integers(int(0.07 * h), int(0.14 * h)))
    mx = int(rng.integers(int(0.07 * w), int(0.14 * w)))
    top = my if rng.random() < 0.5 else h - my - gh
    left = mx if rng.random() < 0.5 else w - mx - gw
    patch = img[top : top + gh, left : left + gw]
    patch[bitmap] = rng.uniform(0.9, 1.0)


# --------------------------------------------------------------------------
# writing a data set
# --------------------------------------------------------------------------


def png_bytes(img: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG", pnginfo=png_info())  # each film marked, wherever it is copied
    return buf.getvalue()
