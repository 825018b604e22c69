"""A one-sigmoid binary model's [1 - p, p] as people quantize it: float16, dynamic-range and full-integer exports
(int8 inside, with float, int8 or uint8 ends). The real converter gives each the same LOGISTIC -> SUB -> CONCATENATION,
but its 1 is a float16 constant DEQUANTIZE'd at load, or an int8 constant 127 at scale 1/255 and zero point -128,
where a LOGISTIC's output is requantized (QUANTIZE) to the join's scale. Those were read as logits: a second softmax
made 0.985 into 0.73, silently. Real Keras layers, the real converter, the device's runtime."""

from __future__ import annotations

import numpy as np
import pytest

from edge.model import EdgeModel

WANT = 1 / (1 + np.exp(-4.18))  # 0.9849, what the model says of every film


@pytest.fixture(scope="module")
def pair_model():
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    keras.utils.set_random_seed(0)
    inp = keras.Input((32, 32, 1))
    x = keras.layers.Rescaling(1 / 255.0)(inp)
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3, activation="relu")(x))
    p = keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros",
                           bias_initializer=keras.initializers.Constant(4.18))(x)
    return keras.Model(inp, keras.layers.Concatenate()([1 - p, p]))


def _films():
    rng = np.random.default_rng(0)
    for _ in range(8):
        yield [rng.integers(0, 256, (1, 32, 32, 1)).astype(np.float32)]


def _export(model, kind: str) -> bytes:
    import tensorflow as tf

    c = tf.lite.TFLiteConverter.from_keras_model(model)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    if kind == "float16":
        c.target_spec.supported_types = [tf.float16]
    elif kind != "dynamic":
        c.representative_dataset = _films
        c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        ends = {"int8-float-ends": None, "int8": tf.int8, "uint8": tf.uint8}[kind]
        if ends is not None:
            c.inference_input_type = c.inference_output_type = ends
    return c.convert()


@pytest.mark.parametrize("kind", ["float16", "dynamic", "int8-float-ends", "int8", "uint8"])
def test_a_quantized_one_minus_p_and_p_are_read_as_probabilities(pair_model, kind, tmp_path):
    path = tmp_path / f"pair_{kind}.tflite"
    path.write_bytes(_export(pair_model, kind))
    m = EdgeModel(path, labels=["Normal", "COVID"])
    assert m.final_op == "SIGMOID_PAIR" and m.outputs_probabilities
    batch = np.random.default_rng(1).integers(0, 256, (2, 32, 32, 1), dtype=np.uint8)
    np.testing.assert_allclose(m.classify(batch)[:, 1], WANT, atol=0.01)  # not 0.73, a second softmax's
    assert m.info()["output"]["holds"] == "probabilities (a sigmoid's 1 - p and p)"


def test_a_join_taken_from_another_number_than_1_is_not_read_as_probabilities(tmp_path):
    """[0.5 - p, p] is no distribution: recognised only where the constant dequantizes to 1 (within 0.005)."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    keras.utils.set_random_seed(0)
    inp = keras.Input((32, 32, 1))
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(4, 3)(keras.layers.Rescaling(1 / 255.0)(inp)))
    p = keras.layers.Dense(1, activation="sigmoid")(x)
    path = tmp_path / "half.tflite"
    path.write_bytes(_export(keras.Model(inp, keras.layers.Concatenate()([0.5 - p, p])), "int8-float-ends"))
    m = EdgeModel(path, labels=["Normal", "COVID"])
    assert m.final_op == "CONCATENATION" and not m.outputs_probabilities
