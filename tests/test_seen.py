"""convert.seen without a model: which films a run used, by their bytes or as copies."""

from __future__ import annotations

import hashlib

import numpy as np

from convert.seen import nearest_bits, seen_parts
from train.data import Item, Split


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _code(seed: int, flip: int = 0) -> str:
    bits = np.random.default_rng(seed).integers(0, 2, 256).astype(np.uint8)
    bits[:flip] ^= 1
    return np.packbits(bits).tobytes().hex()


def test_nearest_bits_counts_differing_bits():
    a = np.frombuffer(bytes.fromhex(_code(1)), np.uint8)[None]
    b = np.frombuffer(bytes.fromhex(_code(1, flip=7)), np.uint8)[None]
    assert nearest_bits(b, a).tolist() == [7]
    assert nearest_bits(b, np.zeros((0, 32), np.uint8)).tolist() == [257]


def test_the_same_bytes_win_over_a_copy_and_training_over_validation(tmp_path):
    run = Split(str(tmp_path), ["A"], {"train": [Item("A/t.png", "A", _sha("t"), near=_code(1))],
                                       "val": [Item("A/v.png", "A", _sha("v"), near=_code(2))]})
    run.save(tmp_path / "split.json")
    model = tmp_path / "model.keras"  # checked against the split.json beside it
    items = [Item("x", "A", _sha("v"), near=_code(1)),           # validation's bytes, training's picture
             Item("y", "A", _sha("y"), near=_code(1, flip=9)),   # a copy of the training film
             Item("z", "A", _sha("z"), near=_code(2, flip=10)),  # a copy of the validation film, at the limit
             Item("w", "A", _sha("w"), near=_code(1, flip=11)),  # beyond the limit: another film
             Item("u", "A", _sha("t"))]                          # training's bytes, no copy code
    parts, source = seen_parts(model, items)
    assert source == str(tmp_path / "split.json")
    assert parts == [("val", "bytes"), ("train", "copy"), ("val", "copy"), None, ("train", "bytes")]


def test_copies_within_a_set_are_grouped():
    from convert.seen import copies_within

    items = [Item("a", "A", _sha("a"), near=_code(1)),
             Item("b", "A", _sha("b"), near=_code(2)),
             Item("c", "A", _sha("c"), near=_code(1, flip=10)),  # a's picture, re-encoded
             Item("d", "A", _sha("b")),                          # b's bytes, no code
             Item("e", "A", _sha("e"), near=_code(1, flip=40)),  # another film
             Item("f", "A", _sha("f"), near=_code(3))]
    assert sorted(sorted(g) for g in copies_within(items)) == [[0, 2], [1, 3]]
    assert copies_within(items[4:]) == []
