"""edge.typicality pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which every earlier test of the input check that needs no trained model let through). The
input check is what tells a user that a film is unlike the ones the figures were measured on."""

from __future__ import annotations

import numpy as np
import pytest

from edge.typicality import FLAGGED, Typicality, fit_typicality, thumbnails
from tests.test_typicality import layout_images


def _check(threshold: float, min_contrast: float = 0.0) -> Typicality:
    """A hand-made check on 2x2 thumbnails: the score is the squared distance from mid-grey."""
    return Typicality(mean=np.full(4, 0.5), components=np.eye(4)[:2], variances=np.ones(2), residual_variance=1.0,
                      threshold=threshold, side=2, min_contrast=min_contrast)


def _film(*quarters: int) -> np.ndarray:
    return np.kron(np.array(quarters, np.uint8).reshape(2, 2), np.ones((4, 4), np.uint8))[None, ..., None]


def test_a_film_exactly_at_the_threshold_is_not_flagged():
    """'above the threshold' is flagged: a film scoring exactly the threshold is not (about 1 in 100 typical films
    lies above it by construction, and ties at it would add to them)."""
    film = _film(0, 255, 255, 255)
    at = float(_check(1.0).score(film)[0])
    assert _check(at).unlikeness(film)[0] == 1.0 and not _check(at).atypical(film)[0]
    assert _check(np.nextafter(at, 0)).atypical(film)[0]


def test_the_contrast_floor_flags_below_it_not_at_it_and_keeps_a_larger_ratio():
    """A film of exactly the floor's contrast has a chest layout as far as the floor goes; one under it is flagged,
    and one that scores far past the threshold keeps that score's ratio (reports list the most unlike first)."""
    film = _film(100, 140, 120, 130)
    contrast = float(thumbnails(film, 2).std(axis=1)[0])
    assert not _check(1e6, contrast).atypical(film)[0]
    assert _check(1e6, np.nextafter(contrast, 1.0)).atypical(film)[0]
    far = _check(0.001, 1.0)  # every film under the floor; this one scores 15 times the threshold
    ratio = float(far.score(film)[0]) / far.threshold
    assert ratio > 2 and far.unlikeness(film)[0] == pytest.approx(ratio)


def test_thumbnails_of_a_side_divisible_one_way_only_are_block_means():
    x = np.random.default_rng(1).integers(0, 256, (1, 16, 12, 1)).astype(np.uint8)
    rows, cols = np.array_split(np.arange(16), 8), np.array_split(np.arange(12), 8)
    assert np.allclose(thumbnails(x)[0], [x[0, r][:, c].mean() / 255 for r in rows for c in cols])
    with pytest.raises(ValueError, match="smaller than the 8x8 thumbnail"):
        thumbnails(np.zeros((1, 4, 16, 1), np.uint8))  # too few rows, enough columns


def test_no_validation_image_is_a_clear_error():
    with pytest.raises(ValueError, match="one validation image"):
        fit_typicality(layout_images(20, 0), np.zeros((0, 64, 64, 1), np.uint8))


def test_the_fit_is_the_probabilistic_pca_its_docstring_names_and_the_floor_half_the_1st_percentile():
    """The residual variance per dimension is the mean of the eigenvalues left off the subspace (Tipping & Bishop's
    maximum likelihood), and the contrast floor half the 1st percentile of the training thumbnails' contrast; the
    flag is said as 'less typical than 99%'."""
    train = layout_images(60, 0)
    check = fit_typicality(train, layout_images(10, 1))
    t = thumbnails(train)
    eig = np.linalg.svd(t - t.mean(axis=0), compute_uv=False) ** 2 / len(t)
    assert check.residual_variance == pytest.approx(eig[6:].sum() / (64 - 6))
    assert check.min_contrast == pytest.approx(0.5 * np.quantile(t.std(axis=1), 0.01))
    assert FLAGGED.startswith("less typical than 99% of the films")


@pytest.mark.parametrize("field", ["residual_variance", "variances"])
def test_an_infinite_variance_in_a_model_file_is_damage(field):
    """An infinite variance silences its part of the score: films off the subspace would all pass as typical."""
    d = _check(1.0).to_dict()
    d[field] = float("inf") if field == "residual_variance" else [1.0, float("inf")]
    with pytest.raises(ValueError, match="damaged"):
        Typicality.from_dict(d)


def test_the_variance_floor_is_a_millionth_of_the_largest_eigenvalue():
    """Training films that vary along one direction only leave the other components and the residual with no
    variance: each gets the floor, 1e-8 + 1e-6 of the largest eigenvalue, and a film off that direction scores a
    finite, large figure. Without the floor it divided by zero; a floor 10 times higher or lower scales every score
    off the training films' direction by 10."""
    chequer = (np.indices((8, 8)).sum(axis=0) % 2).astype(np.uint8)
    films = np.stack([np.where(chequer == k % 2, 200, 50).astype(np.uint8) for k in range(20)])[..., None]
    check = fit_typicality(films, films[:2])
    t = thumbnails(films)
    largest = float(np.linalg.svd(t - t.mean(axis=0), compute_uv=False)[0] ** 2 / len(t))
    floor = 1e-8 + 1e-6 * largest
    assert largest == pytest.approx(64 * (150 / 255 / 2) ** 2)  # two films, half each: a chequer and its inverse
    assert check.variances[0] == pytest.approx(largest)
    assert check.variances[1:] == pytest.approx(np.full(5, floor), rel=1e-9)
    assert check.residual_variance == pytest.approx(floor, rel=1e-9)
    off = np.full((1, 8, 8, 1), 125, np.uint8)  # mid-grey: on no film's direction but the mean's
    off[0, 0, 0] = 255
    off_direction = (130 / 255) ** 2 * (1 - 1 / 64)  # its squared distance from the mean, less the chequer's share
    assert np.isfinite(check.score(off)[0]) and check.score(off)[0] == pytest.approx(off_direction / floor, rel=0.01)
