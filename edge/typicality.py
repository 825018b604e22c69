"""Does this input look like the chest X-rays the model was trained on?

A classifier answers every input, even an upside-down or negative film, a lateral view, a
photo of a screen or a scanned form, and its probability says nothing about whether the
question made sense. This check gives the device a second, model-independent opinion: the
preprocessed image is shrunk to a coarse thumbnail (8x8 by default: the layout of lungs,
mediastinum, shoulders and diaphragm, not the findings) and scored under a probabilistic PCA
(Tipping & Bishop 1999) of the training images' thumbnails. The score is a squared
Mahalanobis distance in the principal subspace plus the residual energy off it; the threshold
is a high quantile of scores no fit has seen (validation images, and training images cross-fitted),
so about 1% of typical images are flagged.
An image whose thumbnail has far less contrast than any training image's (no lungs, no
mediastinum: noise, a blank or out-of-focus picture) is flagged too; the Gaussian score alone
can miss it, because "no structure" lies close to the mean image.

Coarse on purpose: at 8x8, exposure changes (the histogram is equalised anyway), noise, blur,
burned-in text and a few degrees of rotation barely move the score, so a new hospital's
films are not flagged for being from a new hospital (on cxr-dev, 2 of 51 films of a hospital
left out of training), while films that are inverted, rotated by 90 degrees or not chest
X-rays at all mostly are (benchmarks/input_check.py; RESULTS.md, "Input check"). It checks the
layout only: a drawing of a chest passes, and so may anything else laid out like a chest film,
including the films of a population the model never saw (none of 120 children's films, for a
model trained without children: RESULTS.md, "Input check"). Numpy only, so it runs
wherever edge does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edge.capped_repr import capped_text

THUMBNAIL_SIDE = 8
COMPONENTS = 6
QUANTILE = 0.99
# What a flag means, no more: about 1 in 100 ordinary films of the training sites is flagged too.
FLAGGED = f"less typical than {QUANTILE:.0%} of the films this model was checked against (input check)"
CHUNK = 512  # images a thumbnail pass holds at once


def thumbnails(batch: np.ndarray, side: int = THUMBNAIL_SIDE) -> np.ndarray:
    """(N, side*side) block means in 0..1 of a uint8 (N, H, W, C) batch, channels averaged.

    Blocks follow np.array_split, so any image size works (128 -> 16-pixel blocks). A large batch
    goes CHUNK images at a time: each image's thumbnail is its own, and averaging channels makes a
    float64 copy (2.7 times a 3-channel uint8 set: 2.6 GB for cxr-evaluate's 20,000 films)."""
    x = np.asarray(batch)
    if len(x) > CHUNK:
        return np.concatenate([thumbnails(x[i:i + CHUNK], side) for i in range(0, len(x), CHUNK)])
    x = x[..., 0] if x.shape[-1] == 1 else x.mean(axis=-1)
    n, h, w = x.shape
    if h < side or w < side:
        raise ValueError(f"images of {h}x{w} pixels are smaller than the {side}x{side} thumbnail")
    if h % side == 0 and w % side == 0:  # the usual case, and several times faster than reduceat
        blocks = x.reshape(n, side, h // side, side, w // side)
        return blocks.sum(axis=(2, 4), dtype=np.float64).reshape(n, side * side) / (255.0 * (h // side) * (w // side))
    rows = np.array_split(np.arange(h), side)
    cols = np.array_split(np.arange(w), side)
    sums = np.add.reduceat(np.add.reduceat(x.astype(np.float64), [r[0] for r in rows], axis=1), [c[0] for c in cols], axis=2)
    counts = np.outer([len(r) for r in rows], [len(c) for c in cols])
    return (sums / counts / 255.0).reshape(n, side * side)


@dataclass(frozen=True)
class Typicality:
    """A probabilistic PCA of training thumbnails and the score above which an input is atypical."""

    mean: np.ndarray  # (D,)
    components: np.ndarray  # (K, D), orthonormal rows
    variances: np.ndarray  # (K,), along each component
    residual_variance: float  # per dimension, off the subspace
    threshold: float
    side: int = THUMBNAIL_SIDE
    min_contrast: float = 0.0  # below this standard deviation of the thumbnail, an input has no chest layout

    def score(self, batch: np.ndarray) -> np.ndarray:
        """(N,) atypicality scores of a uint8 batch; larger is less like the training images."""
        return self._score(thumbnails(batch, self.side))

    def atypical(self, batch: np.ndarray) -> np.ndarray:
        """(N,) booleans: the score is above the threshold, or the thumbnail nearly uniform."""
        return self.unlikeness(batch) > 1.0

    def unlikeness(self, batch: np.ndarray) -> np.ndarray:
        """(N,) scores as multiples of the threshold: above 1 is flagged, and a report lists the
        most unlike first. A nearly uniform thumbnail counts as just above 1 at least."""
        t = thumbnails(batch, self.side)
        ratio = self._score(t) / self.threshold
        return np.where(t.std(axis=1) < self.min_contrast, np.maximum(ratio, np.nextafter(1.0, 2.0)), ratio)

    def _score(self, t: np.ndarray) -> np.ndarray:
        d = t - self.mean
        coef = d @ self.components.T
        residual = d - coef @ self.components
        return (coef**2 / self.variances).sum(axis=1) + (residual**2).sum(axis=1) / self.residual_variance

    def to_dict(self) -> dict:
        """JSON-ready, rounded to 6 significant digits (about 8 KB of indented JSON in a model file, before the archive compresses it)."""
        r = lambda a: [float(f"{v:.6g}") for v in np.ravel(a)]  # noqa: E731
        return {"method": "probabilistic PCA of thumbnails", "side": self.side, "mean": r(self.mean),
                "components": [r(c) for c in self.components], "variances": r(self.variances),
                "residual_variance": float(f"{self.residual_variance:.6g}"), "threshold": float(f"{self.threshold:.6g}"),
                "min_contrast": float(f"{self.min_contrast:.6g}")}

    @classmethod
    def from_dict(cls, d: dict) -> "Typicality":
        try:
            t = cls(mean=np.asarray(d["mean"], np.float64), components=np.asarray(d["components"], np.float64),
                    variances=np.asarray(d["variances"], np.float64), residual_variance=float(d["residual_variance"]),
                    threshold=float(d["threshold"]), side=int(d["side"]), min_contrast=float(d.get("min_contrast", 0.0)))
        except (KeyError, TypeError, ValueError, OverflowError) as e:  # OverflowError: a side of Infinity, 10**400
            raise ValueError(f"the input check's data are damaged ({type(e).__name__}: {capped_text(e)})") from None
        k, dim = t.components.shape if t.components.ndim == 2 else (-1, -1)
        if dim != t.side**2 or t.mean.shape != (dim,) or t.variances.shape != (k,) or not np.all(t.variances > 0) \
                or not t.residual_variance > 0:
            raise ValueError("the input check's data are damaged (inconsistent shapes or variances)")
        # a NaN or negative threshold, or a NaN in the mean, passed every film as checked and typical
        if not (np.isfinite(t.threshold) and t.threshold > 0 and np.isfinite(t.min_contrast) and t.min_contrast >= 0
                and np.all(np.isfinite(t.mean)) and np.all(np.isfinite(t.components))
                and np.all(np.isfinite(t.variances)) and np.isfinite(t.residual_variance)):
            raise ValueError("the input check's data are damaged (a threshold or figure that is not a finite number, "
                             "or a threshold not above 0)")
        return t


def fit_typicality(train: np.ndarray, val: np.ndarray, side: int = THUMBNAIL_SIDE, components: int = COMPONENTS,
                   quantile: float = QUANTILE, folds: int = 5) -> Typicality:
    """Fit on the training images; set the threshold at ``quantile`` of scores that no fit has
    seen: the validation images', and each training image's under a fit on the other folds.

    With a small validation split alone (the synthetic demo's 24 images) the 99th percentile is
    little more than its largest score, and the false-alarm rate would be anyone's guess.
    The contrast floor is half the 1st percentile of the training thumbnails' contrast (that
    percentile is 0.21 on cxr-dev, so the floor is 0.11; uniform noise after histogram
    equalisation: 0.02)."""
    t = thumbnails(train, side)
    if len(t) < 2 * components or len(val) == 0:
        raise ValueError(f"the input check needs at least {2 * components} training images and one validation image, "
                         f"got {len(t)} and {len(val)}")
    held_out = [_fit(np.delete(t, np.arange(k, len(t), folds), axis=0), components, side)._score(t[k::folds])
                for k in range(folds)]
    model = _fit(t, components, side)
    threshold = float(np.quantile(np.concatenate([model.score(val), *held_out]), quantile))
    min_contrast = 0.5 * float(np.quantile(t.std(axis=1), 0.01))
    return Typicality(model.mean, model.components, model.variances, model.residual_variance, threshold, side, min_contrast)


def _fit(t: np.ndarray, components: int, side: int) -> Typicality:
    """The probabilistic PCA of thumbnails ``t`` (no threshold yet)."""
    mean = t.mean(axis=0)
    _, s, vt = np.linalg.svd(t - mean, full_matrices=False)
    var = s**2 / len(t)
    floor = 1e-8 + 1e-6 * var[0]  # a constant set would otherwise divide by zero
    residual = max(float(var[components:].sum()) / max(1, t.shape[1] - components), floor)
    return Typicality(mean, vt[:components], np.maximum(var[:components], floor), residual, 0.0, side)
