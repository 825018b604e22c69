"""Where a model finds the evidence for its answer: occlusion sensitivity maps.

Cover one square of the preprocessed image with its mean grey, run the model again, and record
how much the probability of the answer it gave falls; do that for every square. Areas whose
cover lowers the answer most hold its evidence. It needs nothing but the model's predict
function, so it works on a .tflite through edge exactly as on a .keras, with no gradients.

Why it is in the report: COVID X-ray models are known to learn the hospital instead of the
disease (burned-in text, borders, positioning; DeGrave et al. 2021). A map that is hot on a
corner marker or the film's edge, on the images a model gets wrong, shows a user that shortcut
on their own data.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import product

import numpy as np

EVIDENCE_SAMPLE = 200  # images overall_border_share maps: ~15 s for the default int8 file on 2 cores, ~2.5 min for seed's


def _starts(side: int, patch: int, stride: int) -> list[int]:
    """Patch offsets along one side, always including the last one, so every pixel is covered."""
    return sorted(set(range(0, max(1, side - patch + 1), stride)) | {max(0, side - patch)})


def occlusion_map(predict: Callable[[np.ndarray], np.ndarray], image: np.ndarray, target: int,
                  patch: int = 16, stride: int = 8) -> np.ndarray:
    """(H, W) map: the fall of ``target``'s probability when a patch over each pixel is covered
    by the image's mean grey, averaged over the patches that cover it. Positive where the
    evidence for ``target`` lies, negative where covering makes the model surer of it."""
    h, w = image.shape[:2]
    offsets = list(product(_starts(h, patch, stride), _starts(w, patch, stride)))
    batch = np.repeat(image[None], len(offsets), axis=0)
    fill = np.asarray(image.mean()).astype(image.dtype)
    for k, (y0, x0) in enumerate(offsets):
        batch[k, y0:y0 + patch, x0:x0 + patch] = fill
    base = float(predict(image[None])[0, target])
    drops = base - predict(batch)[:, target]
    heat, count = np.zeros((h, w)), np.zeros((h, w))
    for d, (y0, x0) in zip(drops, offsets):
        heat[y0:y0 + patch, x0:x0 + patch] += d
        count[y0:y0 + patch, x0:x0 + patch] += 1
    return heat / np.maximum(count, 1)


def border_share(heat: np.ndarray, margin: float = 0.125) -> float:
    """Share of the positive evidence that lies within ``margin`` of the image's edge.

    The lungs sit in the middle of a chest film; its outer eighth holds borders, collimation,
    text and markers. Uniform evidence gives 1 - (1 - 2 * margin)^2, about 0.44 for the default."""
    pos = np.clip(heat, 0, None)
    total = pos.sum()
    if total <= 0:
        return 0.0
    h, w = heat.shape
    mh, mw = int(round(h * margin)), int(round(w * margin))
    inner = pos[mh:h - mh, mw:w - mw].sum()
    return float((total - inner) / total)


def border_shares(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, answers: np.ndarray,
                  done: Callable[[int], object] | None = None) -> np.ndarray:
    """border_share of each image's map for the model's own answer: where it looks, image by image.
    ``done(1)`` is called after each image (a progress bar's update)."""
    out = []
    for xi, a in zip(x, answers):
        out.append(border_share(occlusion_map(predict, xi, int(a))))
        if done:
            done(1)
    return np.array(out)


def overall_border_share(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, probs: np.ndarray,
                         limit: int = EVIDENCE_SAMPLE, done: Callable[[int], object] | None = None) -> dict:
    """Mean border_share over up to ``limit`` images spread evenly through the set (225 model calls
    each), for the model's own answers: a one-number check of where a model looks on a new set."""
    idx = np.unique(np.linspace(0, len(x) - 1, min(len(x), limit)).round().astype(int))
    shares = border_shares(predict, x[idx], probs[idx].argmax(1), done)
    return {"mean": float(shares.mean()), "n": int(len(idx))}


def explain_mistakes(predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, y: np.ndarray, probs: np.ndarray,
                     limit: int, pred: np.ndarray | None = None) -> list[dict]:
    """Occlusion maps for the ``limit`` most confident mistakes: index, true and predicted class,
    the predicted probability, the map (of the predicted class) and its border share. ``pred``:
    the labels given (default: the most probable class; under a threshold rule, edge.decision's)."""
    pred = probs.argmax(1) if pred is None else np.asarray(pred)
    wrong = np.flatnonzero(pred != y)
    wrong = wrong[np.argsort(-probs[wrong, pred[wrong]], kind="stable")][:limit]
    out = []
    for i in wrong:
        heat = occlusion_map(predict, x[i], int(pred[i]))
        out.append({"index": int(i), "true": int(y[i]), "predicted": int(pred[i]),
                    "probability": float(probs[i, pred[i]]), "heat": heat, "border_share": border_share(heat)})
    return out
