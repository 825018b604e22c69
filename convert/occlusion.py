"""Occlusion maps over a labelled set: where a model looks, image by image, and on its mistakes.

The maps themselves (edge.explain) need nothing but the model's predict function, so they work
on a .tflite through edge exactly as on a .keras, with no gradients.

Why it is in the report: COVID X-ray models are known to learn the hospital instead of the
disease (burned-in text, borders, positioning; DeGrave et al. 2021). A map that is hot on a
corner marker or the film's edge, on the images a model gets wrong, shows a user that shortcut
on their own data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from edge.explain import Occlusion, border_share, occlusion

__all__ = ["EVIDENCE_SAMPLE", "MAX_MAPS", "border_share", "border_shares", "explain_mistakes", "occlusion",
           "overall_border_share"]

MAX_MAPS = 60  # one occlusion.png: 500 maps made a 1.6 GB, 20-metre-tall picture
EVIDENCE_SAMPLE = 200  # images overall_border_share maps: ~20 s for the default int8 file on 2 cores, ~5 min for seed's


def border_shares(log_scores: Callable[[np.ndarray], np.ndarray], x: np.ndarray, answers: np.ndarray,
                  done: Callable[[int], object] | None = None) -> list[float | None]:
    """The border share of each image's map for the model's own answer (None where covering found no
    evidence): where it looks, image by image. ``log_scores``: per-class log-scores of a batch
    (EdgeModel.log_scores); ``done(1)`` is called after each image (a progress bar's update)."""
    return [o.share_at_border for o in _maps(log_scores, x, answers, done)]


def _maps(log_scores: Callable[[np.ndarray], np.ndarray], x: np.ndarray, answers: np.ndarray,
          done: Callable[[int], object] | None = None) -> Iterator[Occlusion]:
    """Each image's map, one at a time: a caller keeps the figures it needs, not 200 maps of a float each."""
    for xi, a in zip(x, answers):
        yield occlusion(log_scores, xi, int(a))
        if done:
            done(1)


def overall_border_share(log_scores: Callable[[np.ndarray], np.ndarray], x: np.ndarray, probs: np.ndarray,
                         limit: int = EVIDENCE_SAMPLE, done: Callable[[int], object] | None = None,
                         pred: np.ndarray | None = None) -> dict:
    """Mean border share over up to ``limit`` images spread evenly through the set (about 300 model
    calls each), for the model's own answers: a one-number check of where a model looks on a new set.
    Images where covering found no evidence are counted apart (``without_evidence``), never as 0%.
    ``pred``: the labels given (default: the most probable class; under a threshold rule,
    edge.decision's), whose evidence is mapped, as in the mistakes' maps.

    The share weighs evidence by area, so a small decisive marker among many squares that each move the
    answer a little holds little of it (a planted corner marker that flipped 19 of 51 answers: 40%, below
    the 44% of evidence spread evenly). ``strongest_at_border`` counts what such a marker is: the share of
    images whose strongest square lies in the outer eighth, beside ``strongest_at_border_even``, the share of
    the squares that lie there (what it would be if the strongest were any square alike)."""
    idx = np.unique(np.linspace(0, len(x) - 1, min(len(x), limit)).round().astype(int))
    pred = probs.argmax(1) if pred is None else np.asarray(pred)
    found = [(o.share_at_border, o.strongest_at_border, o.grid_at_border)
             for o in _maps(log_scores, x[idx], pred[idx], done) if o.found]

    def mean(k: int) -> float | None:
        return float(np.mean([f[k] for f in found])) if found else None

    return {"mean": mean(0), "n": len(found), "without_evidence": len(idx) - len(found),
            "strongest_at_border": mean(1), "strongest_at_border_even": mean(2)}


def explain_mistakes(log_scores: Callable[[np.ndarray], np.ndarray], x: np.ndarray, y: np.ndarray, probs: np.ndarray,
                     limit: int, pred: np.ndarray | None = None, done: Callable[[int], object] | None = None) -> list[dict]:
    """Occlusion maps for the ``limit`` most confident mistakes: index, true and predicted class,
    the predicted probability, the map (of the predicted class: edge.explain.Occlusion) and its
    border share (None where no evidence was found). ``pred``: the labels given (default: the most
    probable class; under a threshold rule, edge.decision's); ``done(1)`` is called after each map."""
    pred = probs.argmax(1) if pred is None else np.asarray(pred)
    wrong = np.flatnonzero(pred != y)
    wrong = wrong[np.argsort(-probs[wrong, pred[wrong]], kind="stable")][:limit]
    out = []
    for i in wrong:
        found = occlusion(log_scores, x[i], int(pred[i]))
        out.append({"index": int(i), "true": int(y[i]), "predicted": int(pred[i]),
                    "probability": float(probs[i, pred[i]]), "map": found, "border_share": found.share_at_border})
        if done:
            done(1)
    return out
