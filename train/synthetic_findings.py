"""Class patterns for the SYNTHETIC images of train/synthetic.py. NOT medical data.

The class of a synthetic image is decided only by a pattern drawn inside the lung fields of a
normal chest (train/synthetic_anatomy.py). Everything else, anatomy, pose, exposure, borders and
markers, is drawn the same way for every class, so only this pattern tells the classes apart.
Its strength is random, so some cases are subtle:

* ``Normal``: clear lungs, only the faint vessels near the hila (nothing is added here).
* ``COVID``: bilateral ground-glass opacities in the periphery and lower
  zones: soft, patchy haze near the lateral and lower lung edges, both sides.
* ``Viral_Pneumonia``: diffuse bilateral interstitial streaks around the
  hila: many thin linear markings, central rather than peripheral.
* ``Lung_Opacity``: one dense lobar consolidation, a bright region with a
  sharp edge in ONE lung (upper, lower or middle zone, either side).

These are drawings of the textbook descriptions, not of real radiographs; a model trained on
them learns nothing about real disease.
"""

from __future__ import annotations

import math

import numpy as np

from train.synthetic_anatomy import Chest, Lung
from train.synthetic_draw import Canvas, Segment, branches, gaussian_blur, lowpass_noise, sigmoid, smoothstep


def add_finding(label: str, rng: np.random.Generator, cv: Canvas, chest: Chest) -> np.ndarray:
    """``chest.img`` with the pattern of class ``label`` added (unchanged for ``Normal``)."""
    img = chest.img
    if label == "COVID":
        img = img + _covid(rng, cv, chest.lungs, chest.lung_masks, chest.lung_r2)
    elif label == "Viral_Pneumonia":
        img = img + _viral(rng, cv, chest.lungs, chest.lung_mask)
    elif label == "Lung_Opacity":
        img = img + _consolidation(rng, cv, chest.lungs, chest.lung_masks)
    return img


def _covid(
    rng: np.random.Generator,
    cv: Canvas,
    lungs: list[Lung],
    lung_masks: list[np.ndarray],
    lung_r2: list[np.ndarray],
) -> np.ndarray:
    """Bilateral, peripheral, lower-zone ground-glass haze."""
    u, v = cv.u, cv.v
    strength = rng.uniform(0.35, 1.0)
    blob = 0.09 * cv.half  # patch size in pixels
    noise = lowpass_noise(rng, u.shape, blob)
    fine = lowpass_noise(rng, u.shape, 0.3 * blob)
    patches = 0.3 + 0.7 * sigmoid((noise + 0.35 * fine - rng.uniform(-0.6, 0.3)) / 0.25)
    out = np.zeros(u.shape, dtype=np.float32)
    for lg, mask, r2 in zip(lungs, lung_masks, lung_r2):
        side_strength = rng.uniform(0.7, 1.0)
        lateral = (u - float(lg["cu"])) * float(lg["side"])  # > 0 towards the chest wall
        periph = smoothstep(0.0, 0.5, r2) * smoothstep(-0.4, 0.0, lateral)
        lower = smoothstep(-0.45, 0.15, v)
        out += side_strength * periph * lower * mask
    return (0.45 * strength) * patches * out


def _viral(
    rng: np.random.Generator,
    cv: Canvas,
    lungs: list[Lung],
    lung_mask: np.ndarray,
) -> np.ndarray:
    """Bilateral perihilar interstitial streaks."""
    u, v = cv.u, cv.v
    strength = rng.uniform(0.3, 1.0)
    segs: list[Segment] = []
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
    streaks = gaussian_blur(cv.lines(segs), 0.7 * cv.half / 96.0)
    haze = smoothstep(-1.0, 1.5, lowpass_noise(rng, u.shape, 0.05 * cv.half))
    return strength * weight * lung_mask * (0.2 * streaks + 0.05 * haze)


def _consolidation(
    rng: np.random.Generator,
    cv: Canvas,
    lungs: list[Lung],
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
    wobble = 0.025 * lowpass_noise(rng, u.shape, 0.05 * cv.half)
    zone = str(rng.choice(["lower", "upper", "middle"]))
    # lobes are bounded by fissures: oblique lines across the lung
    if zone == "lower":
        fissure = lcv + rng.uniform(-0.15, 0.15) * b - rng.uniform(0.3, 0.7) * lateral
        region = sigmoid((v - fissure + wobble) / (1.5 * px_unit))
    elif zone == "upper":
        fissure = lcv - rng.uniform(0.05, 0.35) * b + rng.uniform(-0.3, 0.1) * lateral
        region = sigmoid((fissure - v + wobble) / (1.5 * px_unit))
    else:  # middle-lobe / lingula: below a horizontal fissure, against the heart border
        fissure = lcv + rng.uniform(-0.05, 0.2) * b + rng.uniform(-0.1, 0.1) * lateral
        medial_edge = rng.uniform(-0.05, 0.15)
        region = sigmoid((v - fissure + wobble) / (1.5 * px_unit)) * sigmoid(
            (medial_edge - lateral + wobble) / (4 * px_unit)
        )
    if rng.random() < 0.35:  # sometimes a rounder, partial-lobe consolidation
        ru, rv = cu + side * rng.uniform(-0.05, 0.12), lcv + rng.uniform(-0.3, 0.4) * b
        rr = rng.uniform(0.16, 0.26)
        region = region * sigmoid((1.0 - np.hypot(u - ru, v - rv) / rr + wobble) / 0.04)
    region = region * mask
    texture = 0.025 * lowpass_noise(rng, u.shape, 0.03 * cv.half)
    # air bronchograms: dark branching lines inside the consolidation
    segs: list[Segment] = []
    for _ in range(int(rng.integers(1, 4))):
        ang = math.pi * (0.5 - 0.5 * side) + side * rng.uniform(-0.9, 0.9)
        branches(rng, (float(lg["hilum_u"]), float(lg["hilum_v"])), ang, rng.uniform(0.12, 0.2), 0.018, 3, 1.0, segs)
    bronchograms = gaussian_blur(cv.lines(segs), 0.8 * cv.half / 96.0)
    return region * (strength * (0.36 + texture) - 0.06 * strength * bronchograms)
