"""edge.box_on_blank pinned where tests/test_box_on_blank.py left room: the first look at every STRIDE-th row is all a
chest film costs (a looser bound, or none, gave the same answers at four times the histogram), and a film of one
pixel is refused, not let go as empty."""

from __future__ import annotations

import numpy as np

import edge.box_on_blank as bob


def _spied(monkeypatch) -> list[int]:
    sizes: list[int] = []

    def counting(values, lo, hi):
        sizes.append(values.size)
        return real(values, lo, hi)

    real = bob.value_counts
    monkeypatch.setattr(bob, "value_counts", counting)
    return sizes


def test_a_film_of_many_levels_costs_one_histogram_of_a_quarter_of_its_rows(monkeypatch):
    rng = np.random.default_rng(3)
    gray = np.clip(np.linspace(30, 220, 300)[None, :] + rng.normal(0, 15, (400, 300)), 0, 255).astype(np.uint8)
    sizes = _spied(monkeypatch)
    assert bob.box_on_blank_fault(gray) is None
    assert sizes == [100 * 300]  # rows 0, 4, ... 396: nothing trimmed, the whole never counted


def test_a_film_over_the_sampled_bound_is_counted_whole(monkeypatch):
    gray = np.zeros((400, 100), np.uint8)
    # columns of 8-level steps, each varying by 8 down its rows: not a flat border, so nothing is trimmed
    gray[:, :30] = np.arange(30, dtype=np.uint8)[None, :] * 8 + 1 + (np.arange(400, dtype=np.uint8)[:, None] % 2) * 8
    gray[::2, 99] = 255  # no uniform border to trim
    sizes = _spied(monkeypatch)
    assert bob.box_on_blank_fault(gray) is None  # 70% at one level: looked at whole, under 90%
    assert len(sizes) == 2 and sizes[1] == 4 * sizes[0]


def test_a_film_of_one_pixel_is_one_grey_level_and_nothing_else():
    """The smallest film trim_uniform_borders gives (it never gives none): refused, not let go as empty."""
    assert bob.box_on_blank_fault(np.full((1, 1), 7, np.uint8)).startswith(
        "nearly blank: 100% of the film is one grey level (7) and nothing else, ")


def _rest_of(levels: int) -> np.ndarray:
    """A black film with 100 pixels at each of ``levels`` grey levels from 100, in bands of one solid 40-wide block in
    its top left corner (a wide rest is read only where it is no thin strokes), one pixel in the opposite corner
    keeping the black from being trimmed."""
    gray = np.zeros((200, 200), np.uint8)
    rest = np.repeat(np.arange(100, 100 + levels, dtype=np.uint8), 100)
    gray.flat[(np.arange(rest.size) // 40) * 200 + np.arange(rest.size) % 40] = rest
    gray[-1, -1] = 100
    return gray


def test_a_rest_of_15_levels_is_refused_and_one_of_16_is_read():
    """FEW_LEVELS (16) is the first spread let through: the boundary exactly, and the words naming its ends."""
    assert bob.FEW_LEVELS == 16
    assert "the rest spans 15 grey levels (100 to 114), where" in bob.box_on_blank_fault(_rest_of(15))
    assert "the rest spans 2 grey levels (100 to 101), where" in bob.box_on_blank_fault(_rest_of(2))
    assert bob.box_on_blank_fault(_rest_of(16)) is None
