"""Normal chest anatomy for the SYNTHETIC images of train/synthetic.py. NOT medical data.

The anatomy is geometric shapes and filtered noise, laid out to look roughly like a frontal (PA)
chest X-ray:

* a dark background (air) around a mid-grey body;
* a bright mediastinum with a spine column, and a darker trachea;
* two dark lung fields, bounded below by the diaphragm domes;
* faint rib arcs over the lungs, clavicles, humeral heads;
* a heart shadow low in the chest, off to one side of the midline, and an
  aortic knob;
* faint branching vessels near the hila.

Every chest gets random variation in its anatomy, drawn the same way for every class. The class
patterns (train/synthetic_findings.py) are drawn on top, inside the lung fields this module
returns; pose and exposure are applied afterwards (train/synthetic.py).

It draws with the kit of train/synthetic_draw.py. Only numpy and Pillow are used.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from train.synthetic_draw import Canvas, Segment, blend, branches, gaussian_blur, lowpass_noise, sigmoid, smoothstep

# One lung's geometry: side (-1 left, +1 right), centre, half axes, diaphragm dome, hilum.
Lung = dict[str, float | int]

# Side of the image (-1 = left, +1 = right) where the heart shadow is drawn.
# In a standard PA radiograph the patient's left is on the viewer's right,
# so the heart shadow appears right of the midline.
_HEART_SIDE = 1


# --------------------------------------------------------------------------
# the normal chest
# --------------------------------------------------------------------------


class Chest(NamedTuple):
    """A drawn chest before pose and exposure, with the lung geometry findings are drawn into."""

    img: np.ndarray  # float image, roughly in [0, 1]
    background: float  # value of the air around the body (fills the border when posed)
    lungs: list[Lung]  # [left lung, right lung]
    lung_masks: list[np.ndarray]  # soft 0..1 mask of each lung field
    lung_r2: list[np.ndarray]  # normalised radius^2 inside each lung (0 at the centre)
    lung_mask: np.ndarray  # both lung fields


def draw_chest(rng: np.random.Generator, cv: Canvas) -> Chest:
    """One random normal chest on ``cv``; the same for every class, so anatomy carries no label."""
    u, v = cv.u, cv.v
    shape = (cv.h, cv.w)
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
    half_w = neck_half_w + (body_half_w + 0.12 - neck_half_w) * smoothstep(
        shoulder_v - 0.35, shoulder_v + 0.05, v
    )
    half_w = half_w - 0.06 * smoothstep(-0.2, 1.2, v) ** 2
    torso = sigmoid((half_w - np.abs(u)) / (2.5 * px_unit))
    soft = 0.42 + jit(0.04) - 0.08 * smoothstep(0.6, 1.0, np.abs(u) / body_half_w)
    img = blend(img, soft, torso)

    # humeral heads in the upper corners
    for side in (-1.0, 1.0):
        hu, hv, hr = side * (body_half_w + 0.06 + jit(0.04)), shoulder_v - 0.02 + jit(0.04), 0.17
        d = np.hypot(u - hu, v - hv) / hr
        img = img + 0.22 * sigmoid((1.0 - d) / 0.06) * torso

    # ---- lung geometry ----------------------------------------------------
    lungs: list[Lung] = []
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

    def dome_line(lg: Lung) -> np.ndarray:
        cu, a = float(lg["cu"]), float(lg["a"])
        return float(lg["dome_v"]) - float(lg["dome_h"]) * (1.0 - ((u - cu) / (1.4 * a)) ** 2)

    dome_all = np.where(u < 0, dome_line(lungs[0]), dome_line(lungs[1]))

    # ---- abdomen / liver below the domes ------------------------------------------
    abdomen = sigmoid((v - dome_all) / (3 * px_unit)) * torso
    abdomen_val = 0.57 + jit(0.04)
    img = blend(img, abdomen_val, abdomen)
    # gastric bubble under the left hemidiaphragm (heart side)
    if rng.random() < 0.6:
        gu = hs * (0.4 + jit(0.06))
        gv = float(lungs[1 if hs > 0 else 0]["dome_v"]) + 0.1 + jit(0.03)
        gd = ((u - gu) / (0.1 + jit(0.03))) ** 2 + ((v - gv) / 0.055) ** 2
        img = img - 0.1 * sigmoid((1.0 - gd) / 0.2) * abdomen

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
    bulge = np.sqrt(1.0 - (1.0 - t_h) ** 2) - 0.12 * smoothstep(heart_mid, heart_mid + 0.3, v)
    width_heart_side = med_w + (heart_w - med_w) * bulge
    knob_v = -0.4 + jit(0.04)
    width_heart_side = width_heart_side + (0.07 + jit(0.015)) * np.exp(-(((v - knob_v) / 0.07) ** 2))
    width_other_side = med_w + (0.06 + jit(0.02)) * np.sqrt(1.0 - (1.0 - t_h) ** 2)
    side_u = u * hs  # > 0 on the heart side
    med_half = np.where(side_u > 0, width_heart_side, width_other_side)
    mediastinum = sigmoid((med_half - np.abs(u)) / (1.5 * px_unit)) * torso
    img = blend(img, abdomen_val + jit(0.02), mediastinum)

    # ---- lungs ------------------------------------------------------------------
    lung_mask = np.zeros(shape, dtype=np.float32)
    lung_r2: list[np.ndarray] = []  # normalised radius^2 inside each lung
    lung_masks: list[np.ndarray] = []
    for lg in lungs:
        cu, lcv, a, b = float(lg["cu"]), float(lg["cv"]), float(lg["a"]), float(lg["b"])
        dv = np.clip((v - lcv) / b, -1.0, 1.0)
        a_eff = a * (1.0 + 0.22 * dv)  # egg shape: wider at the bases
        r2 = ((u - cu) / a_eff) ** 2 + ((v - lcv) / b) ** 2
        m = sigmoid((1.0 - r2) / 0.03) * sigmoid((dome_line(lg) - v) / edge) * (1.0 - mediastinum)
        lung_masks.append(m.astype(np.float32))
        lung_r2.append(r2.astype(np.float32))
        lung_mask = np.maximum(lung_mask, m)

    lung_val = 0.15 + jit(0.04) - 0.05 * smoothstep(0.3, 0.9, np.abs(u)) + 0.04 * smoothstep(-0.6, 0.5, v)
    img = blend(img, lung_val, lung_mask)
    img = img + 0.012 * lowpass_noise(rng, shape, 0.02 * cv.half) * lung_mask

    # hila: slightly denser regions where vessels enter the lungs
    for lg in lungs:
        d2 = (u - float(lg["hilum_u"])) ** 2 + (v - float(lg["hilum_v"])) ** 2
        img = img + 0.08 * np.exp(-d2 / (2 * 0.07**2)) * lung_mask

    # vessels, every class: faint branching lines spreading from the hila
    vessel_segments: list[Segment] = []
    for lg in lungs:
        side = float(lg["side"])
        for _ in range(int(rng.integers(5, 8))):
            # outward, fanning up and down
            ang = math.pi * (0.5 - 0.5 * side) + side * rng.uniform(-1.25, 1.25)
            root = (float(lg["hilum_u"]) + jit(0.02), float(lg["hilum_v"]) + jit(0.05))
            branches(rng, root, ang, rng.uniform(0.15, 0.24), 0.022, 3, 1.0, vessel_segments)
    vessels = gaussian_blur(cv.lines(vessel_segments), 0.9)
    img = img + (0.09 + jit(0.02)) * vessels * lung_mask

    # ---- spine and airways -------------------------------------------------------
    spine_w = 0.06 + jit(0.01)
    spine = sigmoid((spine_w - np.abs(u)) / (1.5 * px_unit)) * torso
    vert_period = 0.095 + jit(0.01)
    vertebrae = 0.5 + 0.5 * np.cos(2 * math.pi * (v / vert_period + rng.random()))
    img = img + spine * (0.07 + 0.04 * vertebrae) * (1.0 - 0.5 * abdomen)
    # pedicles: paired oval dots along the spine
    ped = np.exp(-(((np.abs(u) - spine_w * 0.75) / 0.018) ** 2)) * (vertebrae > 0.75)
    img = img + 0.04 * ped * spine

    trachea_w = 0.032 + jit(0.006)
    carina_v = -0.3 + jit(0.04)
    trachea = sigmoid((trachea_w - np.abs(u - 0.01)) / edge) * sigmoid((carina_v - v) / 0.02)
    img = img - 0.13 * trachea * smoothstep(-1.2, -0.85, v)
    bronchi = cv.lines(
        [
            (0.01, carina_v, float(lg["hilum_u"]) * 0.8, float(lg["hilum_v"]) + 0.03, 0.035, 1.0)
            for lg in lungs
        ]
    )
    img = img - 0.07 * gaussian_blur(bronchi, 1.0)

    # ---- ribs ---------------------------------------------------------------------
    ax = np.abs(u)
    cage = sigmoid((1.0 - (u / (body_half_w - 0.02)) ** 2 - ((v + 0.05) / 0.8) ** 2) / 0.08)
    cage = cage * smoothstep(0.05, 0.14, ax) * sigmoid((dome_all + 0.05 - v) / 0.03)
    rib_sp = 0.16 + jit(0.015)
    v_warp = v + 0.12 * v * v  # slightly wider spacing lower down
    rib_wobble = 0.12 * lowpass_noise(rng, shape, 0.15 * cv.half)
    phase = (v_warp - (0.75 + jit(0.1)) * ax * ax + 0.12 * ax) / rib_sp + rib_wobble + rng.random()
    f = phase - np.floor(phase)
    rib_band = np.exp(-(((f - 0.5) / 0.2) ** 4))
    rib_edge = np.exp(-(((np.abs(f - 0.5) - 0.2) / 0.04) ** 2))  # brighter cortex
    posterior = 0.7 * rib_band + 0.3 * rib_edge
    phase2 = (v_warp + 0.5 * ax) / (rib_sp * 1.1) + rng.random()
    f2 = phase2 - np.floor(phase2)
    anterior = np.exp(-(((f2 - 0.5) / 0.15) ** 4)) * smoothstep(0.15, 0.4, ax)
    rib_amp = 0.055 + jit(0.015)
    # ribs show best against the dark lungs, faintly over soft tissue
    cage = cage * (0.3 + 0.7 * gaussian_blur(lung_mask, 2.0 * cv.half / 96.0))
    img = img + rib_amp * (posterior + 0.35 * anterior) * cage

    # clavicles: bright S-shaped bands from the sternum out to the shoulders
    clav_v0 = -0.7 + jit(0.05)
    for side in (-1.0, 1.0):
        t = (side * u - 0.08) / 0.62  # 0 at medial end, 1 at lateral end
        centre = clav_v0 - 0.1 * t + 0.035 * np.sin(2 * math.pi * t)
        band = np.exp(-(((v - centre) / (0.03 + 0.01 * (1 - t))) ** 2))
        window = smoothstep(-0.05, 0.08, t) * smoothstep(1.15, 0.95, t)
        img = img + (0.2 + jit(0.04)) * band * window * torso

    return Chest(img, background, lungs, lung_masks, lung_r2, lung_mask)
