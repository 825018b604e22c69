"""Cases hand mutation testing of train.sheet_folders found unpinned (session 70): which numbered names are parts of
one download, an Images/ folder in any case, a sheet that labels some of the folders, five parts listed whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from train.sheet_folders import download_parts, sheet_beside_folders


def _png(path: Path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (16, 16), dtype=np.uint8)).save(path)


def _layout(root: Path, folders: list[str], labels: list[str]) -> Path:
    """Two films in each of ``folders``, and labels.csv beside them labelling the films of the first ones."""
    rows = ["filename,label"]
    for k, folder in enumerate(folders):
        for i in range(2):
            _png(root / folder / f"{k}_{i}.png", 10 * k + i)
            if k < len(labels):
                rows.append(f"{folder}/{k}_{i}.png,{labels[k]}")
    (root / "labels.csv").write_text("\n".join(rows) + "\n")
    return root


def test_only_names_ending_in_their_number_are_parts_and_one_number_twice_is_one_part():
    assert download_parts(["batch1_normal", "batch2_pneumonia"]) == []  # classes named by batch, not parts
    assert download_parts(["images_1", "images_01"]) == []  # one part, written two ways


def test_an_images_folder_in_any_case_is_a_folder_of_films_of_any_label(tmp_path):
    said = sheet_beside_folders(_layout(tmp_path, ["Images"], ["COVID"]))
    assert said is not None and said.startswith(f"the folder Images in {tmp_path} is a folder of films of any label, "
                                                "not a class; "), said


def test_a_sheet_that_labels_some_folders_by_their_names_agrees_with_them(tmp_path):
    """COVID-19/ and Normal/ labelled as the sheet says (its 'covid 19' one key with the folder's), an images/ of
    films not labelled yet beside them: a folder per class with its labels.csv, not refused."""
    assert sheet_beside_folders(_layout(tmp_path, ["COVID-19", "Normal", "images"], ["covid 19", "NORMAL"])) is None


def test_five_parts_are_listed_whole(tmp_path):
    parts = [f"images_{k:03d}" for k in range(1, 6)]
    said = sheet_beside_folders(_layout(tmp_path, parts, ["COVID", "Normal", "COVID", "Normal", "COVID"]))
    assert said is not None and ", ".join(parts) + " in " in said and "..." not in said, said
