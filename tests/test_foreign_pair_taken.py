"""A sigmoid's [1 - p, p] built the other ways Keras 3 and tf code build it: one unit of a two-unit sigmoid taken by
keras.ops.split or tf.split (SPLIT, SPLIT_V), keras.ops.unstack (UNPACK), keras.ops.take or tf.gather (GATHER) or
tf.slice (SLICE), and the 1 given as keras.ops.ones_like(p) (BROADCAST_TO) or tf.ones(tf.shape(p)) (FILL). Up to
0.52.0 each was read as logits and given a second softmax (0.985 said as 0.73). Joins that are no distribution stay
logits: 1 minus one half of a split beside the other half, 1 minus one taken unit beside another, 1 minus a run-time
tensor. Real Keras layers (tests.sigmoid_pair_heads), the real converter (float, dynamic-range and full-integer),
the device's runtime."""

from __future__ import annotations

import numpy as np
import pytest

from edge.model import EdgeModel
from tests.foreign_exports import FILMS, WANT
from tests.sigmoid_pair_heads import TAKEN, build

KINDS = ["float", "dynamic", "int8"]
NO_PAIRS = ["1 - first half, second half", "1 - take 0, take 1", "1 - ones + p"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """name_kind -> path of a converted model ("int8": full-integer inside, float ends)."""
    return build(TAKEN + NO_PAIRS, KINDS, tmp_path_factory.mktemp("foreign_pair_taken"))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", TAKEN)
def test_one_unit_of_a_sigmoid_taken_and_joined_with_1_minus_it_is_read_as_probabilities(made, name, kind):
    m = EdgeModel(made[f"{name}_{kind}"], labels=["Normal", "COVID"])
    assert m.final_op == "SIGMOID_PAIR" and m.outputs_probabilities
    np.testing.assert_allclose(m.classify(FILMS)[:, 1], WANT, atol=0.01)  # not 0.73, a second softmax's


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", NO_PAIRS)
def test_a_join_whose_1_minus_is_of_another_tensor_is_read_as_logits(made, name, kind):
    """1 - a beside b, both halves of one SPLIT (one op, two tensors), sums to 1.72: compared as tensors, not ops.
    1 - take(s, 0) beside take(s, 1) likewise; ones_like(p) - 2p is a SUB of 1, but not of the p joined."""
    m = EdgeModel(made[f"{name}_{kind}"], labels=["Normal", "COVID"])
    assert not m.outputs_probabilities and m.final_op in ("CONCATENATION", "PACK")
