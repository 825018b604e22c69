"""--input-scale: a foreign model (no cxr-edge metadata, --labels) trained on pixels scaled outside it, fed so.

A real Keras model that expects 0..1 (or -1..1) input: its answer is the brightness of the film's top-left quarter
against the middle of its range, so fed the pixels 0..255 every film is its first class; fed on its own scale,
a film dark there is the second. Exported with the real converter (float and full-integer), run by edge.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

K = 20.0  # logit per unit of the quarter's mean


def _quarter_model(scale: str):
    """Logits (K * (m - mid), -K * (m - mid)), m the mean of the input's top-left quarter, mid its scale's middle:
    class A where that quarter is brighter than mid-grey, B where darker."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    mid = {"0..1": 0.5, "-1..1": 0.0}[scale]
    x = keras.Input((32, 32, 1))
    m = keras.ops.mean(x[:, :16, :16, :], axis=(1, 2))  # (N, 1)
    head = keras.layers.Dense(2, kernel_initializer=keras.initializers.Constant([[K, -K]]),
                              bias_initializer=keras.initializers.Constant([-K * mid, K * mid]))
    return keras.Model(x, head(m))


def _scaled(batch: np.ndarray, scale: str) -> np.ndarray:
    """The batch as the model was trained on it (keras.applications' preprocess_input for -1..1)."""
    x = batch.astype(np.float32)
    return x / 255.0 if scale == "0..1" else x / 127.5 - 1.0


def _films(n: int = 2) -> np.ndarray:
    """n films dark in their top-left quarter (class B), then n bright there (class A), as 32x32 model inputs."""
    rng = np.random.default_rng(0)
    out = []
    for dark in [True] * n + [False] * n:
        f = rng.integers(120, 256, (32, 32, 1), dtype=np.uint8)
        f[:16, :16] = rng.integers(0, 60, (16, 16, 1)) if dark else rng.integers(200, 256, (16, 16, 1))
        out.append(f)
    return np.stack(out)


@pytest.fixture(scope="module")
def foreign(tmp_path_factory):
    """{scale: float .tflite} and the same 0..1 model exported full-integer (uint8 input calibrated on 0..1)."""
    import tensorflow as tf

    from convert.export import convert

    d = tmp_path_factory.mktemp("input_scale")
    files = {}
    for scale in ("0..1", "-1..1"):
        files[scale] = d / f"scaled_{scale}.tflite"
        files[scale].write_bytes(convert(_quarter_model(scale), "fp32"))
    c = tf.lite.TFLiteConverter.from_keras_model(_quarter_model("0..1"))
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    calibration = _scaled(_films(8), "0..1")  # its training films: 0..1, dark and bright quarters
    c.representative_dataset = lambda: ([f[None]] for f in calibration)
    c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    c.inference_input_type = c.inference_output_type = tf.uint8
    files["uint8"] = d / "uint8_0..1.tflite"
    files["uint8"].write_bytes(c.convert())
    return files


@pytest.mark.parametrize("scale", ["0..1", "-1..1"])
def test_a_float_model_is_right_only_on_its_own_scale(foreign, scale):
    from edge.model import EdgeModel

    films = _films()
    plain = EdgeModel(foreign[scale], labels=["A", "B"])
    assert plain.classify(films).argmax(1).tolist() == [0, 0, 0, 0]  # 0..255: every quarter "bright"
    m = EdgeModel(foreign[scale], labels=["A", "B"], input_scale=scale)
    assert m.classify(films).argmax(1).tolist() == [1, 1, 0, 0]
    want = _quarter_model(scale)(_scaled(films, scale))  # the Keras model on the inputs it was trained on
    np.testing.assert_allclose(m.logits(films), np.asarray(want), atol=1e-3)
    assert m.info()["input_scale"] == scale and f"--input-scale {scale} asks" in m.info()["fed"]


