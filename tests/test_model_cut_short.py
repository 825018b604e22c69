"""A model file cut short inside its weights is said to be cut short, not a foreign model (edge.flatbuffer_reach).

An scp of model_int8.tflite to a Pi's full SD card left its first 100 kB: edge-classify named it "a model not made by
cxr-convert (a foreign .tflite ...)" first and sent the engineer to --labels, which then crashed the runtime. A whole
foreign model is still said to be foreign.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from edge import metadata as md
from edge.flatbuffer_reach import cut_short, reach


@pytest.fixture(scope="module")
def foreign(tmp_path_factory):
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                          keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    path = tmp_path_factory.mktemp("foreign") / "hospital.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(m).convert())
    return path


def _classify(*args: str):
    from edge.cli import app

    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize("share", [0.1, 0.5, 0.75, 0.95])
def test_a_cxr_edge_file_cut_inside_its_weights_is_said_cut_short(tiny_run, tmp_path, share):
    data = (tiny_run / "model_int8.tflite").read_bytes()
    flatbuffer = md.split(data)[0]
    cut = tmp_path / "model_int8.tflite"
    cut.write_bytes(data[: int(len(flatbuffer) * share)])
    r = _classify("--info", "--model", str(cut))
    assert r.exit_code == 2, r.output
    assert "the model file is cut short" in r.output, r.output
    assert "foreign" not in r.output and "--labels" not in r.output, r.output
    assert f"holds {cut.stat().st_size:,} bytes" in r.output and "copy it again" in r.output, r.output


def test_a_foreign_file_cut_short_is_said_cut_short_even_with_labels(foreign, tmp_path):
    data = foreign.read_bytes()
    cut = tmp_path / "hospital.tflite"
    cut.write_bytes(data[: len(data) // 2])
    r = _classify("--info", "--labels", "A,B", "--model", str(cut))
    assert r.exit_code == 2 and "the model file is cut short" in r.output, r.output


def test_whole_files_reach_no_further_than_their_end(foreign, tiny_run):
    """A whole foreign file, and every whole flatbuffer of a run, is not said to be cut short."""
    assert cut_short(foreign.read_bytes()) is None
    for f in sorted(tiny_run.glob("*.tflite")):
        data = f.read_bytes()
        flatbuffer = md.split(data)[0]
        assert reach(flatbuffer) <= len(flatbuffer) and cut_short(flatbuffer) is None, f
    r = _classify("--info", "--model", str(foreign))
    assert r.exit_code == 2 and "has no cxr-edge metadata: a model not made by cxr-convert" in r.output, r.output
