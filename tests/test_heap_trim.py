"""Memory a large film's decode freed goes back to the system after it, where the C library is glibc
(edge.heap_trim); elsewhere (musl, macOS, Windows) the trim is skipped and nothing else changes."""

from __future__ import annotations

import platform

import numpy as np
import pytest
from PIL import Image

import edge.batch
import edge.heap_trim
from edge.decode_budget import DecodeGate, film_cost
from edge.heap_trim import LARGE_FILM, _find_trim, malloc_trim, trim_after
from edge.preprocess import PreprocessConfig, preprocess_file


@pytest.mark.parametrize("system,libc", [("Darwin", ""), ("Windows", ""), ("Linux", ""), ("Linux", "musl")])
def test_no_trim_where_the_c_library_is_not_glibc(system, libc):
    assert _find_trim(system, libc) is None


def test_skipped_where_there_is_none(monkeypatch):
    monkeypatch.setattr(edge.heap_trim, "_trim", None)
    assert malloc_trim() is None
    assert trim_after(10 * LARGE_FILM) is False


def test_small_films_are_not_followed_by_a_trim():
    assert trim_after(LARGE_FILM - 1) is False


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_a_large_film_is_followed_by_a_trim_on_glibc():
    assert malloc_trim() is not None
    assert trim_after(LARGE_FILM) is True


def test_paced_decodes_trim_after_each_film_by_its_cost_and_give_the_same_input(tmp_path, monkeypatch):
    yy, xx = np.mgrid[0:300, 0:200]
    path = tmp_path / "film.png"
    Image.fromarray(((xx + yy) * 60000 // 500).astype(np.uint16)).save(path)
    costs: list[int] = []
    monkeypatch.setattr(edge.batch, "trim_after", costs.append)
    x, says, frames = edge.batch.decode_paced(str(path), PreprocessConfig(), gate=DecodeGate(2**30))
    assert costs == [film_cost(str(path))]
    assert np.array_equal(x, preprocess_file(path)) and says is None and frames is None
    edge.batch.decode_paced(str(path), PreprocessConfig(), gate=DecodeGate(None))  # one thread: its arena is reused
    assert len(costs) == 1
