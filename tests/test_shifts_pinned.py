"""convert.shifts pinned where a small change went unseen (hand mutation testing: each test here failed with one such
change in place, which every earlier test of the simulated shifts let through). A row of the robustness table is named
by its setting ('blur', 'rotate 8deg', 'edge enhancement'): a shift that applied another strength, direction or
place would report a film change that was never made."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

import convert.shifts as shifts
from convert.shifts import SHIFTS, drop_points, lean, robustness, shift_workers, shifted_inputs
from edge.preprocess import PreprocessConfig


def _film(h: int, w: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(40, 216, (h, w)).astype(np.uint8)


def _pil(x: np.ndarray, f) -> np.ndarray:
    return np.asarray(f(Image.fromarray(x)))


def test_blur_is_a_gaussian_of_1_5_pixels_at_256_that_scales_with_the_longer_side():
    g = _film(256, 200)
    assert np.array_equal(SHIFTS["blur"](g), _pil(g, lambda i: i.filter(ImageFilter.GaussianBlur(1.5))))
    big = _film(512, 400)
    assert np.array_equal(SHIFTS["blur"](big), _pil(big, lambda i: i.filter(ImageFilter.GaussianBlur(3.0))))


def test_vendor_processing_uses_its_settings_scaled_by_the_shorter_side_and_at_least_one_pixel():
    """Edge enhancement: radius 1/128 of the shorter side (2 px of a 256x512 film), 150%; local contrast: 1/12.8
    (20 px), 80%; no threshold. A 64 px film's edge enhancement keeps a radius of 1 px, not 0.5."""
    g = _film(256, 512)
    assert np.array_equal(SHIFTS["edge enhancement"](g), _pil(g, lambda i: i.filter(
        ImageFilter.UnsharpMask(radius=2.0, percent=150, threshold=0))))
    assert np.array_equal(SHIFTS["local contrast"](g), _pil(g, lambda i: i.filter(
        ImageFilter.UnsharpMask(radius=20.0, percent=80, threshold=0))))
    small = _film(64, 64)
    assert np.array_equal(SHIFTS["edge enhancement"](small), _pil(small, lambda i: i.filter(
        ImageFilter.UnsharpMask(radius=1.0, percent=150, threshold=0))))


def test_rotation_is_8_degrees_anticlockwise_bilinear_with_black_corners_and_the_same_size():
    g = _film(200, 160)
    r = SHIFTS["rotate 8deg"](g)
    assert r.shape == g.shape and r[0, 0] == r[-1, -1] == 0
    assert np.array_equal(r, _pil(g, lambda i: i.rotate(8.0, resample=Image.Resampling.BILINEAR, fillcolor=0)))


def test_zoom_keeps_the_centre():
    g = _film(200, 160)
    assert np.array_equal(SHIFTS["zoom 0.85"](g), g[15:185, 12:148])


def test_contrast_is_lowered_about_the_films_own_mean_brightness():
    """A dark film (mean 60) keeps its mean under 'contrast x0.6'; about 128 it would be made brighter too."""
    g = np.random.default_rng(0).integers(20, 100, (100, 100)).astype(np.uint8)
    assert SHIFTS["contrast x0.6"](g).mean() == pytest.approx(g.mean(), abs=0.5)


def test_noise_never_wraps_a_bright_pixel_to_black_and_differs_between_films_of_one_size():
    white = np.full((64, 64), 250, np.uint8)
    assert SHIFTS["noise sd 12"](white).min() > 150
    a, b = _film(64, 64, 1), _film(64, 64, 2)
    assert not np.array_equal(SHIFTS["noise sd 12"](a).astype(int) - a, SHIFTS["noise sd 12"](b).astype(int) - b)
    assert np.array_equal(SHIFTS["noise sd 12"](a), SHIFTS["noise sd 12"](a))  # the same film, the same noise


def test_text_markers_are_a_black_label_box_with_text_top_left_and_an_r_bottom_right_scaled_to_the_film():
    """At 512x384 (scale 2) the box is 120x28 px from (15, 20); 'R' is drawn near the bottom-right corner only."""
    g = np.full((512, 384), 128, np.uint8)
    t = SHIFTS["text markers"](g)
    black = np.argwhere(t == 0)
    assert black.min(0).tolist() == [20, 15] and black.max(0).tolist() == [48, 135]
    assert (t[20:49, 15:136] == 255).any()  # "PORTABLE" inside the box
    assert (t[400:, 300:] == 255).any() and not (t[400:, :80] == 255).any()
    assert (g == 128).all()  # the caller's film is not drawn on


def test_the_unshifted_inputs_come_first():
    films = [_film(80, 64)]
    assert list(shifted_inputs(films, PreprocessConfig(size=32, channels=1)))[0] == "none"


def test_at_most_8_threads_shift_films_however_many_cores(monkeypatch):
    monkeypatch.setattr(shifts, "usable_cores", lambda: 32)
    assert shift_workers() == 8


def test_a_drop_keeps_its_decimals():
    """report.json's drop is the figure, not the table's rounding of it."""
    assert drop_points(0.75, 0.7433) == pytest.approx(0.67, abs=1e-9)


def test_each_shift_counts_its_own_labels():
    """'label_counts' is what the shifted films were called, not what the unshifted ones were: a stand-in model that
    calls a film class 0 when it is brighter than the middle of the unshifted films."""
    films, y, config = [_film(120, 100, k) for k in range(6)], np.array([0, 1] * 3), PreprocessConfig(size=32, channels=1)
    inputs = shifted_inputs(films, config)
    middle = float(np.median(inputs["none"].reshape(6, -1).mean(axis=1)))

    def model(x: np.ndarray) -> np.ndarray:
        c = (x.reshape(len(x), -1).astype(float).mean(axis=1) > middle).astype(float)
        return np.stack([c, 1 - c], axis=1)

    rob = robustness(model, films, config, y, 2)
    for name, x in inputs.items():
        assert rob[name]["label_counts"] == np.bincount(model(x).argmax(1), minlength=2).tolist(), name
    assert rob["gamma 0.6"]["label_counts"] != rob["none"]["label_counts"]


def test_no_wrong_into_total_unless_every_shift_recorded_it():
    """A robustness record where some shifts predate 'wrong_into': a total of those that have it would be read as
    the whole."""
    rob = {"none": {"moved_into": [0, 0], "probability_change": [0.0, 0.0]},
           "a": {"moved_into": [2, 0], "probability_change": [0.2, -0.2], "wrong_into": [1, 0]},
           "b": {"moved_into": [1, 1], "probability_change": [-0.1, 0.1]}}
    assert "wrong_into" not in lean(rob)

