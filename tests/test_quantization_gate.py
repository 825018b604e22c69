"""The gate catches a model that quantization breaks, lists the flips, and --auto steps up.

The broken model is made the way real ones break: an extreme value range. A +1000 bias on
both logits changes nothing in float (softmax ignores a common shift) but stretches the int8
output range so far that the class difference falls below one quantization step; int16
activations and float activations still resolve it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory) -> Path:
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    from train.run import TrainSettings, run_training

    run = tmp_path_factory.mktemp("gate") / "run"
    run_training(TrainSettings(data="synthetic", out=run, image_size=64, epochs=10, synthetic_count=32,
                               batch_size=8, teacher_members=0, progress=False))
    good = run.parent / "good"
    shutil.copytree(run, good)
    model = keras.models.load_model(run / "model.keras", compile=False)
    dense = model.get_layer("logits")
    kernel, bias = dense.get_weights()
    dense.set_weights([kernel, bias + 1000.0])
    model.save(run / "model.keras")
    return run


def convert(run: Path, modes: list[str], **kw):
    from convert.quantize import ConvertSettings, run_conversion

    return run_conversion(ConvertSettings(run_dir=run, modes=modes, latency_threads=(), n_boot=100, progress=False, **kw))


def test_extreme_range_trips_the_gate_and_lists_flips(broken_run):
    report, code = convert(broken_run, ["int8", "dynamic"])
    keras_acc = report["models"]["keras"]["accuracy"]
    assert keras_acc >= 0.7, "precondition: the float model must be good for the test to mean anything"
    int8 = report["models"]["int8"]
    assert code == 1
    assert not int8["gate"]["passed"] and any("fell" in r for r in int8["gate"]["reasons"])
    assert int8["agreement"]["flipped"], "flipped images must be listed"
    flip = int8["agreement"]["flipped"][0]
    assert {"file", "true", "reference", "quantized"} <= set(flip)
    assert report["models"]["dynamic"]["gate"]["passed"]
    md = (broken_run / "report.md").read_text()
    assert "**FAILED**" in md and flip["file"] in md


def test_auto_picks_a_larger_mode_when_int8_fails(broken_run):
    report, code = convert(broken_run, ["int8", "int16x8", "fp32"], auto=True)
    auto = report["auto"]
    assert code == 0
    assert auto["rejected"][0]["mode"] == "int8"
    assert auto["selected"] in ("int16x8", "fp32")
    assert (broken_run / "model.tflite").read_bytes() == (broken_run / f"model_{auto['selected']}.tflite").read_bytes()
    saved = json.loads((broken_run / "report.json").read_text())
    assert saved["auto"]["selected"] == auto["selected"]


def test_representative_set_is_from_training_split_and_reported(broken_run):
    report, _ = convert(broken_run, ["int8"], calibration_samples=10)
    assert report["calibration_samples"] == 10
    assert "calibrated on 10 training images" in (broken_run / "report.md").read_text()
