"""edge.heap_trim pinned (hand mutation testing, session 71): the trim is called, with 0, after a large film only,
where large is as the module's words say (a 20 MB 8-bit film is not, a 70 MB 16-bit one is), and a C library
that has no malloc_trim is skipped."""

from __future__ import annotations

import ctypes

import numpy as np
from PIL import Image

import edge.heap_trim
from edge.decode_budget import film_cost
from edge.heap_trim import _find_trim, trim_after


def test_the_trim_is_called_with_0_after_a_large_film_and_not_after_a_small_one(tmp_path, monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(edge.heap_trim, "_trim", lambda pad: calls.append(pad) or 1)
    small, large = tmp_path / "small.png", tmp_path / "large.png"
    Image.fromarray(np.zeros((3400, 2800), np.uint8)).save(small)  # 8-bit: its leftovers the next film reuses
    Image.fromarray(np.zeros((3500, 3000), np.uint16)).save(large)
    assert trim_after(film_cost(str(small))) is False
    assert calls == []
    assert trim_after(film_cost(str(large))) is True
    assert calls == [0]


def test_a_glibc_without_malloc_trim_is_skipped(monkeypatch):
    class NoTrim:
        pass
    monkeypatch.setattr(ctypes, "CDLL", lambda name: NoTrim())
    assert _find_trim("Linux", "glibc") is None
