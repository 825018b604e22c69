"""A sigmoid's p taken by tf.gather_nd (GATHER_ND), and by two GATHERs (or GATHER_NDs) of the same unit that the real
converter leaves apart: ``1 - tf.gather(s, [1], axis=-1)`` beside ``tf.gather(s, [1], axis=1)`` (one index tensor,
two ops), or int64 indices beside int32 ones (two index tensors). Up to 0.53.0 each was read as logits and given a
second softmax (0.985 said as 0.73). Two GATHERs at other indices, or of two sigmoids, are no distribution and stay
logits, as do two at indices the graph makes at run time. Real Keras layers (tests.sigmoid_pair_heads), the real converter (float, dynamic-range, full-integer), the
device's runtime."""

from __future__ import annotations

import numpy as np
import pytest

from edge.model import EdgeModel, softmax
from tests.foreign_exports import FILMS, WANT
from tests.sigmoid_pair_heads import GATHERED, build

KINDS = ["float", "dynamic", "int8", "int8 ends"]
NO_PAIRS = ["two gathers 0 and 1", "two gathers of two sigmoids", "two gather_nds 0 and 1",
            "two gathers at run-time indices", "two gather_nds of two reshapes"]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """name_kind -> path of a converted model."""
    return build(GATHERED + NO_PAIRS, KINDS, tmp_path_factory.mktemp("foreign_pair_gathered"))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", GATHERED)
def test_p_gathered_once_or_by_two_gathers_left_apart_is_read_as_probabilities(made, name, kind):
    m = EdgeModel(made[f"{name}_{kind}"], labels=["Normal", "COVID"])
    assert m.final_op == "SIGMOID_PAIR" and m.outputs_probabilities
    got = m.classify(FILMS)
    np.testing.assert_allclose(got[:, 1], WANT, atol=0.01)  # not 0.73, a second softmax's
    assert softmax(m.logits(FILMS))[0, 1] < 0.75  # what reading them as logits made of it


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", NO_PAIRS)
def test_two_gathers_of_other_numbers_are_read_as_logits(made, name, kind):
    """1 - s[0] beside s[1] sums to 1.72; 1 - a[1] beside b[1] of two sigmoids to 1.72 too; 1 - s[argmin] beside
    s[argmax] as well, whose indices no constant holds (read before a film, they would look equal): no distribution."""
    m = EdgeModel(made[f"{name}_{kind}"], labels=["Normal", "COVID"])
    assert not m.outputs_probabilities and m.final_op == "CONCATENATION"
