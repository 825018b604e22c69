"""Training defaults that depend on the data: epochs from a step budget, BatchNorm momentum."""

from __future__ import annotations

import pytest

from train.one_run import auto_epochs


@pytest.mark.parametrize("steps, epochs", [(17, 120), (30, 120), (40, 100), (100, 40), (660, 15), (10_000, 15)])
def test_auto_epochs_follows_a_step_budget_within_bounds(steps, epochs):
    # cxr-dev COVID vs Normal has 17 steps an epoch; the full Kaggle database about 660.
    assert auto_epochs(steps) == epochs


def test_auto_epochs_never_returns_zero_for_empty_input():
    assert auto_epochs(0) == 120


def test_bn_momentum_remembers_about_one_epoch():
    pytest.importorskip("keras")
    from train.models import bn_momentum

    assert bn_momentum(3) == pytest.approx(0.667, abs=1e-3)
    assert bn_momentum(17) == pytest.approx(1 - 1 / 17)
    assert bn_momentum(1000) == 0.95


@pytest.mark.parametrize("arch", ["seed", "compact"])
def test_saved_model_holds_weights_without_optimizer_state(tmp_path, arch):
    """The optimizer's moments would triple model.keras (seed: 323 MB instead of 108 MB)."""
    pytest.importorskip("keras")
    import zipfile

    import h5py
    import keras
    import numpy as np

    from train.fit import save_model
    from train.models import compact_cnn, seed_cnn

    model = (seed_cnn if arch == "seed" else compact_cnn)(32, 2)
    x = np.random.default_rng(0).random((4, 32, 32, model.input_shape[-1]), dtype=np.float32)
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, np.zeros((4, 2)), verbose=0)
    save_model(model, tmp_path / "model.keras")
    with zipfile.ZipFile(tmp_path / "model.keras") as z:
        z.extract("model.weights.h5", tmp_path)
    with h5py.File(tmp_path / "model.weights.h5") as f:
        assert "optimizer" not in f
    loaded = keras.models.load_model(tmp_path / "model.keras", compile=False)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_a_training_whose_loss_becomes_nan_says_it_diverged(tmp_path):
    """Keras stopped on a NaN loss, and cxr-train then failed writing the member's record:
    'Out of range float values are not JSON compliant: nan', not why."""
    import numpy as np
    import pytest

    from train.fit import FitConfig, TrainingDiverged, fit
    from train.models import build

    rng = np.random.default_rng(0)
    x, y = rng.random((8, 32, 32, 3), dtype=np.float32), np.array([0, 1] * 4)
    model = build("seed", 32, 2)
    cfg = FitConfig(epochs=2, batch_size=4, learning_rate=1e300, patience=2, augment=False, verbose=0)
    with pytest.raises(TrainingDiverged, match=r"training diverged: the loss became nan in epoch 1.*lower --learning-rate \(it was 1e\+300\)"):
        fit(model, (x, y), (x, y), 2, cfg, tmp_path)


def test_fit_leaves_the_best_epochs_weights_in_the_model_and_records_that_epoch(tmp_path):
    """The model file must be the epoch of least validation loss, the one run.json's best_epoch names:
    shipping the last epoch's weights (or stopping on training loss) ships an over-fitted model whose
    validation figures and temperature describe other weights."""
    import keras
    import numpy as np

    from train.fit import FitConfig, fit
    from train.models import build

    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (48, 32, 32, 1), dtype=np.uint8)
    y = (x.mean((1, 2, 3)) > 127).astype(np.int64)
    xv, yv = x[:16] // 2 + 100, rng.integers(0, 2, 16)  # labels unrelated: val loss rises as training fits
    model = build("compact", 32, 2, steps_per_epoch=3)
    cfg = FitConfig(epochs=6, batch_size=16, patience=100, verbose=0, augment=False)
    h = fit(model, (x, y), (xv, yv), 2, cfg, tmp_path)
    best = h["best_epoch"][0]
    assert best == int(np.argmin(h["val_loss"])) + 1
    assert best < len(h["val_loss"])  # the test means something only where the best epoch is not the last
    model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    got = float(np.ravel(model.evaluate(xv.astype(np.float32), yv, verbose=0))[0])
    assert got == pytest.approx(h["val_loss"][best - 1], abs=1e-3)
    assert abs(got - h["val_loss"][-1]) > 1e-2  # and the last epoch's is another


def test_an_epoch_whose_validation_loss_is_nan_is_never_the_best_epoch_recorded(tmp_path):
    """Keras' EarlyStopping never takes a NaN validation loss as an improvement, so the weights it restores are of
    the least finite one; best_epoch took np.argmin, which picks the NaN, and named an epoch whose weights are not
    the model's (curves.png marked it 'restored')."""
    import keras
    import numpy as np

    from train.fit import FitConfig, fit

    class NanOnSecondLook(keras.layers.Layer):
        """The identity, but NaN on the second validation pass (one batch a pass): epoch 2's val_loss is NaN."""

        def build(self, shape):
            self.looks = self.add_weight(shape=(), initializer="zeros", trainable=False, name="looks")

        def call(self, x, training=False):
            if training:
                return x
            self.looks.assign_add(1.0)
            return keras.ops.where(keras.ops.equal(self.looks, 2.0), keras.ops.full_like(x, float("nan")), x)

    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (16, 8, 8, 1), dtype=np.uint8)
    y = (x.mean((1, 2, 3)) > 127).astype(np.int64)
    inputs = keras.Input((8, 8, 1))
    h = keras.layers.Flatten()(keras.layers.Rescaling(1 / 255)(inputs))
    model = keras.Model(inputs, NanOnSecondLook()(keras.layers.Dense(2)(h)))
    cfg = FitConfig(epochs=3, batch_size=16, learning_rate=1e-2, patience=100, verbose=0, augment=False)
    h = fit(model, (x, y), (x, y), 2, cfg, tmp_path)
    assert np.isnan(h["val_loss"][1]) and np.isfinite(h["val_loss"][0]) and np.isfinite(h["val_loss"][2])
    assert h["best_epoch"] == [int(np.nanargmin(h["val_loss"])) + 1]
