"""edge.model_graph's dynamic_input and final_op on the smallest real graphs that tell their mutants apart.

tests/test_model_graph_pinned.py gives the tensor checks plain dicts; these two read a loaded interpreter (shape
signatures, the runtime's list of ops with its DELEGATE nodes), so each graph here is a Keras model converted by
TensorFlow's converter and loaded by the device's runtime: an open spatial size (alone, or on a second input), a
softmax looked at through a RESHAPE or a DEQUANTIZE after it, and logits that end in another op than the ones
edge reads specially."""

from __future__ import annotations

import numpy as np
import pytest

from edge.model_graph import dynamic_input, final_op


@pytest.fixture(scope="module")
def graphs() -> dict[str, bytes]:
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras
    import tensorflow as tf

    from convert.export import convert

    keras.utils.set_random_seed(0)
    L = keras.layers
    x = keras.Input((8, 8, 1))
    logits = lambda: L.Dense(2)(L.Flatten()(x))  # noqa: E731
    softmax = keras.Model(x, L.Softmax()(logits()))
    fixed, opened = keras.Input((4,), name="a_fixed"), keras.Input((None, 1), name="b_open")  # inputs in name order
    both = L.Concatenate()([fixed, L.GlobalAveragePooling1D()(opened)])
    models = {
        "fixed": keras.Model(x, logits()),
        "open": keras.Sequential([keras.Input((None, None, 1)), L.GlobalAveragePooling2D(), L.Dense(2)]),
        "second open": keras.Model([fixed, opened], L.Dense(2)(both)),
        "reshaped softmax": keras.Model(x, L.Reshape((2, 1))(L.Softmax()(logits()))),
        "squared": keras.Model(x, L.Lambda(lambda t: t * t)(logits())),
    }
    out = {name: convert(m, "fp32") for name, m in models.items()}
    # integer body, float input and output: QUANTIZE first, DEQUANTIZE after the softmax
    c = tf.lite.TFLiteConverter.from_keras_model(softmax)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    films = np.random.default_rng(0).integers(0, 256, (8, 8, 8, 1)).astype(np.float32)
    c.representative_dataset = lambda: ([f[None]] for f in films)
    c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    out["dequantized softmax"] = c.convert()
    return out


def loaded(content: bytes):
    """The graph as edge loads it: the device's runtime, allocated (where the runtime puts its DELEGATE nodes)."""
    from edge.runtime import interpreter_class

    Interpreter, _ = interpreter_class()
    it = Interpreter(model_content=content)
    it.allocate_tensors()
    return it


def made(it) -> str | None:
    return final_op(it, it.get_output_details()[0]["index"])


def test_an_open_image_size_is_dynamic_and_an_open_batch_is_not(graphs):
    assert dynamic_input(loaded(graphs["fixed"])) is None  # signature (-1, 8, 8, 1): any batch, as every Keras model
    assert dynamic_input(loaded(graphs["open"])) == (-1, -1, -1, 1)


def test_an_open_size_on_a_second_input_is_found(graphs):
    it = loaded(graphs["second open"])
    assert [tuple(d["shape_signature"]) for d in it.get_input_details()] == [(-1, 4), (-1, -1, 1)]
    assert dynamic_input(it) == (-1, -1, 1)


def test_a_softmax_is_found_through_a_reshape_or_a_dequantize_after_it(graphs):
    assert made(loaded(graphs["reshaped softmax"])) == "SOFTMAX"  # RESHAPE's first input, not its shape's
    it = loaded(graphs["dequantized softmax"])
    assert [o["op_name"] for o in it._get_ops_details()][:1] == ["QUANTIZE"]
    assert made(it) == "SOFTMAX"


def test_logits_that_end_in_another_op_are_said_to_and_the_runtimes_delegate_is_no_op_of_the_graph(graphs):
    squared = loaded(graphs["squared"])
    assert "DELEGATE" in [o["op_name"] for o in squared._get_ops_details()]  # XNNPACK's node makes the output too
    assert made(squared) == "MUL"
    assert made(loaded(graphs["fixed"])) == "FULLY_CONNECTED"
    assert final_op(squared, squared.get_input_details()[0]["index"]) is None  # no op makes an input
