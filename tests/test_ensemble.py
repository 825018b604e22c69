"""cxr-train --members N: a deep ensemble in one file, whose logits are the mean of its members'."""

from __future__ import annotations

import json

import numpy as np
import pytest

from edge.model import EdgeModel
from train.cache import load_part
from train.data import Split


@pytest.fixture(scope="module")
def keras_mod():
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    return keras


def test_average_logits_is_the_mean_of_the_members(keras_mod):
    from train.models import average_logits, build

    members = [build("compact", 48, 3, seed=k, steps_per_epoch=4) for k in range(3)]
    x = np.random.default_rng(0).uniform(0, 255, (5, 48, 48, 1)).astype(np.float32)
    each = [m.predict(x, verbose=0) for m in members]
    assert np.abs(each[0] - each[1]).max() > 1e-3  # different random starts, or the test proves nothing
    ens = average_logits(members)
    np.testing.assert_allclose(ens.predict(x, verbose=0), np.mean(each, axis=0), atol=1e-5)
    assert [layer.name for layer in ens.layers][-1] == "logits"


def test_one_member_is_the_plain_model(keras_mod, tiny_run):
    from train.models import average_logits, build

    m = build("compact", 48, 2)
    assert average_logits([m]) is m
    run = json.loads((tiny_run / "run.json").read_text())
    assert run["members"] == 1 and len(json.loads((tiny_run / "history.json").read_text())["members"]) == 1


FIT_SEEDS: list[int] = []  # the seed each member of ensemble_run was fitted with (its augmentation stream)


@pytest.fixture(scope="module")
def ensemble_run(tmp_path_factory, keras_mod):
    import train.fit
    from convert.quantize import ConvertSettings, run_conversion
    from train.run import TrainSettings, run_training

    run = tmp_path_factory.mktemp("ensemble") / "run"
    real_fit = train.fit.fit
    FIT_SEEDS.clear()

    def fit_noting_its_seed(model, train_data, val, n_classes, cfg, *args, **kwargs):
        FIT_SEEDS.append(cfg.seed)
        return real_fit(model, train_data, val, n_classes, cfg, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(train.fit, "fit", fit_noting_its_seed)
        run_training(TrainSettings(data="synthetic", out=run, image_size=64, epochs=2, synthetic_count=16,
                                   batch_size=8, members=3, progress=False))
    run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100, progress=False))
    return run


def test_three_members_train_and_ship_in_one_file(ensemble_run, keras_mod):
    run = json.loads((ensemble_run / "run.json").read_text())
    assert run["members"] == 3
    assert len(run["best_epoch"]) == 3 and len(run["validation"]["member_accuracy"]) == 3
    history = json.loads((ensemble_run / "history.json").read_text())
    assert len(history["members"]) == 3 and all("val_loss" in h for h in history["members"])
    model = keras_mod.models.load_model(ensemble_run / "model.keras", compile=False)
    assert run["parameters"] == model.count_params() and len(model.layers) == 5  # input, 3 members, average

    # The int8 file on the edge runtime follows the Keras ensemble, not one of its members.
    split = Split.load(ensemble_run / "split.json")
    edge = EdgeModel(ensemble_run / "model_int8.tflite")
    x, _ = load_part(ensemble_run, split, "test", edge.preprocess, progress=False)
    keras_logits = model.predict(x.astype(np.float32), verbose=0)
    edge_logits = edge.logits(x)
    member_logits = [layer.predict(x.astype(np.float32), verbose=0) for layer in model.layers[1:4]]
    err_ensemble = np.abs(edge_logits - keras_logits).mean()
    assert err_ensemble < min(np.abs(edge_logits - m).mean() for m in member_logits)
    assert edge.meta["members"] == 3
    assert edge.meta["head_refit"]["refit"], "the three members' logits layers are refitted together"
    assert "an ensemble of 3" in (ensemble_run / "report.md").read_text()


def test_each_member_sees_its_own_augmentation_stream(ensemble_run):
    """Members fitted with one augmentation seed saw the same augmented batches in the same order: an
    ensemble less diverse than the one --members promises (only their starting weights differed)."""
    assert FIT_SEEDS == [0, 1, 2]  # seed + k
