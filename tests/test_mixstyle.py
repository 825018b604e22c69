"""MixStyle: mixes feature statistics between films in training, is the identity otherwise, and
never reaches a saved model."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from train.models import MixStyle, build, inference_copy  # noqa: E402


def _styled_batch() -> np.ndarray:
    """Eight maps of one shared content pattern, each with its own channel means and spreads."""
    rng = np.random.default_rng(0)
    content = rng.standard_normal((1, 6, 6, 3)).astype(np.float32)
    scale = rng.uniform(0.5, 4.0, (8, 1, 1, 3)).astype(np.float32)
    shift = rng.uniform(-5.0, 5.0, (8, 1, 1, 3)).astype(np.float32)
    return content * scale + shift


def test_identity_outside_training():
    x = _styled_batch()
    np.testing.assert_array_equal(np.asarray(MixStyle(p=1.0)(x)), x)
    np.testing.assert_array_equal(np.asarray(MixStyle(p=1.0)(x, training=False)), x)


def test_training_mixes_each_films_statistics_with_a_batch_mates_and_keeps_its_content():
    x = _styled_batch()
    y = np.asarray(MixStyle(p=1.0, seed=3)(x, training=True))
    mu_x, mu_y = x.mean(axis=(1, 2)), y.mean(axis=(1, 2))
    assert not np.allclose(mu_x, mu_y, atol=1e-2), "p = 1 must change the statistics"
    # Each new mean is a convex mix of two of the batch's means: within their range.
    assert np.all(mu_y >= mu_x.min(axis=0) - 1e-3) and np.all(mu_y <= mu_x.max(axis=0) + 1e-3)
    # Only the statistics move: normalised, every map is still the content it was.
    def norm(a):
        return (a - a.mean(axis=(1, 2), keepdims=True)) / a.std(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(norm(y), norm(x), atol=1e-3)


def test_probability_zero_leaves_training_batches_alone():
    x = _styled_batch()
    np.testing.assert_allclose(np.asarray(MixStyle(p=0.0)(x, training=True)), x, atol=1e-5)


@pytest.mark.parametrize("widths", [(16, 32, 32, 64, 64, 80), (8, 8, 16, 16, 24, 24)])
def test_the_inference_copy_has_no_mixstyle_and_gives_the_same_logits(tmp_path, widths):
    from train.models import compact_cnn

    model = compact_cnn(32, 3, widths=widths, mixstyle=0.5)
    assert sum(isinstance(layer, MixStyle) for layer in model.layers) == 2
    plain = inference_copy(model)
    assert not any(isinstance(layer, MixStyle) for layer in plain.layers)
    x = np.random.default_rng(1).uniform(0, 255, (4, 32, 32, 1)).astype(np.float32)
    np.testing.assert_allclose(plain.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)
    plain.save(tmp_path / "m.keras")  # loads with no custom objects: nothing of MixStyle was kept
    np.testing.assert_allclose(keras.models.load_model(tmp_path / "m.keras", compile=False).predict(x, verbose=0),
                               model.predict(x, verbose=0), atol=1e-5)


def test_the_tutorial_network_refuses_mixstyle():
    with pytest.raises(ValueError, match="compact"):
        build("seed", 32, 2, mixstyle=0.5)


@pytest.mark.parametrize("arch, p, said", [("compact", 1.5, "probability"), ("compact", -0.1, "probability"),
                                           ("compact", float("nan"), "probability"), ("seed", 0.5, "none to mix")])
def test_training_refuses_a_bad_setting_before_writing_anything(tmp_path, arch, p, said):
    from train.run import TrainSettings, run_training

    with pytest.raises(ValueError, match=said):
        run_training(TrainSettings(data="synthetic", out=tmp_path / "run", arch=arch, mixstyle=p))
    assert not (tmp_path / "run").exists()
