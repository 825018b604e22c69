"""train.crop_copies pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which the fast tests of tests/test_crop_copies.py and tests/test_code_distance.py let
through). These find the re-published crops and turns of a film, so that they stay on its side of the split."""

from __future__ import annotations

import numpy as np

from train.crop_copies import crop_and_mirror_pairs, crop_print, turned
from train.synthetic import render


def _films(n: int = 10) -> list[np.ndarray]:
    return [render(("COVID", "Normal")[k % 2], np.random.default_rng(k), (200, 200)) for k in range(n)]


def _crops(every: list[np.ndarray]) -> list[list[int]]:
    crops, _ = crop_and_mirror_pairs(*(np.stack(p) for p in zip(*map(crop_print, every))))
    return crops.tolist()


def test_a_film_cut_by_the_largest_margin_is_found():
    """6% a side is the largest cut guessed (CROP_MARGINS): a copy cut 6% off its top joins its film."""
    films = _films()
    assert _crops(films + [np.ascontiguousarray(films[0][12:])]) == [[10, 0]]


def test_a_film_turned_with_white_corners_is_found():
    """Tools fill a turned film's corners black or white (TURNS): a copy turned 4 degrees with white corners joins
    its film."""
    films = _films()
    assert _crops(films + [turned(films[1], 4.0, 255)]) == [[1, 10]]  # the film, turned as guessed, is the copy


def test_a_film_that_is_its_own_mirror_image_is_no_mirrored_copy_of_itself():
    """A left-right symmetric film's mirror code is its own code: it is not counted as a mirrored pair."""
    films = _films()
    sym = films[3].copy()
    sym[:, 100:] = np.fliplr(sym[:, :100])
    _, mirrors = crop_and_mirror_pairs(*(np.stack(p) for p in zip(*map(crop_print, films + [sym]))))
    assert mirrors.tolist() == []


def test_a_mirror_image_whose_code_is_in_doubt_is_joined_by_its_thumbnail():
    """A mirrored copy also cut by 1% comes 11 bits from its film, past COPY_CODE_BITS: the thumbnails settle it."""
    films = _films()
    copy = np.ascontiguousarray(np.fliplr(films[3])[2:])
    _, mirrors = crop_and_mirror_pairs(*(np.stack(p) for p in zip(*map(crop_print, films + [copy]))))
    assert mirrors.tolist() == [[3, 10], [10, 3]]
