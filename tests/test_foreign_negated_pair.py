"""A sigmoid's [1 - p, p] written as [sigmoid(-z), sigmoid(z)]: sigmoid(-z) is 1 - sigmoid(z) exactly, so the raw
outputs are the same probabilities. The converter gives keras.ops.sigmoid(-z) and keras.ops.negative(z) a NEG before
the LOGISTIC, ``z * -1`` a MUL by the constant -1, ``0 - z`` a SUB from the constant 0; float16, dynamic-range and
full-integer exports keep them (between DEQUANTIZE and QUANTIZE, or with an int8 constant). Up to 0.52.0 each was read
as logits and given a second softmax (0.985 said as 0.73). Joins that are no distribution stay logits: sigmoid(-a)
beside sigmoid(b) of another tensor, sigmoid(-2z) beside sigmoid(z), and both of a several-unit z (four outputs
summing to 2). Real Keras layers (tests.sigmoid_pair_heads), the real converter, the device's runtime."""

from __future__ import annotations

import numpy as np
import pytest

from edge.model import EdgeModel
from tests.foreign_exports import FILMS, WANT
from tests.sigmoid_pair_heads import NEGATED, build

KINDS = ["float", "float16", "dynamic", "int8"]
NO_PAIRS = ["-a beside b", "times -2", "several units"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """name_kind -> path of a converted model ("int8": full-integer inside, float ends)."""
    return build(NEGATED + NO_PAIRS, KINDS, tmp_path_factory.mktemp("foreign_negated_pair"))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", NEGATED)
def test_sigmoid_of_minus_z_joined_with_sigmoid_of_z_is_read_as_probabilities(made, name, kind):
    m = EdgeModel(made[f"{name}_{kind}"], labels=["Normal", "COVID"])
    assert m.final_op == "SIGMOID_PAIR" and m.outputs_probabilities
    got = m.classify(FILMS)
    np.testing.assert_allclose(got[:, 1], WANT, atol=0.01)  # not 0.73, a second softmax's
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=0.01)


@pytest.mark.parametrize("kind", ["float", "dynamic", "int8"])
@pytest.mark.parametrize("name", NO_PAIRS)
def test_a_negated_sigmoid_of_another_tensor_or_of_several_units_is_read_as_logits(made, name, kind):
    """sigmoid(-a) + sigmoid(b) is 0.75, sigmoid(-2z) + sigmoid(z) 1.0000 only by chance; four outputs of a
    two-unit z sum to 2: none is a distribution, so none is proved one."""
    labels = ["A", "B", "C", "D"] if name == "several units" else ["Normal", "COVID"]
    m = EdgeModel(made[f"{name}_{kind}"], labels=labels)
    assert not m.outputs_probabilities and m.final_op == "CONCATENATION"
