"""train.cache_frames.part_frames pinned without a trained run: a hand-made split of three films (a 3-page TIFF,
a 2-page one, a PNG) and a stamp as train.cache writes it. What is taken from the stamp, what is counted again
and what is kept; the slow end-to-end cases are in tests/test_convert_frames_cached.py."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

from edge import __version__
from edge.preprocess import PreprocessConfig
from train.cache import _films_digest, stamp_path
from train.cache_frames import part_frames
from train.data import Item, Split


def _pages(path: Path, n: int) -> None:
    pages = [Image.fromarray(np.full((8, 8), 40 * k, dtype=np.uint8)) for k in range(n)]
    pages[0].save(path, save_all=n > 1, append_images=pages[1:])


def _setup(tmp_path: Path) -> tuple[Path, Split, PreprocessConfig, str]:
    data, run = tmp_path / "data", tmp_path / "run"
    data.mkdir()
    (run / "cache").mkdir(parents=True)
    _pages(data / "a.tif", 3)
    _pages(data / "b.png", 1)
    _pages(data / "c.tif", 2)
    items = [Item("c.tif", "X", "1"), Item("b.png", "X", "2"), Item("a.tif", "X", "3")]
    split, config = Split(str(data), ["X"], {"test": items}), PreprocessConfig()
    digest = _films_digest(items, config)
    stamp_path(run, "test").write_text(json.dumps({"films": digest, "array": "A"}))
    return run, split, config, digest


def _stamp(run: Path) -> dict:
    return json.loads(stamp_path(run, "test").read_text())


def test_counts_are_read_in_the_parts_order_and_kept_in_the_stamp(tmp_path):
    run, split, config, digest = _setup(tmp_path)
    counts = part_frames(run, split, "test", config)
    assert counts == {"c.tif": 2, "a.tif": 3} and list(counts) == ["c.tif", "a.tif"]  # a one-frame film: none
    stamp = _stamp(run)
    assert stamp["array"] == "A" and stamp["frames"] == {"films": digest, "cxr_edge": __version__,
                                                         "counts": {"c.tif": 2, "a.tif": 3}}


def test_kept_counts_are_taken_without_a_film_opened(tmp_path):
    run, split, config, digest = _setup(tmp_path)
    stamp = {**_stamp(run), "frames": {"films": digest, "cxr_edge": __version__, "counts": {"a.tif": 2, "c.tif": 5}}}
    stamp_path(run, "test").write_text(json.dumps(stamp))
    counts = part_frames(run, split, "test", config)
    assert counts == {"c.tif": 5, "a.tif": 2} and list(counts) == ["c.tif", "a.tif"]  # the kept ones (2 frames is
    # several), in the part's order


def test_kept_counts_not_of_these_films_or_not_counts_are_counted_again(tmp_path):
    run, split, config, digest = _setup(tmp_path)
    for frames in ({"films": "other", "cxr_edge": __version__, "counts": {"a.tif": 7}},
                   {"films": digest, "cxr_edge": "0.0.1", "counts": {"a.tif": 7}},
                   {"films": digest, "cxr_edge": __version__, "counts": ["a.tif"]},
                   {"films": digest, "cxr_edge": __version__, "counts": {"a.tif": 1}},
                   {"films": digest, "cxr_edge": __version__, "counts": {"a.tif": True}},
                   {"films": digest, "cxr_edge": __version__, "counts": {"a.tif": "7"}},
                   ["not", "a", "dict"]):
        stamp_path(run, "test").write_text(json.dumps({"films": digest, "array": "A", "frames": frames}))
        assert part_frames(run, split, "test", config) == {"c.tif": 2, "a.tif": 3}, frames
        assert _stamp(run)["frames"]["counts"] == {"c.tif": 2, "a.tif": 3}, frames


def test_nothing_is_kept_without_keep_for_a_film_gone_or_for_a_stamp_of_other_films(tmp_path):
    run, split, config, digest = _setup(tmp_path)
    assert part_frames(run, split, "test", config, keep=False) == {"c.tif": 2, "a.tif": 3}
    assert "frames" not in _stamp(run)
    (tmp_path / "data" / "b.png").unlink()  # gone: no count kept in place of its own
    assert part_frames(run, split, "test", config) == {"c.tif": 2, "a.tif": 3} and "frames" not in _stamp(run)
    _pages(tmp_path / "data" / "b.png", 1)
    stamp_path(run, "test").write_text(json.dumps({"films": "other rows", "array": "A"}))
    assert part_frames(run, split, "test", config) == {"c.tif": 2, "a.tif": 3} and "frames" not in _stamp(run)


def test_a_damaged_or_missing_stamp_is_counted_and_left_as_it_is(tmp_path):
    run, split, config, _ = _setup(tmp_path)
    stamp_path(run, "test").write_text("{cut sh")
    assert part_frames(run, split, "test", config) == {"c.tif": 2, "a.tif": 3}
    assert stamp_path(run, "test").read_text() == "{cut sh"
    stamp_path(run, "test").unlink()
    assert part_frames(run, split, "test", config) == {"c.tif": 2, "a.tif": 3} and not stamp_path(run, "test").exists()
