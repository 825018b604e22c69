"""Occlusion maps: a classifier whose evidence is known must be found where it is."""

from __future__ import annotations

import numpy as np
import pytest

from convert.occlusion import explain_mistakes, overall_border_share
from edge.explain import border_share, occlusion_map


def top_left_detector(x: np.ndarray) -> np.ndarray:
    """P(class 1) is the brightness of the 32x32 top-left corner, and depends on nothing else."""
    p1 = x[:, :32, :32, 0].astype(float).mean(axis=(1, 2)) / 255
    return np.stack([1 - p1, p1], axis=1)


def image(corner: int) -> np.ndarray:
    img = np.full((128, 128, 1), 60, np.uint8)
    img[:32, :32] = corner
    return img


def test_the_map_is_hot_where_the_evidence_is_and_zero_elsewhere():
    heat = occlusion_map(top_left_detector, image(250), target=1)
    assert heat.shape == (128, 128)
    assert heat[:24, :24].min() > 0.05
    # No patch that covers pixels past row/column 48 touches the corner.
    assert np.all(heat[48:, :] == 0) and np.all(heat[:, 48:] == 0)
    # For the other class the same patches raise the probability: negative evidence.
    assert occlusion_map(top_left_detector, image(250), target=0)[:24, :24].max() < 0


def test_every_pixel_is_covered_when_the_side_is_not_a_multiple_of_the_stride():
    seen = []

    def record(x):
        seen.append(x.copy())
        return np.tile([[0.5, 0.5]], (len(x), 1))

    img = np.zeros((30, 30, 1), np.uint8)
    img[::2] = 255  # stripes: the mean grey (127) differs from every pixel
    occlusion_map(record, img, 0, patch=16, stride=8)
    covered = (seen[1] != img).any(axis=0)[..., 0]  # seen[0] is the unmodified image
    assert covered.all()


def test_border_share():
    heat = np.zeros((64, 64))
    heat[:4, :] = 1.0
    assert border_share(heat) == pytest.approx(1.0)
    heat = np.zeros((64, 64))
    heat[28:36, 28:36] = 1.0
    assert border_share(heat) == 0.0
    assert border_share(np.ones((64, 64))) == pytest.approx(1 - 0.75 ** 2)
    assert border_share(-np.ones((8, 8))) == 0.0


def test_explain_mistakes_picks_the_most_confident_errors_in_order():
    x = np.stack([image(c) for c in (250, 200, 40, 250)])
    y = np.array([0, 0, 0, 1])  # the first two are called class 1 wrongly, the first more surely
    probs = top_left_detector(x)
    out = explain_mistakes(top_left_detector, x, y, probs, limit=5)
    assert [m["index"] for m in out] == [0, 1]
    assert out[0]["probability"] > out[1]["probability"] and out[0]["predicted"] == 1 and out[0]["true"] == 0
    # The evidence is a corner: well above the 0.44 of evidence spread evenly (the corner's inner
    # quarter and the patches' reach lie inside the outer eighth's line).
    assert out[0]["border_share"] > 0.6
    assert explain_mistakes(top_left_detector, x, y, probs, limit=1)[0]["index"] == 0


def test_overall_border_share_samples_evenly_and_follows_the_answers():
    x = np.stack([image(c) for c in (250, 40, 250, 40, 250)])
    probs = top_left_detector(x)
    every = overall_border_share(top_left_detector, x, probs)
    assert every["n"] == 5 and every["mean"] > 0.6  # all the evidence is in the corner
    two = overall_border_share(top_left_detector, x, probs, limit=2)  # images 0 and 4
    assert two["n"] == 2
    assert two["mean"] == pytest.approx(border_share(occlusion_map(top_left_detector, x[0], 1)))
    # under a threshold rule the answers are the rule's: the evidence mapped is for the class given
    given = np.zeros(5, int)  # every film called class 0, whose evidence here is none (a negative map)
    ruled = overall_border_share(top_left_detector, x, probs, pred=given)
    assert ruled["mean"] == pytest.approx(np.mean([border_share(occlusion_map(top_left_detector, i, 0)) for i in x]))
    assert ruled["mean"] < every["mean"]
