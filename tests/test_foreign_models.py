"""Models made elsewhere (no cxr-edge metadata, run with --labels): their outputs read as they are meant.

Real TensorFlow models, converted by the real converter, run by the device's runtime.
"""

from __future__ import annotations

import numpy as np
import pytest

from edge.batch import classify_files
from edge.model import EdgeModel, softmax


def _tflite(tmp_path, name: str, *head) -> str:
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    from convert.export import convert

    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Rescaling(1 / 255.0),
                          keras.layers.Conv2D(4, 3, activation="relu"), keras.layers.GlobalAveragePooling2D(), *head])
    path = tmp_path / f"{name}.tflite"
    path.write_bytes(convert(m, "fp32"))
    return str(path)


@pytest.fixture(scope="module")
def batch() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (3, 32, 32, 1), dtype=np.uint8)


def test_a_model_that_ends_in_softmax_is_not_given_a_second_one(tmp_path_factory, batch):
    import keras

    d = tmp_path_factory.mktemp("foreign")
    logits = keras.layers.Dense(2, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant([2.0, -1.0]))
    soft = EdgeModel(_tflite(d, "soft", logits, keras.layers.Softmax()), labels=["COVID", "Normal"])
    raw = soft.logits(batch)
    assert soft.outputs_probabilities and np.allclose(raw.sum(1), 1, atol=1e-5)
    np.testing.assert_allclose(soft.classify(batch)[:, 0], 0.9526, atol=1e-4)  # e^2 / (e^2 + e^-1), as the model gives it
    assert softmax(raw)[0, 0] == pytest.approx(0.7120, abs=1e-4)              # what a second softmax made of it
    plain = EdgeModel(_tflite(d, "logits", keras.layers.Dense(2)), labels=["COVID", "Normal"])
    assert not plain.outputs_probabilities
    np.testing.assert_allclose(plain.classify(batch), softmax(plain.logits(batch)), atol=1e-6)


def test_a_model_that_gives_nan_fails_that_film_instead_of_labelling_it(tmp_path, batch):
    import keras

    from PIL import Image

    minus_one = keras.layers.Dense(2, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant([-1.0, 1.0]))
    path = _tflite(tmp_path, "nan", minus_one, keras.layers.Lambda(keras.ops.sqrt))  # sqrt(-1): NaN
    m = EdgeModel(path, labels=["COVID", "Normal"])
    film = tmp_path / "film.png"
    Image.fromarray(np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))).save(film)
    (r,) = classify_files(m, [str(film)])
    assert r.probabilities is None and "no finite output" in r.error


def test_a_model_of_one_output_or_of_maps_is_refused_not_run(tmp_path):
    """One sigmoid unit, the usual binary classifier made elsewhere: with --labels COVID every film
    came out 'COVID 1.0000' (softmax of one number). A segmentation model's maps made every film fail."""
    import keras

    from convert.export import convert
    from edge.model import ModelFileError

    sigmoid = _tflite(tmp_path, "sigmoid", keras.layers.Dense(1, activation="sigmoid"))
    with pytest.raises(ModelFileError, match="one output .a sigmoid's probability.*at least two"):
        EdgeModel(sigmoid, labels=["COVID"])
    maps = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Conv2D(2, 1)])
    (tmp_path / "maps.tflite").write_bytes(convert(maps, "fp32"))
    with pytest.raises(ModelFileError, match=r"output shape \(1, 32, 32, 2\) is not \(1, classes\)"):
        EdgeModel(tmp_path / "maps.tflite", labels=["COVID", "Normal"])


def test_a_model_without_metadata_is_not_said_to_be_calibrated(tmp_path):
    import keras
    from PIL import Image
    from typer.testing import CliRunner

    from edge.cli import app

    path = _tflite(tmp_path, "plain", keras.layers.Dense(2))
    film = tmp_path / "film.png"
    Image.fromarray(np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))).save(film)
    r = CliRunner().invoke(app, [str(film), "--model", path, "--labels", "COVID,Normal"])
    assert r.exit_code == 0, r.output
    assert "without calibration" in r.stderr and "a probability is the model's score, uncalibrated" in r.stderr
    assert "calibrated on films" not in r.stderr


