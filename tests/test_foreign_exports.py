"""Foreign models as people export them: a one-sigmoid binary classifier given two outputs [1 - p, p] (the way the
one-output refusal advises), a Keras model converted from a concrete function (its weights left as variables
nothing sets), and a channels-first (NCHW) input. Real Keras models, the real converter, the device's runtime."""

from __future__ import annotations

import numpy as np
import pytest

from edge.model import EdgeModel, ModelFileError, softmax


def _keras():
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    keras.utils.set_random_seed(0)
    return keras


def _features(keras, inp):
    x = keras.layers.Rescaling(1 / 255.0)(inp)
    x = keras.layers.Conv2D(4, 3, activation="relu")(x)
    return keras.layers.GlobalAveragePooling2D()(x)


def test_a_sigmoids_one_minus_p_and_p_are_read_as_probabilities(tmp_path):
    """Concatenate()([1 - p, p]) was read as logits: a softmax over 0.018 and 0.982 printed 0.7251 for 0.982."""
    import tensorflow as tf

    keras = _keras()
    inp = keras.Input((32, 32, 1))
    p = keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros",
                           bias_initializer=keras.initializers.Constant(4.0))(_features(keras, inp))
    model = keras.Model(inp, keras.layers.Concatenate()([1 - p, p]))
    path = tmp_path / "pair.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    m = EdgeModel(path, labels=["Normal", "COVID"])
    batch = np.random.default_rng(0).integers(0, 256, (2, 32, 32, 1), dtype=np.uint8)
    want = 1 / (1 + np.exp(-4.0))  # 0.9820, what the model says of every film
    np.testing.assert_allclose(m.classify(batch)[:, 1], want, atol=1e-5)
    assert softmax(m.logits(batch))[0, 1] < 0.75  # what a second softmax made of it
    assert m.info()["output"]["holds"] == "probabilities (a sigmoid's 1 - p and p)"


def test_weights_left_as_variables_nothing_sets_are_refused(tmp_path):
    """A Keras 3 model converted with from_concrete_functions reads its weights from variables the file never
    sets: every film scored 0.5000 (or NaN), whatever memory held, with no word of it."""
    import tensorflow as tf

    keras = _keras()
    inp = keras.Input((32, 32, 1))
    model = keras.Model(inp, keras.layers.Dense(2, activation="softmax")(_features(keras, inp)))
    fn = tf.function(model).get_concrete_function(tf.TensorSpec([None, 32, 32, 1], tf.float32))
    path = tmp_path / "variables.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_concrete_functions([fn], model).convert())
    with pytest.raises(ModelFileError, match="variables the file never sets.*from_keras_model"):
        EdgeModel(path, labels=["COVID", "Normal"])


def test_a_channels_first_input_is_told_how_to_export(tmp_path):
    """(1, 1, 224, 224), a PyTorch or ONNX layout, was refused as 'not (1, size, size, 1 or 3)' and no more."""
    import tensorflow as tf

    keras = _keras()
    inp = keras.Input((1, 32, 32))
    x = keras.layers.Permute((2, 3, 1))(inp)
    model = keras.Model(inp, keras.layers.Dense(2)(_features(keras, x)))
    path = tmp_path / "nchw.tflite"
    path.write_bytes(tf.lite.TFLiteConverter.from_keras_model(model).convert())
    with pytest.raises(ModelFileError, match=r"channels first \(NCHW\); export it channels last"):
        EdgeModel(path, labels=["COVID", "Normal"])
