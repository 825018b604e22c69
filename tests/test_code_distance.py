"""Copy codes compared a block at a time (train.code_distance): the same answers as every pair."""

from __future__ import annotations

import numpy as np

from train.code_distance import nearest_bits
from tests.test_seen import _code, _sha
from train.data import Item


def test_nearest_bits_counts_differing_bits():
    a = np.frombuffer(bytes.fromhex(_code(1)), np.uint8)[None]
    b = np.frombuffer(bytes.fromhex(_code(1, flip=7)), np.uint8)[None]
    assert nearest_bits(b, a).tolist() == [7]
    assert nearest_bits(b, np.zeros((0, 32), np.uint8)).tolist() == [257]


def test_copies_within_a_set_are_grouped():
    from train.code_distance import copies_within

    items = [Item("a", "A", _sha("a"), near=_code(1)),
             Item("b", "A", _sha("b"), near=_code(2)),
             Item("c", "A", _sha("c"), near=_code(1, flip=10)),  # a's picture, re-encoded
             Item("d", "A", _sha("b")),                          # b's bytes, no code
             Item("e", "A", _sha("e"), near=_code(1, flip=40)),  # another film
             Item("f", "A", _sha("f"), near=_code(3))]
    assert sorted(sorted(g) for g in copies_within(items)) == [[0, 2], [1, 3]]
    assert copies_within(items[4:]) == []


def _planted_set(n: int = 700, seed: int = 5) -> tuple[list[Item], np.ndarray]:
    """n random copy codes with near copies planted far apart (0 to COPY_CODE_BITS + 3 bits
    flipped: some at the limit, some just beyond), chains of copies, films without a code and
    films with the same bytes."""
    from train.hygiene import COPY_CODE_BITS

    rng = np.random.default_rng(seed)
    bits = rng.integers(0, 2, (n, 256), dtype=np.uint8)
    for j in rng.choice(n, n // 6, replace=False):
        src = int(rng.integers(n))
        bits[j] = bits[src]
        bits[j, rng.choice(256, int(rng.integers(0, COPY_CODE_BITS + 4)), replace=False)] ^= 1
    codes = np.packbits(bits, axis=1)
    items = [Item(f"f{k}", "A", _sha(f"f{k}"), near=codes[k].tobytes().hex()) for k in range(n)]
    for k in rng.choice(n, 20, replace=False):
        items[k].near = ""  # no copy code: found by its bytes only
    for a, b in rng.choice(n, (10, 2), replace=False):
        items[b].sha256 = items[a].sha256
    return items, codes


def _reference_copies(items: list[Item]) -> list[list[int]]:
    """copies_within, every pair by every pair, bit by bit."""
    from train.hygiene import COPY_CODE_BITS, join

    bits = {k: np.unpackbits(np.frombuffer(bytes.fromhex(i.near), np.uint8)) for k, i in enumerate(items) if i.near}
    pairs = [(a, b) for a in bits for b in bits if a < b and int((bits[a] != bits[b]).sum()) <= COPY_CODE_BITS]
    pairs += [(a, b) for a in range(len(items)) for b in range(a + 1, len(items))
              if items[a].sha256 and items[a].sha256 == items[b].sha256]
    groups: dict[int, list[int]] = {}
    for k, g in enumerate(join(len(items), pairs)):
        groups.setdefault(g, []).append(k)
    return sorted(g for g in groups.values() if len(g) > 1)


def test_copies_within_matches_every_pair_in_small_blocks(monkeypatch):
    """Block by block over the films after each block only, on 64-bit words (np.bitwise_count, or
    the numpy 1.x fallback): the same groups as comparing every pair bit by bit."""
    from train import code_distance

    items, codes = _planted_set()
    want = _reference_copies(items)
    assert len(want) > 50 and any(len(g) > 2 for g in want)
    monkeypatch.setattr(code_distance, "CHUNK_BYTES", code_distance._PAIR_BYTES * len(items) * 7)  # 7 rows a block, then more
    paths = [True, False] if hasattr(np, "bitwise_count") else [False]
    for fast in paths:
        monkeypatch.setattr(code_distance, "_BITWISE_COUNT", fast)
        assert sorted(code_distance.copies_within(items)) == want
        assert code_distance.copies_within(items[:1]) == [] and code_distance.copies_within([]) == []
        want_bits = [min(int((np.unpackbits(a) != np.unpackbits(b)).sum()) for b in codes[100:]) for a in codes[:100]]
        assert nearest_bits(codes[:100], codes[100:]).tolist() == want_bits


def test_popcount_fallback_counts_the_bits_of_each_word():
    from train.code_distance import _popcount_swar

    rng = np.random.default_rng(3)
    words = np.concatenate([np.array([0, 1, 2 ** 63, 2 ** 64 - 1, 0x5555555555555555], np.uint64),
                            rng.integers(0, 2 ** 64, 10_000, dtype=np.uint64, endpoint=False)])
    want = np.unpackbits(words.view(np.uint8)).reshape(-1, 64).sum(1)
    assert _popcount_swar(words.copy()).tolist() == want.tolist()
    if hasattr(np, "bitwise_count"):
        assert np.array_equal(_popcount_swar(words.copy()), np.bitwise_count(words))


def test_copies_within_shows_progress_in_a_log(monkeypatch, capsys):
    from train import code_distance
    from train import progress

    items, _ = _planted_set(300)
    monkeypatch.setattr(code_distance, "CHUNK_BYTES", code_distance._PAIR_BYTES * len(items) * 10)
    monkeypatch.setattr(progress, "LOG_EVERY_S", 0.0)
    code_distance.copies_within(items)  # callers that do not ask: no lines
    assert capsys.readouterr().err == ""
    code_distance.copies_within(items, progress=True)
    lines = capsys.readouterr().err.splitlines()
    assert lines and all("copies within the set: " in line for line in lines)
    assert lines[-1].endswith(f"{sum(1 for i in items if i.near)} of {sum(1 for i in items if i.near)}")