def test_info_of_a_foreign_model_says_what_it_is_fed(tmp_path):
    """--info listed no preprocessing for a file without metadata: a model that expects 0..1 could not be
    told from one that takes the equalised pixels 0..255 edge feeds it."""
    import keras

    path = _tflite(tmp_path, "plain", keras.layers.Dense(2))
    info = EdgeModel(path, labels=["COVID", "Normal"]).info()
    assert info["preprocess"] == {"size": 32, "channels": 1, "resize": "pad", "normalize": "equalize", "trim_borders": True}
    assert "histogram-equalised and fed as pixel values 0..255, not scaled to 0..1" in info["fed"]


def test_integer_tensors_without_quantization_are_fed_and_read_as_numbers(tmp_path, batch):
    """A uint8 input without quantization parameters (Keras Input(dtype="uint8")) had every pixel
    divided by a scale of 0, the film fed as black and white; an int32 or float16 output was read as
    zeros, every film the first class at 0.5000."""
    import keras

    from convert.export import convert

    keras.utils.set_random_seed(0)
    x = keras.Input((32, 32, 1), dtype="uint8")
    h = keras.layers.Rescaling(1 / 255.0)(keras.ops.cast(x, "float32"))
    h = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3, activation="relu")(h))
    logits = keras.layers.Dense(2)(h)
    for name, out in (("uint8_in", logits), ("int32_out", keras.ops.cast(logits * 100, "int32")),
                      ("float16_out", keras.ops.cast(logits, "float16"))):
        m = keras.Model(x, out)
        path = tmp_path / f"{name}.tflite"
        path.write_bytes(convert(m, "fp32"))
        edge = EdgeModel(path, labels=["A", "B"])
        want = np.asarray(m(batch), dtype=np.float32)
        np.testing.assert_allclose(edge.logits(batch), want, rtol=1e-2, atol=1e-2 * (100 if "int32" in name else 1))
        assert np.abs(want).max() > 0.01  # the films' own numbers, not zeros


@pytest.mark.parametrize("dtype", ["int16", "int32"])
def test_a_wider_integer_input_without_quantization_takes_the_pixels(tmp_path, batch, dtype):
    """An int16 or int32 input holds the pixels 0..255 as a uint8 one does (Keras Input(dtype="int32")), yet was
    refused as one that 'cannot take the pixels 0..255'."""
    import keras

    from convert.export import convert

    keras.utils.set_random_seed(0)
    x = keras.Input((32, 32, 1), dtype=dtype)
    h = keras.layers.Rescaling(1 / 255.0)(keras.ops.cast(x, "float32"))
    m = keras.Model(x, keras.layers.Dense(2)(keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3)(h))))
    path = tmp_path / f"{dtype}_in.tflite"
    path.write_bytes(convert(m, "fp32"))
    edge = EdgeModel(path, labels=["A", "B"])
    assert edge.info()["input"]["dtype"] == dtype
    np.testing.assert_allclose(edge.logits(batch), np.asarray(m(batch.astype(dtype)), np.float32), rtol=1e-3, atol=1e-3)


def test_an_int8_input_without_quantization_is_refused(tmp_path):
    import keras

    from convert.export import convert
    from edge.model import ModelFileError

    x = keras.Input((32, 32, 1), dtype="int8")
    h = keras.layers.GlobalAveragePooling2D()(keras.ops.cast(x, "float32"))
    path = tmp_path / "int8_in.tflite"
    path.write_bytes(convert(keras.Model(x, keras.layers.Dense(2)(h)), "fp32"))
    with pytest.raises(ModelFileError, match="input tensor is int8 without quantization parameters"):
        EdgeModel(path, labels=["A", "B"])


