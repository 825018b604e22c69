"""What a hospital researcher validating a model on their own films meets (session 74's walk-through of cxr-evaluate).

An empty class folder of one of the model's classes is refused with the advice `--class-map Normal=-`; taking that
advice must not be answered with "leave Normal out of --class-map to score it", which only leads back to the
refusal: the folder holds no films to score, and the warning says so and what to do instead."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from convert.site_folders import site_items
from train.data import DataError


def _films(folder: Path, n: int = 1) -> None:
    folder.mkdir(parents=True)
    from PIL import Image

    for i in range(n):
        Image.new("L", (32, 32), 40 + i).save(folder / f"f{i}.png")


def _warnings(root: Path, class_map: str | None) -> tuple[str, list[str]]:
    err, warnings = io.StringIO(), []
    with contextlib.redirect_stderr(err):
        site_items(root, ["COVID", "Normal"], class_map, "cxr-evaluate", quiet=True, warnings=warnings)
    return err.getvalue(), warnings


def test_an_empty_class_folder_is_refused_with_the_class_map_advice(tmp_path):
    _films(tmp_path / "COVID")
    (tmp_path / "Normal").mkdir()
    with pytest.raises(DataError, match="--class-map Normal=-"):
        _warnings(tmp_path, None)


def test_taking_that_advice_is_not_told_to_undo_it(tmp_path):
    _films(tmp_path / "COVID")
    (tmp_path / "Normal").mkdir()
    err, warnings = _warnings(tmp_path, "Normal=-")
    said = [w for w in warnings if "is the model's class Normal" in w]
    assert len(said) == 1, warnings
    assert "leave Normal out of --class-map" not in said[0]  # the refusal again: the folder holds no images
    assert "holds no images" in said[0] and "put films of Normal in it" in said[0]
    assert said[0] in err


def test_a_left_out_folder_with_films_still_says_how_to_score_it(tmp_path):
    _films(tmp_path / "COVID")
    _films(tmp_path / "Normal")
    _, warnings = _warnings(tmp_path, "Normal=-")
    said = [w for w in warnings if "is the model's class Normal" in w]
    assert said and said[0].endswith("leave Normal out of --class-map to score it")