def test_a_quantized_input_calibrated_on_0_to_1_runs_with_the_scale_folded_in(foreign):
    """Its uint8 input (scale about 1/255, calibrated on 0..1) was refused as clipping every film: with
    --input-scale 0..1 the pixels are quantized through its scale times 255, the answers the float model's."""
    from edge.input_scale import fed_input
    from edge.model import EdgeModel, ModelFileError

    with pytest.raises(ModelFileError, match=r"expects values in \[0\.00, 1\.00\].*give --input-scale 0\.\.1 if"):
        EdgeModel(foreign["uint8"], labels=["A", "B"])
    films = _films()
    m = EdgeModel(foreign["uint8"], labels=["A", "B"], input_scale="0..1")
    assert m.input_clipped is None and m.classify(films).argmax(1).tolist() == [1, 1, 0, 0]
    np.testing.assert_allclose(m.logits(films), np.asarray(_quarter_model("0..1")(_scaled(films, "0..1"))), atol=0.3)
    s, z = m._in["quantization"]  # the fold: the quantized value of pixel / 255, rounded once
    np.testing.assert_array_equal(fed_input(films, m._in, "0..1"),
                                  np.clip(np.round(films / 255.0 / s + z), 0, 255).astype(np.uint8))


def test_edge_classify_and_info_feed_and_say_the_scale(foreign, tmp_path):
    from PIL import Image

    from edge.cli import app

    film = tmp_path / "dark_corner.png"  # equalised, its dark quarter stays the darkest: B on 0..1, A on 0..255
    Image.fromarray(_films(1)[0, :, :, 0]).resize((64, 64)).save(film)
    args = [str(film), "--model", str(foreign["0..1"]), "--labels", "A,B", "--json"]
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["label"] == "A"
    r = CliRunner().invoke(app, [*args, "--input-scale", "0..1"])
    assert r.exit_code == 0, r.output
    answer = json.loads(r.stdout)
    assert answer["label"] == "B" and answer["probabilities"]["B"] > 0.9
    assert "fed as pixel values divided by 255, 0..1 as --input-scale 0..1 asks" in r.stderr
    r = CliRunner().invoke(app, ["--info", "--json", "--model", str(foreign["-1..1"]), "--labels", "A,B",
                                 "--input-scale=-1-1"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["input_scale"] == "-1..1"
    r = CliRunner().invoke(app, [*args, "--input-scale", "0..100"])
    assert r.exit_code == 2 and "--input-scale '0..100' is not a scale edge knows: give 0..255" in r.stderr


def test_cxr_evaluate_scores_on_the_scale_and_its_report_says_it(foreign, tmp_path):
    from PIL import Image

    from convert.evaluate_cli import evaluate_app

    films = _films(3)
    for i, f in enumerate(films):
        (tmp_path / "films" / "AB"[i < 3]).mkdir(parents=True, exist_ok=True)
        Image.fromarray(f[:, :, 0]).resize((64, 64)).save(tmp_path / "films" / "AB"[i < 3] / f"{i}.png")
    base = [str(foreign["0..1"]), str(tmp_path / "films"), "--labels", "A,B", "--quiet", "--explain", "0",
            "--n-boot", "100"]
    for given, want in ((["--input-scale", "0..1"], "B"), ([], "A")):
        out = tmp_path / f"report{len(given)}"
        r = CliRunner().invoke(evaluate_app, [*base, *given, "--out", str(out)])
        assert r.exit_code == 0, r.output
        report = json.loads((out / "report.json").read_text())
        called = [p["predicted"] for p in report["predictions"] if p["true"] == "B"]
        assert called == [want] * 3, called
        assert report["foreign_model"]["input_scale"] == ("0..1" if given else "0..255")
    assert "divided by 255, 0..1 as --input-scale 0..1 asks" in (tmp_path / "report2" / "report.md").read_text()


def test_a_cxr_convert_file_and_a_keras_model_refuse_the_scale(tiny_run, tmp_path):
    from convert.evaluate_cli import evaluate_app
    from edge.cli import app

    r = CliRunner().invoke(app, ["--info", "--model", str(tiny_run / "model_int8.tflite"), "--input-scale", "0..1"])
    assert r.exit_code == 2 and "was made by cxr-convert: its metadata says what its input takes" in r.stderr
    assert "leave --input-scale out" in r.stderr
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model.keras"), str(tmp_path), "--input-scale", "0..1",
                                          "--quiet"])
    assert r.exit_code != 0 and "--input-scale is for a .tflite without cxr-edge metadata" in r.output
