"""A sigmoid's [1 - p, p] written as [sigmoid(-z), sigmoid(z)]: sigmoid(-z) is 1 - sigmoid(z) exactly, so the raw
outputs are the same probabilities. The converter gives keras.ops.sigmoid(-z) and keras.ops.negative(z) a NEG before
the LOGISTIC, ``z * -1`` a MUL by the constant -1, ``0 - z`` a SUB from the constant 0; float16 and full-integer
exports keep them (between DEQUANTIZE and QUANTIZE, or with an int8 constant). Up to 0.52.0 each was read as logits
and given a second softmax (0.985 said as 0.73). Joins that are no distribution stay logits: sigmoid(-a) beside
sigmoid(b) of another tensor, sigmoid(-2z) beside sigmoid(z), and both of a several-unit z (four outputs summing to
2). Real Keras layers, the real converter (float, float16, full-integer with float ends), the device's runtime."""

from __future__ import annotations

import numpy as np
import pytest

from edge.model import EdgeModel
from tests.foreign_exports import FILMS, WANT, export

KINDS = ["float", "float16", "int8"]
PAIRS = ["neg", "negative", "times -1", "-1 times", "0 minus", "p first"]
NO_PAIRS = ["-a beside b", "times -2", "several units"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """name_kind -> path of a converted model ("int8": full-integer inside, float ends)."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    L, ops = keras.layers, keras.ops
    folder = tmp_path_factory.mktemp("foreign_negated_pair")

    def z_of(inp, bias=4.18, units=1):  # a linear Dense: z, not yet a sigmoid
        x = L.GlobalAveragePooling2D()(L.Conv2D(4, 3, activation="relu")(L.Rescaling(1 / 255.0)(inp)))
        return L.Dense(units, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(bias))(x)

    join = lambda a, b: ops.concatenate([ops.sigmoid(a), ops.sigmoid(b)], axis=1)  # noqa: E731
    heads = {
        "neg": lambda inp: (lambda z: join(-z, z))(z_of(inp)),
        "negative": lambda inp: (lambda z: join(ops.negative(z), z))(z_of(inp)),
        "times -1": lambda inp: (lambda z: join(z * -1, z))(z_of(inp)),
        "-1 times": lambda inp: (lambda z: join(ops.multiply(-1.0, z), z))(z_of(inp)),
        "0 minus": lambda inp: (lambda z: join(0 - z, z))(z_of(inp)),
        "p first": lambda inp: (lambda z: join(z, -z))(z_of(inp, -4.18)),  # sigmoid(z) first: z = -4.18
        "-a beside b": lambda inp: join(-z_of(inp), z_of(inp, 1.0)),
        "times -2": lambda inp: (lambda z: join(z * -2, z))(z_of(inp)),
        "several units": lambda inp: (lambda z: join(-z, z))(z_of(inp, units=2)),
    }
    keras.utils.set_random_seed(0)
    for name, head in heads.items():
        inp = keras.Input((32, 32, 1))
        model = keras.Model(inp, head(inp))
        for kind in KINDS if name in PAIRS else ("float", "int8"):
            export(model, folder / f"{name}_{kind}.tflite", kind)
    return {p.stem: p for p in folder.glob("*.tflite")}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", PAIRS)
def test_sigmoid_of_minus_z_joined_with_sigmoid_of_z_is_read_as_probabilities(made, name, kind):
    m = EdgeModel(made[f"{name}_{kind}"], labels=["Normal", "COVID"])
    assert m.final_op == "SIGMOID_PAIR" and m.outputs_probabilities
    got = m.classify(FILMS)
    np.testing.assert_allclose(got[:, 1], WANT, atol=0.01)  # not 0.73, a second softmax's
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=0.01)


@pytest.mark.parametrize("kind", ["float", "int8"])
@pytest.mark.parametrize("name", NO_PAIRS)
def test_a_negated_sigmoid_of_another_tensor_or_of_several_units_is_read_as_logits(made, name, kind):
    """sigmoid(-a) + sigmoid(b) is 0.75, sigmoid(-2z) + sigmoid(z) 1.0000 only by chance; four outputs of a
    two-unit z sum to 2: none is a distribution, so none is proved one."""
    labels = ["A", "B", "C", "D"] if name == "several units" else ["Normal", "COVID"]
    m = EdgeModel(made[f"{name}_{kind}"], labels=labels)
    assert not m.outputs_probabilities and m.final_op == "CONCATENATION"
