"""A sigmoid's [1 - p, p] built the other ways Keras 3 and tf code build it: one unit of a two-unit sigmoid taken by
keras.ops.split or tf.split (SPLIT, SPLIT_V), keras.ops.unstack (UNPACK), keras.ops.take or tf.gather (GATHER) or
tf.slice (SLICE), and the 1 given as keras.ops.ones_like(p) (BROADCAST_TO) or tf.ones(tf.shape(p)) (FILL). Up to
0.52.0 each was read as logits and given a second softmax (0.985 said as 0.73). Joins that are no distribution stay
logits: 1 minus one half of a split beside the other half, 1 minus one taken unit beside another, 1 minus a run-time
tensor. Real Keras layers, the real converter (float and full-integer), the device's runtime."""

from __future__ import annotations

import numpy as np
import pytest

from edge.model import EdgeModel
from tests.foreign_exports import FILMS, WANT, export

PAIRS = ["split", "split sizes", "unstack", "take", "gather", "slice", "ones_like", "ones of shape"]
NO_PAIRS = ["1 - first half, second half", "1 - take 0, take 1", "1 - ones + p"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """name -> path of a converted model; "_int8": full-integer inside, float ends."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras
    import tensorflow as tf

    L, ops = keras.layers, keras.ops
    folder = tmp_path_factory.mktemp("foreign_pair_taken")

    class TF(L.Layer):  # tf code in a layer of its own, as people write it where keras.ops has no such call
        def __init__(self, fn, **kw):
            super().__init__(**kw)
            self.fn = fn

        def call(self, t):
            return self.fn(t)

    def two_units(inp):  # sigmoid(-1) = 0.2689, sigmoid(4.18) = 0.9849
        x = L.GlobalAveragePooling2D()(L.Conv2D(4, 3, activation="relu")(L.Rescaling(1 / 255.0)(inp)))
        return L.Dense(2, activation="sigmoid", kernel_initializer="zeros",
                       bias_initializer=keras.initializers.Constant([-1.0, 4.18]))(x)

    def one_unit(inp):
        return L.Lambda(lambda s: s[:, 1:])(two_units(inp))

    join = lambda q: ops.concatenate([1 - q, q], axis=1)  # noqa: E731
    heads = {
        "split": lambda inp: join(ops.split(two_units(inp), 2, axis=1)[1]),
        "split sizes": lambda inp: TF(lambda s: (lambda b: tf.concat([1 - b, b], 1))(tf.split(s, [1, 1], 1)[1]))(
            two_units(inp)),
        "unstack": lambda inp: (lambda q: ops.stack([1 - q, q], axis=1))(ops.unstack(two_units(inp), axis=1)[1]),
        "take": lambda inp: (lambda q: ops.stack([1 - q, q], axis=1))(ops.take(two_units(inp), 1, axis=1)),
        "gather": lambda inp: TF(lambda s: (lambda b: tf.concat([1 - b, b], 1))(tf.gather(s, [1], axis=1)))(
            two_units(inp)),
        "slice": lambda inp: TF(lambda s: (lambda b: tf.concat([1 - b, b], 1))(tf.slice(s, [0, 1], [-1, 1])))(
            two_units(inp)),
        "ones_like": lambda inp: (lambda p: ops.concatenate([ops.ones_like(p) - p, p], axis=1))(one_unit(inp)),
        "ones of shape": lambda inp: TF(lambda p: tf.concat([tf.ones(tf.shape(p)) - p, p], 1))(one_unit(inp)),
        "1 - first half, second half": lambda inp: (lambda ab: ops.concatenate([1 - ab[0], ab[1]], axis=1))(
            ops.split(two_units(inp), 2, axis=1)),
        "1 - take 0, take 1": lambda inp: (lambda s: ops.stack([1 - ops.take(s, 0, axis=1), ops.take(s, 1, axis=1)],
                                                              axis=1))(two_units(inp)),
        "1 - ones + p": lambda inp: (lambda p: ops.concatenate([ops.ones_like(p) - (p + p), p], axis=1))(
            one_unit(inp)),
    }
    keras.utils.set_random_seed(0)
    for name, head in heads.items():
        inp = keras.Input((32, 32, 1))
        model = keras.Model(inp, head(inp))
        for int8 in (False, True):
            export(model, folder / f"{name}{'_int8' if int8 else ''}.tflite", "int8" if int8 else "float")
    return {p.stem: p for p in folder.glob("*.tflite")}


@pytest.mark.parametrize("int8", [False, True], ids=["float", "int8"])
@pytest.mark.parametrize("name", PAIRS)
def test_one_unit_of_a_sigmoid_taken_and_joined_with_1_minus_it_is_read_as_probabilities(made, name, int8):
    m = EdgeModel(made[name + ("_int8" if int8 else "")], labels=["Normal", "COVID"])
    assert m.final_op == "SIGMOID_PAIR" and m.outputs_probabilities
    np.testing.assert_allclose(m.classify(FILMS)[:, 1], WANT, atol=0.01)  # not 0.73, a second softmax's


@pytest.mark.parametrize("int8", [False, True], ids=["float", "int8"])
@pytest.mark.parametrize("name", NO_PAIRS)
def test_a_join_whose_1_minus_is_of_another_tensor_is_read_as_logits(made, name, int8):
    """1 - a beside b, both halves of one SPLIT (one op, two tensors), sums to 1.72: compared as tensors, not ops.
    1 - take(s, 0) beside take(s, 1) likewise; ones_like(p) - 2p is a SUB of 1, but not of the p joined."""
    m = EdgeModel(made[name + ("_int8" if int8 else "")], labels=["Normal", "COVID"])
    assert not m.outputs_probabilities and m.final_op in ("CONCATENATION", "PACK")
