"""Review 74a of what session 74 merged: two of its new messages said what was false.

cxr-evaluate's warning for `--class-map CLASS=-` on an empty folder of a model's class ("its folder holds no images:
put films of CLASS in it") was also given for a class folder that is a link to a share not mounted: its films are
there once the share is, and the advice was to put films in it. A foreign model's --labels of the wrong count was
given an example of A to Z (26 names) for a model of more outputs (1,001 of an ImageNet classifier): taken, it was
refused again."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from convert.site_folders import site_items
from edge.labels_given import foreign_count_problem


def _films(folder: Path, n: int = 2) -> None:
    from PIL import Image

    folder.mkdir(parents=True)
    for i in range(n):
        Image.new("L", (32, 32), 40 + i).save(folder / f"f{i}.png")


def _warnings(root: Path, class_map: str) -> list[str]:
    warnings: list[str] = []
    with contextlib.redirect_stderr(io.StringIO()):
        site_items(root, ["COVID", "Normal", "Lung_Opacity"], class_map, "cxr-evaluate", quiet=True, warnings=warnings)
    return [w for w in warnings if "is the model's class Lung_Opacity" in w]


def test_a_left_out_link_to_an_unmounted_share_is_not_said_to_hold_no_images(tmp_path):
    _films(tmp_path / "COVID")
    _films(tmp_path / "Normal")
    os.symlink(tmp_path / "share-not-mounted" / "Lung_Opacity", tmp_path / "Lung_Opacity")
    said = _warnings(tmp_path, "Lung_Opacity=-")
    assert len(said) == 1, said
    assert "holds no images" not in said[0] and "put films of" not in said[0], said[0]
    assert said[0].endswith("leave Lung_Opacity out of --class-map to score it"), said[0]


def test_a_left_out_empty_folder_still_says_it_holds_no_images(tmp_path):
    _films(tmp_path / "COVID")
    _films(tmp_path / "Normal")
    (tmp_path / "Lung_Opacity").mkdir()
    said = _warnings(tmp_path, "Lung_Opacity=-")
    assert len(said) == 1 and "holds no images" in said[0] and "put films of Lung_Opacity in it" in said[0], said


def test_the_label_count_example_never_has_another_count_than_the_outputs():
    for outputs in (2, 3, 26, 27, 1001):
        text = foreign_count_problem(outputs, 2)
        assert f"give {outputs} class names" in text, text
        if "e.g. --labels " in text:
            example = text.split("e.g. --labels ")[1].rstrip(")")
            assert len(example.split(",")) == outputs, text
    assert "e.g. --labels A,B,C)" in foreign_count_problem(3, 2)
