"""How an evidence map is painted over its film, the same in edge-classify --explain and the reports.

A map is read on screens, on greyscale printouts and by people who cannot tell red from green, so its
strength is carried by lightness alone: the film under the map is dimmed, and the evidence is painted
over it from orange to pale yellow, each lighter than any dimmed film, more opaque the stronger it is.
A painted pixel is then lighter the stronger the evidence, whatever the film beneath (red to yellow
over the film as it was made weak evidence on bright bone print darker than no evidence at all).
The half-strongest outline and the frame of the film's outer eighth are drawn as a dark and a light
line side by side, so each shows on dark lung and on white bone alike. numpy alone: the device has
no plotting library.
"""

from __future__ import annotations

import numpy as np

DIM = 0.4  # the film under a map keeps 40% of its lightness: at most grey 102, below the ramp's darkest
RAMP_LOW = np.array([255.0, 100.0, 0.0])  # orange, grey 126 in print (Rec. 709)
RAMP_HIGH = np.array([255.0, 255.0, 170.0])  # pale yellow, grey 249
MAX_ALPHA = 0.85  # the strongest square still lets the film show through
OUTLINE_LEVEL = 0.5  # the outline goes round evidence at half the map's strongest
DARK, LIGHT = (0, 0, 0), (255, 255, 255)


def strength(heat: np.ndarray, found: bool = True) -> np.ndarray:
    """The positive evidence relative to the map's strongest square, 0..1; all 0 where no evidence was found."""
    pos = np.clip(np.asarray(heat, float), 0, None)
    return pos / pos.max() if found and pos.max() > 0 else np.zeros(pos.shape)


def painted(gray: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8: the film ``gray`` (H, W, 0..255) with evidence of strength ``t`` painted over it.
    Without evidence (``t`` all 0) the film is shown as it is."""
    base = np.repeat(np.asarray(gray, float)[..., None], 3, axis=-1)
    if not t.any():
        return np.round(base).astype(np.uint8)
    colour = RAMP_LOW + (RAMP_HIGH - RAMP_LOW) * t[..., None]
    alpha = MAX_ALPHA * t[..., None]
    return np.round(DIM * base * (1 - alpha) + colour * alpha).astype(np.uint8)


def outline(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(inner, outer): the pixels of ``mask`` that touch one outside it, and the pixels outside it that touch
    it: the light line is drawn on the first, the dark one on the second (4-neighbours)."""
    m = np.pad(np.asarray(mask, bool), 1)
    core = m[1:-1, 1:-1]
    near_out = ~m[:-2, 1:-1] | ~m[2:, 1:-1] | ~m[1:-1, :-2] | ~m[1:-1, 2:]
    near_in = m[:-2, 1:-1] | m[2:, 1:-1] | m[1:-1, :-2] | m[1:-1, 2:]
    return core & near_out, ~core & near_in


def luminance(rgb: np.ndarray) -> np.ndarray:
    """Grey level of sRGB pixels as a greyscale print gives it (Rec. 709 weights): how the tests read a painted map."""
    return np.asarray(rgb, float)[..., :3] @ np.array([0.2126, 0.7152, 0.0722])
