"""train.fit pinned where a small change went unseen (hand mutation testing: each test here failed with one such
change in place, which the fast tests of tests/test_training_defaults.py, tests/test_run_record.py and
tests/test_train_messages.py let through). What the model is trained with: the class weights in its loss, the
learning rate's cosine schedule over exactly the steps run, early stopping's patience, the epoch whose weights are
restored, and the views a distilling run's batches carry. Tiny Dense models on 8x8 films: seconds, not minutes."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def keras():
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    return keras


def _linear(keras, seed: int = 0):
    """An 8x8 film, scaled as the house models scale theirs, into two logits."""
    keras.utils.set_random_seed(seed)
    i = keras.Input((8, 8, 1))
    return keras.Model(i, keras.layers.Dense(2)(keras.layers.Flatten()(keras.layers.Rescaling(1 / 255)(i))))


def _films(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (n, 8, 8, 1), dtype=np.uint8)
    return x, (x.mean((1, 2, 3)) > 127).astype(np.int64)


def test_a_class_without_training_films_gets_a_finite_weight_and_is_not_left_out():
    """A class whose films all went to validation and test (a very small class): its weight as for one film, and
    the last class still named, not a division by zero nor a missing key."""
    from train.fit import class_weights

    assert class_weights(np.array([0, 0, 1, 1]), 3) == pytest.approx({0: 4 / 6, 1: 4 / 6, 2: 4 / 3})


def test_the_restored_epoch_is_the_first_of_equal_least_losses_and_the_first_when_none_is_finite():
    """EarlyStopping keeps only a strict improvement: of two equal least losses the first epoch's weights stay."""
    from train.fit import restored_epoch

    assert restored_epoch([1.0, 0.5, 0.5, 0.7]) == 1
    assert restored_epoch([float("nan"), float("nan")]) == 0
    assert restored_epoch([float("inf"), 2.0, float("nan")]) == 1


def test_the_loss_weighs_each_film_by_its_class_weight(keras, tmp_path):
    """With a learning rate of 0 the weights stay put: the first epoch's loss is the class-weighted mean
    cross-entropy of the model's own logits, not the plain mean (the rare class, often the disease, counts more)."""
    from train.fit import FitConfig, class_weights, fit

    x = np.random.default_rng(0).integers(0, 256, (8, 8, 8, 1), dtype=np.uint8)
    y = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    model = _linear(keras)
    logits = model.predict(x.astype(np.float32), verbose=0).astype(np.float64)
    ce = -(logits[np.arange(8), y] - np.log(np.exp(logits).sum(1)))
    w = class_weights(y, 2)
    cfg = FitConfig(epochs=1, batch_size=8, learning_rate=0.0, patience=5, augment=False, verbose=0)
    h = fit(model, (x, y), (x, y), 2, cfg, tmp_path)
    assert h["loss"][0] == pytest.approx(float(np.mean(ce * np.array([w[c] for c in y]))), rel=1e-4)
    assert abs(h["loss"][0] - ce.mean()) > 1e-3


def test_the_learning_rate_decays_by_cosine_over_the_steps_run_to_a_twentieth(keras, tmp_path):
    """10 films in batches of 4 are 3 steps an epoch (the last batch short): over 2 epochs the rate falls from 1e-2
    to 5e-4, over 6 steps (a schedule of fewer steps sat at its floor early; of more never reached it)."""
    from train.fit import FitConfig, fit

    x, y = _films(10)
    model = _linear(keras)
    cfg = FitConfig(epochs=2, batch_size=4, learning_rate=1e-2, patience=5, augment=False, verbose=0)
    fit(model, (x, y), _films(4, seed=1), 2, cfg, tmp_path)
    schedule = model.optimizer.get_config()["learning_rate"]["config"]  # as Keras serialises it
    assert (schedule["initial_learning_rate"], schedule["decay_steps"], schedule["alpha"]) == pytest.approx((1e-2, 6, 0.05))
    assert float(model.optimizer.learning_rate) == pytest.approx(1e-2 * 0.05, rel=1e-4)  # the steps run: all 6


def test_training_stops_patience_epochs_after_the_best_validation_loss(keras, tmp_path):
    """Validation labels unrelated to the films: the validation loss soon rises, and with --patience 1 training
    stops one epoch after its least, the best epoch's weights restored."""
    from train.fit import FitConfig, fit

    x, y = _films(32)
    xv, yv = _films(16, seed=1)[0], np.random.default_rng(2).integers(0, 2, 16)
    model = _linear(keras)
    cfg = FitConfig(epochs=12, batch_size=8, learning_rate=0.2, patience=1, augment=False, verbose=0)
    h = fit(model, (x, y), (xv, yv), 2, cfg, tmp_path)
    best = h["best_epoch"][0]
    assert best < 11 and len(h["loss"]) == best + 1, h["val_loss"]


@pytest.mark.parametrize("view, consistency, pairs", [("same", 0.0, False), ("unmoved", 0.0, True),
                                                      ("same", 1.0, True)])
def test_a_students_batches_carry_a_second_view_only_when_asked(keras, tmp_path, monkeypatch, view, consistency, pairs):
    """--teacher-view unmoved: (student's view, teacher's unmoved view); --consistency: two views of each film; the
    default: the one view student and teacher share (train.distill)."""
    import train.fit

    real, built = train.fit.make_dataset, []

    def noted(*a, **kw):
        ds = real(*a, **kw)
        built.append((kw.get("training"), ds.element_spec[0]))
        return ds

    monkeypatch.setattr(train.fit, "make_dataset", noted)
    x, y = _films(8)
    cfg = train.fit.FitConfig(epochs=1, batch_size=8, patience=5, verbose=0, teacher_view=view, consistency=consistency)
    train.fit.fit(_linear(keras, 0), (x, y), (x, y), 2, cfg, tmp_path, teacher=_linear(keras, 1))
    spec = dict(built)  # training: the images' spec of the training batches; not training: validation's
    assert isinstance(spec[True], tuple) == pairs and not isinstance(spec[False], tuple)
