"""edge.preprocess reads a film's grey levels once and finds its uniform borders once: up to 0.53.0 the blank check, the
grey-level spread and the box-on-blank check each counted an 8-bit film's levels (two full histograms and a quarter),
and the box check and preprocess_gray each trimmed its borders. The checks answer as before: each public check given
the reader's counts and borders says what it says without them, down to the box check's sampled-row bound."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PIL import Image

from edge.borders_contrast import border_widths, trim_uniform_borders
from edge.box_on_blank import MOST_SAMPLED, ONE_LEVEL, STRIDE, box_on_blank_fault
from edge.grey_levels import few_levels_fault
from edge.preprocess import PreprocessConfig, load_bytes, one_level_share, preprocess_file, preprocess_gray
from edge.wide_pixels import value_counts
from tests.test_image_fuzzed import encode, film


def _histogrammed(monkeypatch) -> list[int]:
    """The pixels each of Pillow's histograms counts (edge.wide_pixels.value_counts of an 8-bit film takes them)."""
    sizes: list[int] = []
    real = Image.Image.histogram

    def counting(self, *args, **kwargs):
        sizes.append(self.size[0] * self.size[1])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "histogram", counting)
    return sizes


def _border_searches(monkeypatch) -> list[str]:
    """Each search for a film's uniform borders (trim_uniform_borders, or border_widths where there is one), wherever
    an edge module looks the function up."""
    calls: list[str] = []
    for mod in [m for name, m in list(sys.modules.items()) if name.startswith("edge.") and m is not None]:
        for name in ("trim_uniform_borders", "border_widths"):
            fn = getattr(mod, name, None)
            if callable(fn) and getattr(fn, "__module__", "") == "edge.borders_contrast":
                def spy(*args, _fn=fn, _name=name, **kwargs):
                    calls.append(_name)
                    return _fn(*args, **kwargs)
                monkeypatch.setattr(mod, name, spy)
    return calls


def _framed(pad: int) -> np.ndarray:
    return np.pad(film(96, 128), ((pad, pad), (0, 0)))  # black rows above and below: a uniform border


@pytest.mark.parametrize("pad", [0, 10])
def test_a_film_is_counted_once_and_its_borders_found_once(monkeypatch, tmp_path, pad):
    gray = _framed(pad)
    (tmp_path / "a.png").write_bytes(encode(Image.fromarray(gray)))
    want = preprocess_gray(gray, PreprocessConfig(size=64))
    sizes, searches = _histogrammed(monkeypatch), _border_searches(monkeypatch)
    got = preprocess_file(tmp_path / "a.png", PreprocessConfig(size=64))
    assert np.array_equal(got, want)
    # the whole film once, and only the border strips beside it (their counts taken away from the whole's)
    assert sum(sizes) == gray.size + 2 * pad * 96, sizes
    assert len(searches) == 1, searches


def _at_the_sampled_bound() -> np.ndarray:
    """A film exactly ONE_LEVEL one grey level inside its borders, all the rest on the rows the box check samples:
    those rows hold exactly MOST_SAMPLED of one level (in exact numbers), which the check lets go (in floating point
    just under its bound), so the film is read; a check that skipped the sampled rows would refuse it."""
    gray = np.zeros((48, 40), np.uint8)  # its last 12 rows (a quarter: the most trimmed) are a uniform border
    for row in range(0, 36, STRIDE):  # 9 sampled rows of the 36 inside; 16 pixels each: 144, a tenth of 1,440
        gray[row, :8] = 100 + np.arange(8)
        gray[row, 32:] = 100 + np.arange(8)
    return gray


def test_the_box_check_given_counts_keeps_its_sampled_row_bound():
    gray = _at_the_sampled_bound()
    inside = trim_uniform_borders(gray)
    assert inside.shape == (36, 40) and one_level_share(inside) == ONE_LEVEL
    sampled = inside[::STRIDE]
    assert value_counts(sampled, 0, 256).max() == 0.6 * sampled.size < MOST_SAMPLED * sampled.size
    assert box_on_blank_fault(gray) is None
    assert box_on_blank_fault(gray, value_counts(gray, 0, 256), border_widths(gray)) is None
    assert load_bytes(encode(Image.fromarray(gray))).shape == (48, 40)


def _near_blanks() -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    out = [_at_the_sampled_bound(), film(96, 128), np.full((40, 40), 9, np.uint8), np.pad(film(40, 40), 30)]
    for _ in range(150):
        h, w = rng.integers(33, 160, 2)
        gray = np.full((h, w), rng.integers(0, 256), np.uint8)
        y, x = rng.integers(0, h), rng.integers(0, w)
        gray[y : y + rng.integers(1, h // 3 + 2), x : x + rng.integers(1, w // 3 + 2)] = rng.integers(0, 256)
        if rng.random() < 0.5:  # a few scattered levels besides (a label's lettering)
            n = int(rng.integers(1, h * w // 8))
            gray[rng.integers(0, h, n), rng.integers(0, w, n)] = rng.integers(0, 256, n) // rng.integers(1, 40)
        if rng.random() < 0.5:  # a uniform border of another level
            t, b, le, r = rng.integers(0, 20, 4)
            gray = np.pad(gray, ((t, b), (le, r)), constant_values=int(rng.integers(0, 256)))
        out.append(gray.astype(np.uint8))
    return out


def test_each_check_given_the_readers_counts_says_what_it_says_without():
    refused = 0
    for gray in _near_blanks():
        counts, borders = value_counts(gray, 0, 256), border_widths(gray)
        alone = box_on_blank_fault(gray)
        assert box_on_blank_fault(gray, counts, borders) == alone
        assert box_on_blank_fault(gray, counts) == alone
        assert few_levels_fault(gray, b"", counts) == few_levels_fault(gray)
        assert one_level_share(gray, counts) == one_level_share(gray)
        assert np.array_equal(trim_uniform_borders(gray), gray[borders[0]:gray.shape[0] - borders[1],
                                                               borders[2]:gray.shape[1] - borders[3]])
        refused += alone is not None
    assert 20 < refused < 140  # both answers tried, many times over
