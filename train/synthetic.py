"""SYNTHETIC chest-X-ray-like images for smoke tests and demos. NOT medical data.

Everything this module produces is drawn from simple geometric shapes and
filtered noise. No real patient, radiograph or clinical data set went into it,
and a model trained on it learns nothing about real disease. It exists so
that the whole cxr-edge pipeline (PNG decoding, grayscale conversion,
aspect-preserving resize with padding, histogram equalisation, border
trimming, training, TFLite conversion, on-device inference) can run on a
fresh machine without downloading anything.

Each image is built to look roughly like a frontal (PA) chest X-ray:

* a dark background (air) around a mid-grey body;
* a bright mediastinum with a spine column, and a darker trachea;
* two dark lung fields, bounded below by the diaphragm domes;
* faint rib arcs over the lungs, clavicles, humeral heads;
* a heart shadow low in the chest, off to one side of the midline, and an
  aortic knob;
* faint branching vessels near the hila.

Every image gets random variation in anatomy and pose (shift, scale,
rotation within +-5 degrees), in brightness, contrast and gamma, plus
heel-effect gradient, blur and noise. Some images get black collimation
borders or a burned-in "L"/"R" marker in a corner. These variations are
drawn the same way for every class, so neither borders, markers nor overall
brightness tell the classes apart.

The class is decided only by a pattern inside the lung fields. Its strength
is random, so some cases are subtle:

* ``Normal``: clear lungs, only the faint vessels near the hila.
* ``COVID``: bilateral ground-glass opacities in the periphery and lower
  zones: soft, patchy haze near the lateral and lower lung edges, both sides.
* ``Viral_Pneumonia``: diffuse bilateral interstitial streaks around the
  hila: many thin linear markings, central rather than peripheral.
* ``Lung_Opacity``: one dense lobar consolidation, a bright region with a
  sharp edge in ONE lung (upper, lower or middle zone, either side).

Images are deterministic. :func:`generate` seeds image ``i`` of class ``c``
with ``np.random.default_rng([seed, SYNTHETIC_CLASSES.index(c), i])``. So the
same seed gives byte-identical PNG files, and a run with 10 images per class
gives the same first 10 images as a run with 60. The PNGs also do not depend
on which other classes are generated alongside.

Only numpy and Pillow are used.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["SYNTHETIC_CLASSES", "render", "generate"]

SYNTHETIC_CLASSES: tuple[str, ...] = ("Normal", "COVID", "Viral_Pneumonia", "Lung_Opacity")

# Side of the image (-1 = left, +1 = right) where the heart shadow is drawn.
# In a standard PA radiograph the patient's left is on the viewer's right,
# so the heart shadow appears right of the midline.
_HEART_SIDE = 1

_MIN_SIDE = 32  # smallest width/height render() accepts

# 5x7 bitmap glyphs for burned-in side markers. These are used instead of a
# font so the output is the same whatever fonts the machine has.
_GLYPHS: dict[str, tuple[str, ...]] = {
    "L": ("1....", "1....", "1....", "1....", "1....", "1....", "11111"),
    "R": ("1111.", "1...1", "1...1", "1111.", "1.1..", "1..1.", "1...1"),
}


# --------------------------------------------------------------------------
# small numeric helpers
# --------------------------------------------------------------------------


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _blend(base: np.ndarray, value: np.ndarray | float, alpha: np.ndarray) -> np.ndarray:
    return base + (value - base) * alpha


def _gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur with reflected edges: direct separable convolution for small
    sigma, FFT for large."""
    img = np.asarray(img, dtype=np.float32)
    if sigma <= 0.0:
        return img
    radius = int(math.ceil(3.0 * sigma))
    if radius >= min(img.shape):
        radius = min(img.shape) - 1
    if sigma <= 3.0:
        taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
        taps = (taps / taps.sum()).astype(np.float32)
        h, w = img.shape
        padded = np.pad(img, ((radius, radius), (0, 0)), mode="reflect")
        out = taps[0] * padded[0:h]
        for k in range(1, taps.size):
            out += taps[k] * padded[k : k + h]
        padded = np.pad(out, ((0, 0), (radius, radius)), mode="reflect")
        out = taps[0] * padded[:, 0:w]
        for k in range(1, taps.size):
            out += taps[k] * padded[:, k : k + w]
        return out
    work = np.pad(img, radius, mode="reflect")
    h, w = work.shape
    fy = np.fft.fftfreq(h).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(w).astype(np.float32)[None, :]
    transfer = np.exp(np.float32(-2.0 * (math.pi * sigma) ** 2) * (fy * fy + fx * fx))
    out = np.fft.irfft2(np.fft.rfft2(work) * transfer, s=(h, w))
    return out[radius:-radius, radius:-radius].astype(np.float32)


