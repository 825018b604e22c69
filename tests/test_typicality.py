"""The input check (edge.typicality): thumbnails, the fitted threshold, what it flags, and its
round trip through a model file's metadata; on real chest X-rays where cxr-dev is present."""

from __future__ import annotations

import json

import numpy as np
import pytest

from edge.typicality import Typicality, fit_typicality, thumbnails
from tests.conftest import cxr_dev_or_skip


def layout_images(n: int, seed: int, size: int = 64) -> np.ndarray:
    """Frontal-chest-like layouts: a bright frame with two dark 'lungs' whose place, size and
    brightness vary, plus noise; uint8 (n, size, size, 1)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    out = []
    for _ in range(n):
        img = 0.6 + 0.1 * rng.standard_normal() + 0.3 * yy  # brighter towards the abdomen
        for cx in (0.3, 0.7):
            cx += 0.04 * rng.standard_normal()
            cy, ry, rx = 0.45 + 0.04 * rng.standard_normal(), 0.28 + 0.03 * rng.standard_normal(), 0.14 + 0.02 * rng.standard_normal()
            img = np.where(((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 < 1, 0.2 + 0.1 * rng.random(), img)
        img = img + 0.05 * rng.standard_normal((size, size))
        out.append(np.clip(img * 255, 0, 255).astype(np.uint8)[..., None])
    return np.stack(out)


def test_thumbnails_are_block_means_for_any_size_and_channel_count():
    x = np.arange(16, dtype=np.uint8).reshape(1, 4, 4, 1) * 10
    t = thumbnails(x, side=2)
    assert t.shape == (1, 4)
    assert np.allclose(t[0] * 255, [np.mean([0, 10, 40, 50]), np.mean([20, 30, 60, 70]),
                                    np.mean([80, 90, 120, 130]), np.mean([100, 110, 140, 150])])
    rgb = np.concatenate([x, x + 1, x + 2], axis=-1)
    assert np.allclose(thumbnails(rgb, 2) * 255, t * 255 + 1)
    odd = np.random.default_rng(0).integers(0, 256, (2, 10, 13, 1)).astype(np.uint8)  # sides not multiples of 8
    rows, cols = np.array_split(np.arange(10), 8), np.array_split(np.arange(13), 8)
    naive = [[odd[k, r][:, c].mean() / 255 for r in rows for c in cols] for k in range(2)]
    assert np.allclose(thumbnails(odd), naive)
    with pytest.raises(ValueError, match="smaller than"):
        thumbnails(np.zeros((1, 4, 4, 1), np.uint8), side=8)


def test_about_one_percent_of_fresh_typical_images_are_flagged_even_with_a_tiny_validation_split():
    """The threshold comes from scores no fit has seen (validation, and training cross-fitted), so
    a 5-image validation split does not make it the largest of 5 scores."""
    fresh = layout_images(2000, 2)
    for n_val in (200, 5):
        check = fit_typicality(layout_images(300, 0), layout_images(n_val, 1))
        rate = check.atypical(fresh).mean()
        assert 0.002 <= rate <= 0.03, (n_val, rate)
    in_sample = check.score(layout_images(300, 0))
    assert check.threshold > np.quantile(in_sample, 0.99)  # held-out scores run higher than fitted ones


def test_it_flags_inverted_rotated_upside_down_and_structureless_inputs():
    check = fit_typicality(layout_images(300, 0), layout_images(200, 1))
    test = layout_images(200, 2)
    assert check.atypical(255 - test).mean() > 0.95
    assert check.atypical(np.rot90(test, 1, axes=(1, 2))).mean() > 0.95
    assert check.atypical(test[:, ::-1]).mean() > 0.95
    flat = np.full((5, 64, 64, 1), 128, np.uint8)
    assert check.atypical(flat).all() and (check.unlikeness(flat) > 1).all()
    # A left-right mirror keeps a symmetric layout: not what the check is for, and not flagged.
    assert check.atypical(test[:, :, ::-1]).mean() < 0.05


def test_a_nearly_uniform_film_is_flagged_by_the_contrast_floor_where_its_score_would_pass_it():
    """A blank, washed-out or over-exposed film lies close to the mean image, so the Gaussian score alone can
    pass it; the contrast floor (min_contrast, fitted and kept in the model file) flags it all the same.
    Without the floor such a film was labelled as a chest X-ray with no warning."""
    import dataclasses

    fitted = fit_typicality(layout_images(100, 0), layout_images(50, 1))
    assert fitted.min_contrast > 0
    flat = np.full((3, 64, 64, 1), 128, np.uint8)
    check = dataclasses.replace(fitted, mean=thumbnails(flat)[0])  # its score for a flat grey film: 0
    assert (check.score(flat) < 1e-9).all()
    assert check.atypical(flat).all() and (check.unlikeness(flat) > 1).all()
    back = Typicality.from_dict(json.loads(json.dumps(check.to_dict())))
    assert back.min_contrast == pytest.approx(fitted.min_contrast, rel=1e-5) and back.atypical(flat).all()


def test_metadata_round_trip_keeps_the_scores_and_damage_is_refused():
    check = fit_typicality(layout_images(100, 0), layout_images(50, 1))
    d = json.loads(json.dumps(check.to_dict()))
    back = Typicality.from_dict(d)
    x = layout_images(20, 3)
    assert np.allclose(back.score(x), check.score(x), rtol=1e-4)
    assert len(json.dumps(d)) < 10_000
    for broken in ({**d, "variances": d["variances"][:-1]}, {**d, "side": 4}, {k: v for k, v in d.items() if k != "mean"},
                   {**d, "residual_variance": 0}, {**d, "components": "junk"},
                   {**d, "threshold": -1.0}, {**d, "threshold": 0.0}):  # -1 passed every film as typical
        with pytest.raises(ValueError, match="damaged"):
            Typicality.from_dict(broken)


def test_too_few_training_images_is_a_clear_error():
    with pytest.raises(ValueError, match="at least 12 training images"):
        fit_typicality(layout_images(10, 0), layout_images(5, 1))


def test_damaged_input_check_in_a_model_file_is_a_model_file_error(tiny_run, tmp_path):
    from edge import metadata as md
    from edge.model import EdgeModel

    flatbuffer, meta, files = md.read(tiny_run / "model_int8.tflite")
    assert "typicality" in meta
    damaged = tmp_path / "damaged.tflite"
    damaged.write_bytes(md.attach(flatbuffer, {**meta, "typicality": {**meta["typicality"], "mean": [1.0]}}, files))
    with pytest.raises(md.ModelFileError, match="input check"):
        EdgeModel(damaged)
    old = tmp_path / "old.tflite"  # files from before the check: classified, never flagged
    old.write_bytes(md.attach(flatbuffer, {k: v for k, v in meta.items() if k != "typicality"}, files))
    m = EdgeModel(old)
    assert m.typicality is None and m.atypical(np.zeros((1, *m.input_shape[1:]), np.uint8)) is None


def test_on_real_chest_xrays_new_sites_pass_and_inverted_films_do_not():
    """Fitted on cxr-dev's adult Kaggle films, scored on the Hannover films (a hospital it never saw)."""
    import csv

    from edge.preprocess import PreprocessConfig, load_grayscale, preprocess_gray

    root = cxr_dev_or_skip()
    rows = list(csv.DictReader(open(root / "MANIFEST.csv")))
    kaggle = [r["file"] for r in rows if r["label"] in ("COVID", "Normal") and "hannover" not in r["file"]][::2]
    hannover = [load_grayscale(root / r["file"]) for r in rows if "hannover" in r["file"]]
    config = PreprocessConfig()
    x = np.stack([preprocess_gray(load_grayscale(root / f), config) for f in kaggle])
    check = fit_typicality(x[0::2], x[1::2])  # both halves from both classes and every source

    def flagged(films) -> float:
        return float(check.atypical(np.stack([preprocess_gray(g, config) for g in films])).mean())

    assert len(hannover) >= 40
    assert flagged(hannover) <= 0.1
    assert flagged([255 - g for g in hannover]) >= 0.8  # a negative film, e.g. MONOCHROME1 shown raw
    assert flagged([np.rot90(g) for g in hannover]) >= 0.8


def test_a_large_batch_gets_the_thumbnails_it_would_get_whole(monkeypatch):
    import edge.typicality as typicality

    x = np.random.default_rng(5).integers(0, 256, (11, 32, 32, 3), dtype=np.uint8)
    whole = thumbnails(x, 8)
    monkeypatch.setattr(typicality, "CHUNK", 4)  # three chunks, the last short
    assert np.array_equal(thumbnails(x, 8), whole)

