"""The small numpy drawing kit of the SYNTHETIC images (train/synthetic*.py). NOT medical data.

Smooth edges (sigmoid, smoothstep), blending, Gaussian blur, low-pass noise, the :class:`Canvas`
coordinate frame that every shape is drawn in, and random branching trees (vessels, bronchi).
train/synthetic_anatomy.py draws a normal chest with it, train/synthetic_findings.py the class
patterns on top. Only numpy and Pillow are used.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

# A line segment for Canvas.lines: (u0, v0, u1, v1, width_in_units, value).
Segment = tuple[float, float, float, float, float, float]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def blend(base: np.ndarray, value: np.ndarray | float, alpha: np.ndarray) -> np.ndarray:
    return base + (value - base) * alpha


def gaussian_blur(img: np.ndarray, sigma: float) -> np.ndarray:
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


def lowpass_noise(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    """Smooth random field with zero mean and unit standard deviation.

    Wide fields are made on a coarser grid and scaled up, which looks the same
    and costs much less."""
    h, w = shape
    step = max(1, int(sigma // 2.0))
    small = (h // step + 2, w // step + 2) if step > 1 else shape
    field = gaussian_blur(rng.standard_normal(small, dtype=np.float32), sigma / step)
    if step > 1:
        big = Image.fromarray(field).resize((small[1] * step, small[0] * step), Image.Resampling.BILINEAR)
        field = np.asarray(big, dtype=np.float32)[step : step + h, step : step + w].copy()
    field -= field.mean()
    std = float(field.std())
    return field / std if std > 0 else field


class Canvas:
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

    def lines(self, segments: list[Segment]) -> np.ndarray:
        """Draw (u0, v0, u1, v1, width_in_units, value) segments into a float layer."""
        layer = Image.new("F", (self.w, self.h), 0.0)
        draw = ImageDraw.Draw(layer)
        for u0, v0, u1, v1, width, value in segments:
            wpx = max(1, int(round(width * self.half)))
            draw.line([self.px(u0, v0), self.px(u1, v1)], fill=float(value), width=wpx)
        return np.asarray(layer, dtype=np.float32).copy()


def branches(
    rng: np.random.Generator, start: tuple[float, float], angle: float, length: float,
    width: float, depth: int, value: float, out: list[Segment],
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
        new_angle = a2 + sign * rng.uniform(0.25, 0.6)
        new_length = length * rng.uniform(0.55, 0.8)
        branches(rng, (u1, v1), new_angle, new_length, width * 0.7, depth - 1, value * 0.8, out)
