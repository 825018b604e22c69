"""edge.selftest_arrays pinned where a small change went unseen (hand mutation testing: each test here failed with
one such change to has_selftest or npz_reference in place; the tests of 0.1.0's files need a trained model). A
damaged selftest.npz must be said to be damaged (ValueError), never run as a self-test that passes or crashes."""

from __future__ import annotations

import io

import numpy as np
import pytest

from edge.selftest_arrays import has_selftest, npz_reference


def npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


GOOD_INPUTS, GOOD_WANT = np.zeros((2, 8, 8, 1), np.uint8), np.full((2, 3), 1 / 3)


def test_either_kind_of_self_test_counts_and_none_is_none():
    assert has_selftest({"selftest.json": b""}) and has_selftest({"selftest.npz": b""})
    assert not has_selftest({"typicality.npz": b""})


def test_a_good_archive_gives_its_uint8_inputs_and_float_probabilities():
    inputs, want = npz_reference(npz(inputs=GOOD_INPUTS, probabilities=GOOD_WANT.astype(np.float32)))
    assert inputs.dtype == np.uint8 and inputs.shape == (2, 8, 8, 1) and want.dtype == np.float64 and want.shape == (2, 3)


@pytest.mark.parametrize("data, said", [
    (b"not a zip", "selftest.npz cannot be read ("),
    (npz(inputs=GOOD_INPUTS), "selftest.npz cannot be read (KeyError"),
])
def test_an_archive_that_cannot_be_read_is_said_so(data, said):
    with pytest.raises(ValueError, match="^" + said.replace("(", r"\(")):
        npz_reference(data)


def test_a_lone_array_is_not_an_archive():
    buf = io.BytesIO()
    np.save(buf, GOOD_INPUTS)
    with pytest.raises(ValueError, match=r"^selftest.npz cannot be read \(ValueError: not an .npz archive\)$"):
        npz_reference(buf.getvalue())


@pytest.mark.parametrize("inputs, want", [
    (GOOD_INPUTS.astype(np.float32), GOOD_WANT),  # not uint8
    (GOOD_INPUTS[..., 0], GOOD_WANT),  # no channel axis
    (GOOD_INPUTS, GOOD_WANT[:, 0]),  # probabilities of one class, not rows
    (GOOD_INPUTS, GOOD_WANT[:1]),  # one row for two inputs
    (GOOD_INPUTS[:0], GOOD_WANT[:0]),  # no cases: a self-test of nothing passes
])
def test_arrays_of_the_wrong_kind_or_count_are_refused(inputs, want):
    with pytest.raises(ValueError, match="not a uint8 batch with one row of probabilities for each input$"):
        npz_reference(npz(inputs=inputs, probabilities=want))