def _lowpass_noise(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Smooth random field with zero mean and unit standard deviation.

    Wide fields are made on a coarser grid and scaled up, which looks the same
    and costs much less."""
    h, w = shape
    step = max(1, int(sigma // 2.0))
    small = (h // step + 2, w // step + 2) if step > 1 else shape
    field = _gaussian_blur(rng.standard_normal(small, dtype=np.float32), sigma / step)
    if step > 1:
        big = Image.fromarray(field).resize((small[1] * step, small[0] * step), Image.Resampling.BILINEAR)
        field = np.asarray(big, dtype=np.float32)[step : step + h, step : step + w].copy()
    field -= field.mean()
    std = float(field.std())
    return field / std if std > 0 else field


class _Canvas:
    """Canonical drawing frame: u to the right, v downwards, both in units of half
    the shorter image side, with (0, 0) at the image centre."""

    def __init__(self, width: int, height: int) -> None:
        self.w, self.h = width, height
        self.half = min(width, height) / 2.0
        xs = (np.arange(width, dtype=np.float32) + 0.5 - width / 2.0) / self.half
        ys = (np.arange(height, dtype=np.float32) + 0.5 - height / 2.0) / self.half
        self.u, self.v = np.meshgrid(xs, ys)

    def px(self, u: float, v: float) -> tuple[float, float]:
        return (u * self.half + self.w / 2.0, v * self.half + self.h / 2.0)

    def lines(self, segments: list[tuple[float, float, float, float, float, float]]) -> np.ndarray:
        """Draw (u0, v0, u1, v1, width_in_units, value) segments into a float layer."""
        layer = Image.new("F", (self.w, self.h), 0.0)
        draw = ImageDraw.Draw(layer)
        for u0, v0, u1, v1, width, value in segments:
            wpx = max(1, int(round(width * self.half)))
            draw.line([self.px(u0, v0), self.px(u1, v1)], fill=float(value), width=wpx)
        return np.asarray(layer, dtype=np.float32).copy()


def _branches(
    rng: np.random.Generator,
    start: tuple[float, float],
    angle: float,
    length: float,
    width: float,
    depth: int,
    value: float,
    out: list[tuple[float, float, float, float, float, float]],
) -> None:
    """Random branching tree (vessels, bronchi) as a list of line segments."""
    u0, v0 = start
    # two slightly kinked pieces per branch look less artificial than one line
    a1 = angle + rng.normal(0.0, 0.12)
    um, vm = u0 + 0.5 * length * math.cos(a1), v0 + 0.5 * length * math.sin(a1)
    a2 = a1 + rng.normal(0.0, 0.15)
    u1, v1 = um + 0.5 * length * math.cos(a2), vm + 0.5 * length * math.sin(a2)
    out.append((u0, v0, um, vm, width, value))
    out.append((um, vm, u1, v1, width * 0.85, value))
    if depth <= 1:
        return
    for sign in (-1.0, 1.0):
        _branches(
            rng,
            (u1, v1),
            a2 + sign * rng.uniform(0.25, 0.6),
            length * rng.uniform(0.55, 0.8),
            width * 0.7,
            depth - 1,
            value * 0.8,
            out,
        )


# --------------------------------------------------------------------------
# rendering
# --------------------------------------------------------------------------


def _check_label(label: str) -> int:
    if label not in SYNTHETIC_CLASSES:
        raise ValueError(
            f"unknown synthetic class {label!r}; known classes: {', '.join(SYNTHETIC_CLASSES)}"
        )
    return SYNTHETIC_CLASSES.index(label)


def _check_size(size: tuple[int, int]) -> tuple[int, int]:
    try:
        width, height = (int(s) for s in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (width, height), got {size!r}") from None
    if width < _MIN_SIDE or height < _MIN_SIDE:
        raise ValueError(f"size must be at least {_MIN_SIDE}x{_MIN_SIDE}, got {width}x{height}")
    return width, height


def render(label: str, rng: np.random.Generator, size: tuple[int, int] = (192, 192)) -> np.ndarray:
    """One synthetic image, uint8 HxW (size = (width, height))."""
    _check_label(label)
    width, height = _check_size(size)
    cv = _Canvas(width, height)
    u, v = cv.u, cv.v
    shape = (height, width)
    px_unit = 1.0 / cv.half  # one pixel in canvas units
    edge = 1.5 * px_unit  # softness of "sharp" organ edges

    def jit(scale: float) -> float:
        return float(rng.uniform(-scale, scale))

    # ---- body and soft tissue -------------------------------------------
    background = 0.05 + jit(0.03)
    img = np.full(shape, background, dtype=np.float32)

    body_half_w = 0.93 + jit(0.05)
    neck_half_w = 0.26 + jit(0.03)
    shoulder_v = -0.72 + jit(0.05)
    # half width of the body as a function of height: neck at the top,
    # sloping shoulders, then the chest wall
    half_w = neck_half_w + (body_half_w + 0.12 - neck_half_w) * _smoothstep(
        shoulder_v - 0.35, shoulder_v + 0.05, v
    )
    half_w = half_w - 0.06 * _smoothstep(-0.2, 1.2, v) ** 2
    torso = _sigmoid((half_w - np.abs(u)) / (2.5 * px_unit))
    soft = 0.42 + jit(0.04) - 0.08 * _smoothstep(0.6, 1.0, np.abs(u) / body_half_w)
    img = _blend(img, soft, torso)

    # humeral heads in the upper corners
    for side in (-1.0, 1.0):
        hu, hv, hr = side * (body_half_w + 0.06 + jit(0.04)), shoulder_v - 0.02 + jit(0.04), 0.17
        d = np.hypot(u - hu, v - hv) / hr
        img = img + 0.22 * _sigmoid((1.0 - d) / 0.06) * torso

    # ---- lung geometry ----------------------------------------------------
    lungs: list[dict[str, float | int]] = []
    lung_cv = -0.02 + jit(0.05)
    lung_b = 0.72 + jit(0.05)
    hs = _HEART_SIDE
    for side in (-1, 1):
        lungs.append(
            {
                "side": side,
                "cu": side * (0.44 + jit(0.03)),
                "cv": lung_cv + jit(0.02),
                "a": 0.33 + jit(0.025),
                "b": lung_b + jit(0.02),
                # diaphragm domes: the one on the heart side sits lower
                "dome_v": (0.64 if side == hs else 0.58) + jit(0.04),
                "dome_h": 0.17 + jit(0.04),
                "hilum_u": side * (0.2 + jit(0.02)),
                "hilum_v": -0.06 + jit(0.04),
            }
        )

    def dome_line(lg: dict[str, float | int]) -> np.ndarray:
        cu, a = float(lg["cu"]), float(lg["a"])
        return float(lg["dome_v"]) - float(lg["dome_h"]) * (1.0 - ((u - cu) / (1.4 * a)) ** 2)

    dome_all = np.where(u < 0, dome_line(lungs[0]), dome_line(lungs[1]))

    # ---- abdomen / liver below the domes ------------------------------------------
    abdomen = _sigmoid((v - dome_all) / (3 * px_unit)) * torso
    abdomen_val = 0.57 + jit(0.04)
    img = _blend(img, abdomen_val, abdomen)
    # gastric bubble under the left hemidiaphragm (heart side)
    if rng.random() < 0.6:
        gu = hs * (0.4 + jit(0.06))
        gv = float(lungs[1 if hs > 0 else 0]["dome_v"]) + 0.1 + jit(0.03)
        gd = ((u - gu) / (0.1 + jit(0.03))) ** 2 + ((v - gv) / 0.055) ** 2
        img = img - 0.1 * _sigmoid((1.0 - gd) / 0.2) * abdomen

    # ---- mediastinum with heart silhouette and aortic knob ---------------------------
    # half width of the mediastinum on each side of the midline, as a function
    # of height: narrow above, the heart bulging out low on the heart side
    med_w = 0.12 + jit(0.015)
    heart_top = -0.02 + jit(0.05)
    heart_lung = lungs[1 if hs > 0 else 0]
    # level where the heart is widest, a little above the top of its dome
    heart_mid = float(heart_lung["dome_v"]) - float(heart_lung["dome_h"]) - 0.06 + jit(0.03)
    heart_w = 0.45 + jit(0.05)  # cardiac half width on the heart side
    t_h = np.clip((v - heart_top) / (heart_mid - heart_top), 0.0, 1.0)
    bulge = np.sqrt(1.0 - (1.0 - t_h) ** 2) - 0.12 * _smoothstep(heart_mid, heart_mid + 0.3, v)
    width_heart_side = med_w + (heart_w - med_w) * bulge
    knob_v = -0.4 + jit(0.04)
    width_heart_side = width_heart_side + (0.07 + jit(0.015)) * np.exp(-(((v - knob_v) / 0.07) ** 2))
    width_other_side = med_w + (0.06 + jit(0.02)) * np.sqrt(1.0 - (1.0 - t_h) ** 2)
    side_u = u * hs  # > 0 on the heart side
    med_half = np.where(side_u > 0, width_heart_side, width_other_side)
    mediastinum = _sigmoid((med_half - np.abs(u)) / (1.5 * px_unit)) * torso
    img = _blend(img, abdomen_val + jit(0.02), mediastinum)

    # ---- lungs ------------------------------------------------------------------
    lung_mask = np.zeros(shape, dtype=np.float32)
    lung_r2: list[np.ndarray] = []  # normalised radius^2 inside each lung
    lung_masks: list[np.ndarray] = []
    for lg in lungs:
        cu, lcv, a, b = float(lg["cu"]), float(lg["cv"]), float(lg["a"]), float(lg["b"])
        dv = np.clip((v - lcv) / b, -1.0, 1.0)
        a_eff = a * (1.0 + 0.22 * dv)  # egg shape: wider at the bases
        r2 = ((u - cu) / a_eff) ** 2 + ((v - lcv) / b) ** 2
        m = _sigmoid((1.0 - r2) / 0.03) * _sigmoid((dome_line(lg) - v) / edge) * (1.0 - mediastinum)
        lung_masks.append(m.astype(np.float32))
        lung_r2.append(r2.astype(np.float32))
        lung_mask = np.maximum(lung_mask, m)

    lung_val = 0.15 + jit(0.04) - 0.05 * _smoothstep(0.3, 0.9, np.abs(u)) + 0.04 * _smoothstep(-0.6, 0.5, v)
    img = _blend(img, lung_val, lung_mask)
    img = img + 0.012 * _lowpass_noise(rng, shape, 0.02 * cv.half) * lung_mask

    # hila: slightly denser regions where vessels enter the lungs
    for lg in lungs:
        d2 = (u - float(lg["hilum_u"])) ** 2 + (v - float(lg["hilum_v"])) ** 2
        img = img + 0.08 * np.exp(-d2 / (2 * 0.07**2)) * lung_mask

    # vessels, every class: faint branching lines spreading from the hila
    vessel_segments: list[tuple[float, float, float, float, float, float]] = []
    for lg in lungs:
        side = float(lg["side"])
        for _ in range(int(rng.integers(5, 8))):
            # outward, fanning up and down
            ang = math.pi * (0.5 - 0.5 * side) + side * rng.uniform(-1.25, 1.25)
            _branches(
                rng,
                (float(lg["hilum_u"]) + jit(0.02), float(lg["hilum_v"]) + jit(0.05)),
                ang,
                rng.uniform(0.15, 0.24),
                0.022,
                3,
                1.0,
                vessel_segments,
            )
    vessels = _gaussian_blur(cv.lines(vessel_segments), 0.9)
    img = img + (0.09 + jit(0.02)) * vessels * lung_mask

    # ---- spine and airways -------------------------------------------------------
    spine_w = 0.06 + jit(0.01)
    spine = _sigmoid((spine_w - np.abs(u)) / (1.5 * px_unit)) * torso
    vert_period = 0.095 + jit(0.01)
    vertebrae = 0.5 + 0.5 * np.cos(2 * math.pi * (v / vert_period + rng.random()))
    img = img + spine * (0.07 + 0.04 * vertebrae) * (1.0 - 0.5 * abdomen)
    # pedicles: paired oval dots along the spine
    ped = np.exp(-(((np.abs(u) - spine_w * 0.75) / 0.018) ** 2)) * (vertebrae > 0.75)
    img = img + 0.04 * ped * spine

    trachea_w = 0.032 + jit(0.006)
    carina_v = -0.3 + jit(0.04)
    trachea = _sigmoid((trachea_w - np.abs(u - 0.01)) / edge) * _sigmoid((carina_v - v) / 0.02)
    img = img - 0.13 * trachea * _smoothstep(-1.2, -0.85, v)
    bronchi = cv.lines(
        [
            (0.01, carina_v, float(lg["hilum_u"]) * 0.8, float(lg["hilum_v"]) + 0.03, 0.035, 1.0)
            for lg in lungs
        ]
    )
    img = img - 0.07 * _gaussian_blur(bronchi, 1.0)

    # ---- ribs ---------------------------------------------------------------------
    ax = np.abs(u)
    cage = _sigmoid((1.0 - (u / (body_half_w - 0.02)) ** 2 - ((v + 0.05) / 0.8) ** 2) / 0.08)
    cage = cage * _smoothstep(0.05, 0.14, ax) * _sigmoid((dome_all + 0.05 - v) / 0.03)
    rib_sp = 0.16 + jit(0.015)
    v_warp = v + 0.12 * v * v  # slightly wider spacing lower down
    rib_wobble = 0.12 * _lowpass_noise(rng, shape, 0.15 * cv.half)
    phase = (v_warp - (0.75 + jit(0.1)) * ax * ax + 0.12 * ax) / rib_sp + rib_wobble + rng.random()
    f = phase - np.floor(phase)
    rib_band = np.exp(-(((f - 0.5) / 0.2) ** 4))
    rib_edge = np.exp(-(((np.abs(f - 0.5) - 0.2) / 0.04) ** 2))  # brighter cortex
    posterior = 0.7 * rib_band + 0.3 * rib_edge
    phase2 = (v_warp + 0.5 * ax) / (rib_sp * 1.1) + rng.random()
    f2 = phase2 - np.floor(phase2)
    anterior = np.exp(-(((f2 - 0.5) / 0.15) ** 4)) * _smoothstep(0.15, 0.4, ax)
    rib_amp = 0.055 + jit(0.015)
    # ribs show best against the dark lungs, faintly over soft tissue
    cage = cage * (0.3 + 0.7 * _gaussian_blur(lung_mask, 2.0 * cv.half / 96.0))
    img = img + rib_amp * (posterior + 0.35 * anterior) * cage

    # clavicles: bright S-shaped bands from the sternum out to the shoulders
    clav_v0 = -0.7 + jit(0.05)
    for side in (-1.0, 1.0):
        t = (side * u - 0.08) / 0.62  # 0 at medial end, 1 at lateral end
        centre = clav_v0 - 0.1 * t + 0.035 * np.sin(2 * math.pi * t)
        band = np.exp(-(((v - centre) / (0.03 + 0.01 * (1 - t))) ** 2))
        window = _smoothstep(-0.05, 0.08, t) * _smoothstep(1.15, 0.95, t)
        img = img + (0.2 + jit(0.04)) * band * window * torso

    # ---- class pattern inside the lung fields ----------------------------------
    if label == "COVID":
        img = img + _covid(rng, cv, lungs, lung_masks, lung_r2)
    elif label == "Viral_Pneumonia":
        img = img + _viral(rng, cv, lungs, lung_mask)
    elif label == "Lung_Opacity":
        img = img + _consolidation(rng, cv, lungs, lung_masks)

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
    img = _gaussian_blur(img, rng.uniform(0.3, 1.1) * min(width, height) / 192.0)
    img = np.clip(img, 0.0, 1.0) ** rng.uniform(0.75, 1.3)
    contrast = rng.uniform(0.8, 1.2)
    brightness = rng.uniform(-0.08, 0.08)
    img = (img - 0.4) * contrast + 0.4 + brightness
    img = img + rng.normal(0.0, rng.uniform(0.006, 0.025), shape)
    img = img + rng.uniform(0.0, 0.02) * _lowpass_noise(rng, shape, 1.2)  # film grain
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


def _covid(
    rng: np.random.Generator,
    cv: _Canvas,
    lungs: list[dict[str, float | int]],
    lung_masks: list[np.ndarray],
    lung_r2: list[np.ndarray],
) -> np.ndarray:
    """Bilateral, peripheral, lower-zone ground-glass haze."""
    u, v = cv.u, cv.v
    strength = rng.uniform(0.35, 1.0)
    blob = 0.09 * cv.half  # patch size in pixels
    noise = _lowpass_noise(rng, u.shape, blob)
    fine = _lowpass_noise(rng, u.shape, 0.3 * blob)
    patches = 0.3 + 0.7 * _sigmoid((noise + 0.35 * fine - rng.uniform(-0.6, 0.3)) / 0.25)
    out = np.zeros(u.shape, dtype=np.float32)
    for lg, mask, r2 in zip(lungs, lung_masks, lung_r2):
        side_strength = rng.uniform(0.7, 1.0)
        lateral = (u - float(lg["cu"])) * float(lg["side"])  # > 0 towards the chest wall
        periph = _smoothstep(0.0, 0.5, r2) * _smoothstep(-0.4, 0.0, lateral)
        lower = _smoothstep(-0.45, 0.15, v)
        out += side_strength * periph * lower * mask
    return (0.45 * strength) * patches * out


def _viral(
    rng: np.random.Generator,
    cv: _Canvas,
    lungs: list[dict[str, float | int]],
    lung_mask: np.ndarray,
) -> np.ndarray:
    """Bilateral perihilar interstitial streaks."""
    u, v = cv.u, cv.v
    strength = rng.uniform(0.3, 1.0)
    segs: list[tuple[float, float, float, float, float, float]] = []
    weight = np.zeros(u.shape, dtype=np.float32)
    for lg in lungs:
        side = float(lg["side"])
        hu, hv = float(lg["hilum_u"]), float(lg["hilum_v"])
        for _ in range(int(rng.integers(45, 75))):
            ang = math.pi * (0.5 - 0.5 * side) + side * rng.uniform(-1.5, 1.5)
            r0 = rng.uniform(0.03, 0.2)
            u0, v0 = hu + r0 * math.cos(ang), hv + 1.3 * r0 * math.sin(ang)
            length = rng.uniform(0.06, 0.2)
            a2 = ang + rng.normal(0.0, 0.25)
            segs.append(
                (u0, v0, u0 + length * math.cos(a2), v0 + length * math.sin(a2), 0.008, rng.uniform(0.6, 1.0))
            )
            if rng.random() < 0.35:  # short cross-links: reticular look
                cu_, cv_ = u0 + 0.5 * length * math.cos(a2), v0 + 0.5 * length * math.sin(a2)
                ca = a2 + math.pi / 2 + rng.normal(0.0, 0.3)
                ln = rng.uniform(0.03, 0.06)
                segs.append((cu_, cv_, cu_ + ln * math.cos(ca), cv_ + ln * math.sin(ca), 0.008, 0.7))
        d2 = ((u - hu) / 1.0) ** 2 + ((v - hv) / 1.3) ** 2
        weight += np.exp(-d2 / (2 * 0.22**2))
    streaks = _gaussian_blur(cv.lines(segs), 0.7 * cv.half / 96.0)
    haze = _smoothstep(-1.0, 1.5, _lowpass_noise(rng, u.shape, 0.05 * cv.half))
    return strength * weight * lung_mask * (0.2 * streaks + 0.05 * haze)


def _consolidation(
    rng: np.random.Generator,
    cv: _Canvas,
    lungs: list[dict[str, float | int]],
    lung_masks: list[np.ndarray],
) -> np.ndarray:
    """One dense, sharply bounded lobar consolidation in one lung."""
    u, v = cv.u, cv.v
    px_unit = 1.0 / cv.half
    strength = rng.uniform(0.6, 1.0)
    k = int(rng.integers(0, 2))
    lg, mask = lungs[k], lung_masks[k]
    side = float(lg["side"])
    cu, lcv, b = float(lg["cu"]), float(lg["cv"]), float(lg["b"])
    lateral = (u - cu) * side
    wobble = 0.025 * _lowpass_noise(rng, u.shape, 0.05 * cv.half)
    zone = str(rng.choice(["lower", "upper", "middle"]))
    # lobes are bounded by fissures: oblique lines across the lung
    if zone == "lower":
        fissure = lcv + rng.uniform(-0.15, 0.15) * b - rng.uniform(0.3, 0.7) * lateral
        region = _sigmoid((v - fissure + wobble) / (1.5 * px_unit))
    elif zone == "upper":
        fissure = lcv - rng.uniform(0.05, 0.35) * b + rng.uniform(-0.3, 0.1) * lateral
        region = _sigmoid((fissure - v + wobble) / (1.5 * px_unit))
    else:  # middle-lobe / lingula: below a horizontal fissure, against the heart border
        fissure = lcv + rng.uniform(-0.05, 0.2) * b + rng.uniform(-0.1, 0.1) * lateral
        medial_edge = rng.uniform(-0.05, 0.15)
        region = _sigmoid((v - fissure + wobble) / (1.5 * px_unit)) * _sigmoid(
            (medial_edge - lateral + wobble) / (4 * px_unit)
        )
    if rng.random() < 0.35:  # sometimes a rounder, partial-lobe consolidation
        ru, rv = cu + side * rng.uniform(-0.05, 0.12), lcv + rng.uniform(-0.3, 0.4) * b
        rr = rng.uniform(0.16, 0.26)
        region = region * _sigmoid((1.0 - np.hypot(u - ru, v - rv) / rr + wobble) / 0.04)
    region = region * mask
    texture = 0.025 * _lowpass_noise(rng, u.shape, 0.03 * cv.half)
    # air bronchograms: dark branching lines inside the consolidation
    segs: list[tuple[float, float, float, float, float, float]] = []
    for _ in range(int(rng.integers(1, 4))):
        ang = math.pi * (0.5 - 0.5 * side) + side * rng.uniform(-0.9, 0.9)
        _branches(rng, (float(lg["hilum_u"]), float(lg["hilum_v"])), ang, rng.uniform(0.12, 0.2), 0.018, 3, 1.0, segs)
    bronchograms = _gaussian_blur(cv.lines(segs), 0.8 * cv.half / 96.0)
    return region * (strength * (0.36 + texture) - 0.06 * strength * bronchograms)


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


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _atomic_write_png(path: Path, img: np.ndarray) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        Image.fromarray(img).save(tmp, format="PNG")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _readme_text(classes: Sequence[str], n_per_class: int, size: tuple[int, int], seed: int) -> str:
    total = n_per_class * len(classes)
    lines = [
        "SYNTHETIC images generated by cxr-edge (train/synthetic.py), NOT real patients or "
        f"medical data; for demos and tests only. seed={seed}, {n_per_class} per class x "
        f"{len(classes)} classes = {total} images, {size[0]}x{size[1]} px.",
        "",
        "These pictures are drawn from geometric shapes and filtered noise to look roughly",
        "like frontal chest X-rays so that the cxr-edge pipeline can be exercised without",
        "downloading anything. A model trained on them says nothing about real disease.",
        "",
        "Classes (pattern inside the lung fields):",
    ]
    about = {
        "Normal": "clear lungs, only faint vessels near the hila",
        "COVID": "bilateral peripheral lower-zone ground-glass haze",
        "Viral_Pneumonia": "bilateral perihilar interstitial streaks",
        "Lung_Opacity": "one dense, sharply bounded lobar consolidation in one lung",
    }
    for c in classes:
        lines.append(f"- {c}: {n_per_class} images in {c}/ ({about[c]})")
    lines += [
        "",
        "Regenerate with:",
        "    from train.synthetic import generate",
        f"    generate(out_dir, n_per_class={n_per_class}, classes={tuple(classes)!r}, "
        f"size={tuple(size)!r}, seed={seed})",
        "",
    ]
    return "\n".join(lines)


def generate(
    out_dir: Path,
    n_per_class: int = 60,
    classes: Sequence[str] = ("Normal", "COVID"),
    size: tuple[int, int] = (192, 192),
    seed: int = 0,
    progress: bool = False,
) -> list[tuple[Path, str]]:
    """Write out_dir/<class>/synthetic-<class>-<index:04d>.png and out_dir/README.md; return (path, class) pairs in a deterministic order.

    The order is class by class as given in ``classes``, then by index.
    Image ``i`` of class ``c`` is rendered with
    ``np.random.default_rng([seed, SYNTHETIC_CLASSES.index(c), i])``.
    Existing files with the same names are replaced, and older
    ``synthetic-<class>-NNNN.png`` files with an index of ``n_per_class`` or
    more (left by an earlier, larger run) are removed from the class folders
    written, so those folders hold exactly this run's images. Anything else in
    ``out_dir`` (other folders, other files) is left alone.
    """
    if isinstance(classes, str):
        classes = (classes,)
    classes = tuple(classes)
    if not classes:
        raise ValueError(f"classes must not be empty; known classes: {', '.join(SYNTHETIC_CLASSES)}")
    class_idx = [_check_label(c) for c in classes]
    if len(set(classes)) != len(classes):
        raise ValueError(f"classes contains duplicates: {classes!r}")
    if isinstance(n_per_class, bool) or int(n_per_class) != n_per_class or n_per_class < 1:
        raise ValueError(f"n_per_class must be a positive integer, got {n_per_class!r}")
    n_per_class = int(n_per_class)
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    seed = int(seed)
    width, height = _check_size(size)

    out_dir = Path(out_dir)
    total = n_per_class * len(classes)
    done = 0
    every = max(1, total // 50)  # at most ~50 updates, so logs stay short
    pairs: list[tuple[Path, str]] = []
    for label, ci in zip(classes, class_idx):
        class_dir = out_dir / label
        class_dir.mkdir(parents=True, exist_ok=True)
        for i in range(n_per_class):
            img = render(label, np.random.default_rng([seed, ci, i]), (width, height))
            path = class_dir / f"synthetic-{label}-{i:04d}.png"
            _atomic_write_png(path, img)
            pairs.append((path, label))
            done += 1
        for stale in class_dir.glob(f"synthetic-{label}-*.png"):
            index = stale.name[len(f"synthetic-{label}-") : -len(".png")]
            if index.isdigit() and len(index) >= 4 and int(index) >= n_per_class:
                stale.unlink()
            if progress and (done == total or done % every == 0):
                print(f"\rsynthetic: {done}/{total} images", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr, flush=True)
    readme = _readme_text(classes, n_per_class, (width, height), seed)
    _atomic_write_bytes(out_dir / "README.md", readme.encode("utf-8"))
    return pairs