def test_a_quantized_input_calibrated_for_minus_one_to_one_is_refused_not_clipped(tmp_path):
    """A mobile-style export (float graph on [-1, 1], input uint8 with scale 1/128, zero 127): edge fed
    the pixels 0..255 through that scale, 99.7% of the tensor clipped to 255, and every film got the
    same answer. A graph calibrated on 0..255 still runs."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras
    import tensorflow as tf

    from edge.model import ModelFileError

    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.Input((32, 32, 1)), keras.layers.Conv2D(4, 3, strides=4, activation="relu"),
                          keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2, activation="softmax")])
    rng = np.random.default_rng(0)
    for name, low, high in (("mobile", -1.0, 1.0), ("pixels", 0.0, 255.0), ("bright_clipped", 0.0, 200.0)):
        c = tf.lite.TFLiteConverter.from_keras_model(m)
        c.optimizations = [tf.lite.Optimize.DEFAULT]
        c.representative_dataset = lambda: ([rng.uniform(low, high, (1, 32, 32, 1)).astype(np.float32)] for _ in range(8))
        c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        c.inference_input_type = c.inference_output_type = tf.uint8
        (tmp_path / f"{name}.tflite").write_bytes(c.convert())
    with pytest.raises(ModelFileError, match=r"expects values in \[-1\.0\d, 1\.0\d\], not the pixels 0\.\.255"):
        EdgeModel(tmp_path / "mobile.tflite", labels=["COVID", "Normal"])
    assert EdgeModel(tmp_path / "pixels.tflite", labels=["COVID", "Normal"]).input_clipped is None
    # most of 0..255 held: it runs, and the grey levels it clips are said (it was refused as "the same answer for every film")
    clipped = EdgeModel(tmp_path / "bright_clipped.tflite", labels=["COVID", "Normal"]).input_clipped
    assert clipped and "brightest grey levels look alike" in clipped


def test_a_model_of_one_sigmoid_per_class_is_refused_not_softmaxed_again(tmp_path):
    """Two independent sigmoids (0.990 and 0.0099) were read as logits: a softmax made them 0.73 / 0.27."""
    import keras

    from edge.model import ModelFileError

    path = _tflite(tmp_path, "sigmoids", keras.layers.Dense(2, activation="sigmoid"))
    with pytest.raises(ModelFileError, match="independent sigmoids, not one distribution over the classes"):
        EdgeModel(path, labels=["COVID", "Normal"])


def test_refusals_of_foreign_files_name_the_problem_they_have(tmp_path):
    """A fixed batch of 4 was blamed on its (4, 2) output ("not a classifier of whole films"), a Keras .h5
    was only "no TFL3 identifier", a foreign file's --selftest asked whether an older cxr-convert made it,
    and a .tflite named .keras sent cxr-evaluate looking for a run.json."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras
    import tensorflow as tf

    from convert.evaluate import model_for
    from edge.metadata import split
    from edge.model import ModelFileError

    four = keras.Sequential([keras.Input((32, 32, 1), batch_size=4), keras.layers.GlobalAveragePooling2D(),
                             keras.layers.Dense(2)])
    (tmp_path / "four.tflite").write_bytes(tf.lite.TFLiteConverter.from_keras_model(four).convert())
    with pytest.raises(ModelFileError, match=r"its input takes a fixed batch of 4 images \(4, 32, 32, 1\)"):
        EdgeModel(tmp_path / "four.tflite", labels=["A", "B"])
    with pytest.raises(ModelFileError, match=r"no TFL3 identifier\); it is an HDF5 file \(a Keras .h5 model\?\)"):
        split(b"\x89HDF\r\n\x1a\n" + bytes(64), "model.h5")
    plain = _tflite(tmp_path, "plain", keras.layers.Dense(2))
    with pytest.raises(ModelFileError, match=r"carries no self-test \(it has no cxr-edge metadata: cxr-convert did not"):
        EdgeModel(plain, labels=["A", "B"]).selftest()
    renamed = tmp_path / "renamed.keras"
    renamed.write_bytes(open(plain, "rb").read())
    with pytest.raises(ValueError, match="is a TensorFlow Lite model named .keras: give it its .tflite name"):
        model_for(renamed)
