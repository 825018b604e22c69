"""cxr-evaluate, cxr-compare and cxr-convert refuse a model file that its labels, calibration or
run.json do not describe, as edge-classify refuses it: a .tflite whose metadata was edited, a
.keras of another run under any name, a .keras that ends in softmax, and a .keras that Keras cannot
load, each in one line. Real files of a tiny run throughout."""

from __future__ import annotations

import json
import shutil
import warnings
import zipfile
from pathlib import Path

import pytest

from convert.evaluate import model_for


def _other_model(path: Path, tiny_run: Path, activation: str | None = None) -> Path:
    """A model of the run's shapes, trained nowhere: another run's model.keras, as far as run.json can tell."""
    import keras

    pre = json.loads((tiny_run / "run.json").read_text())["preprocess"]
    keras.utils.set_random_seed(1)
    m = keras.Sequential([keras.Input((pre["size"], pre["size"], pre["channels"])), keras.layers.Rescaling(1 / 255.0),
                          keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2, activation=activation)])
    path.parent.mkdir(parents=True, exist_ok=True)
    m.save(path)
    return path


def test_a_tflite_whose_labels_were_edited_is_refused_as_edge_classify_refuses_it(tiny_run, tmp_path):
    """Labels swapped in the metadata: cxr-evaluate reported AUROC 0.361 for 0.639, every answer named wrong."""
    from edge.metadata import rewrite

    swapped = tmp_path / "swapped.tflite"
    swapped.write_bytes(rewrite((tiny_run / "model_int8.tflite").read_bytes(), lambda m: {**m, "labels": m["labels"][::-1]}))
    with pytest.raises(ValueError, match="every answer would be named wrong") as e:
        model_for(swapped)
    assert "\n" not in str(e.value) and "--no-selftest" not in str(e.value)
    model_for(tiny_run / "model_int8.tflite")


def test_a_keras_model_is_checked_against_run_json_whatever_its_name(tiny_run, tmp_path):
    """Another run's model kept beside a run as other.keras, or copied as model.keras beside a run.json
    without split.json, was scored under this run's class order: every answer swapped, exit 0."""
    run = tmp_path / "run"
    run.mkdir()
    for name in ("run.json", "split.json"):
        shutil.copy(tiny_run / name, run / name)
    shutil.copy(tiny_run / "model.keras", run / "kept.keras")
    model_for(run / "kept.keras")  # the run's own model under another name: its checksum is run.json's
    with pytest.raises(ValueError, match="other.keras is not the model .*run.json describes .its SHA-256"):
        model_for(_other_model(run / "other.keras", tiny_run))
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    shutil.copy(tiny_run / "run.json", laptop / "run.json")
    with pytest.raises(ValueError, match="laptop/model.keras is not the model"):
        model_for(_other_model(laptop / "model.keras", tiny_run))
    # a run before 0.20.0 records no checksum: it vouches for its model.keras alone
    old = tmp_path / "old"
    old.mkdir()
    record = json.loads((tiny_run / "run.json").read_text())
    (old / "run.json").write_text(json.dumps({k: v for k, v in record.items() if k != "model_sha256"}))
    shutil.copy(tiny_run / "model.keras", old / "model.keras")
    model_for(old / "model.keras")
    shutil.copy(tiny_run / "model.keras", old / "copy.keras")
    with pytest.raises(ValueError, match="records no checksum of its model .* not copy.keras"):
        model_for(old / "copy.keras")


def test_a_keras_whose_config_does_not_fit_its_weights_is_one_line_without_keras_warnings(tiny_run, tmp_path):
    """A Dense's units edited 2 -> 3 in config.json: 87 lines on stderr, the whole kernel printed, after
    Keras's UserWarning."""
    from edge.digest import file_sha256

    run = tmp_path / "run"
    run.mkdir()
    with zipfile.ZipFile(tiny_run / "model.keras") as src, zipfile.ZipFile(run / "model.keras", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "config.json":
                config = json.loads(data)
                config["config"]["layers"][-1]["config"]["units"] = 3
                data = json.dumps(config).encode()
            dst.writestr(item, data)
    record = json.loads((tiny_run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**record, "model_sha256": file_sha256(run / "model.keras")}))
    with warnings.catch_warnings(record=True) as caught, pytest.raises(ValueError, match="cannot be loaded by this Keras") as e:
        warnings.simplefilter("always")
        model_for(run / "model.keras")
    assert "\n" not in str(e.value) and len(str(e.value)) < 400, str(e.value)
    assert not [w for w in caught if issubclass(w.category, UserWarning)], [str(w.message) for w in caught]


def test_cxr_convert_refuses_a_model_keras_that_ends_in_softmax(tiny_run, tmp_path):
    """Its run.json written over (or a run before 0.20.0, with no checksum): cxr-convert put a second softmax
    into the device file (0.4337 became 0.4983), and its gate passed, where cxr-evaluate refused the model."""
    from convert.quantize import ConvertSettings, run_conversion
    from edge.digest import file_sha256

    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(tiny_run / "split.json", run / "split.json")
    _other_model(run / "model.keras", tiny_run, activation="softmax")
    record = json.loads((tiny_run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**record, "model_sha256": file_sha256(run / "model.keras")}))
    with pytest.raises(ValueError, match="it ends in a softmax.*run.json does not describe this model"):
        run_conversion(ConvertSettings(run_dir=run, modes=["fp32"], latency_threads=(), n_boot=10, progress=False))
    assert not list(run.glob("*.tflite"))
