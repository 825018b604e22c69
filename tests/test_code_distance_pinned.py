"""train.code_distance pinned where a small change went unseen (hand mutation testing: each test here failed with
one such change in place, which the fast tests of tests/test_code_distance.py and tests/test_crop_copies.py let
through)."""

from __future__ import annotations

import numpy as np

from train.code_distance import copies_within, nearest_bits
from train.crop_copies import crop_print
from train.data import Item
from train.hygiene import copy_code
from train.synthetic import render


def test_copies_within_a_set_joins_a_cropped_copy_when_given_the_films_crop_prints():
    """cxr-evaluate's own-set check passes crop prints: a film and its crop (codes far apart) are then one group,
    which the copy codes alone do not make."""
    films = [render(("COVID", "Normal")[k % 2], np.random.default_rng(k), (200, 200)) for k in range(4)]
    films.append(np.ascontiguousarray(films[0][8:, :-4]))  # 4% and 2% off
    items = [Item(f"f{k}.png", "COVID", f"{k:064x}", near=copy_code(f).hex()) for k, f in enumerate(films)]
    assert copies_within(items) == []
    prints = tuple(np.stack(p) for p in zip(*map(crop_print, films)))
    assert copies_within(items, prints=prints) == [[0, 4]]


def test_nearest_bits_names_its_progress_as_asked(monkeypatch, capsys):
    """convert.seen names each pass ('copies of training films'); a log of several passes otherwise says the same
    words for each."""
    from train import code_distance, progress

    monkeypatch.setattr(progress, "LOG_EVERY_S", 0.0)
    monkeypatch.setattr(code_distance, "CHUNK_BYTES", code_distance._PAIR_BYTES * 3)  # a row a block
    codes = np.zeros((3, 32), np.uint8)
    nearest_bits(codes, codes, progress=True, desc="copies of training films")
    assert capsys.readouterr().err.splitlines()[-1].endswith("copies of training films: 3 of 3")
