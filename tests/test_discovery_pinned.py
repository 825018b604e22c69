"""train.discovery pinned: which class folders and films discover returns, and what it says of the rest.

Written by hand mutation testing (H67 mutants6): each test kills a change to discovery that the fast
discovery tests let through. Films are tiny PNGs made here; the real discovery runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from train.data import DataError
from train.discovery import discover, loose_images

from tests.test_discovery_links_masks import films  # n distinct 8x8 grey PNGs in a folder


def two_classes(data: Path) -> Path:
    films(data / "COVID")
    films(data / "Normal")
    return data


def latin1_class(data: Path) -> str:
    """A class folder 'Caf\\xe9' (Latin-1 bytes, as an old Windows zip writes it) holding films; its name as Python
    reads it (a lone surrogate for the byte)."""
    os.mkdir(os.path.join(os.fsencode(data), b"Caf\xe9"))
    name = os.fsdecode(b"Caf\xe9")
    films(data / name)
    return name


def test_a_class_folder_whose_name_is_not_text_stops_a_two_class_training(tmp_path):
    """Its name would be the model's label, which run.json and the .tflite hold as UTF-8: training (two classes
    needed, the usual case) is refused with the folder named, not at conversion after the training."""
    data = two_classes(tmp_path / "data")
    latin1_class(data)
    with pytest.raises(DataError, match="its name is not UTF-8 text"):
        discover(data, log=lambda message: None)


def test_a_not_text_folder_that_classes_leave_out_does_not_stop_the_run(tmp_path):
    """--classes COVID,Normal: the Latin-1 folder is no label of this model, so its name cannot hurt it."""
    data = two_classes(tmp_path / "data")
    latin1_class(data)
    items, _, _ = discover(data, ["COVID", "Normal"], log=lambda message: None)
    assert sorted({i.label for i in items}) == ["COVID", "Normal"]


def test_a_class_folder_without_a_letter_or_digit_stops_a_two_class_training(tmp_path):
    """A folder '--' (its key is empty; '-' is --class-map's 'leave out') cannot be a label that is matched safely."""
    data = two_classes(tmp_path / "data")
    films(data / "--")
    with pytest.raises(DataError, match="a class name needs a letter or digit"):
        discover(data, log=lambda message: None)


def test_the_layout_is_named_for_what_was_found(tmp_path):
    """run.json and the discovery line say the layout: Kaggle's CLASS/images/ is named as such."""
    kaggle = tmp_path / "kaggle"
    films(kaggle / "COVID" / "images")
    films(kaggle / "Normal" / "images")
    assert discover(kaggle, log=lambda message: None)[2] == "kaggle (CLASS/images)"
    assert discover(two_classes(tmp_path / "flat"), log=lambda message: None)[2] == "folder per class"


def test_archives_and_suffixless_images_are_said_only_for_the_classes_used(tmp_path):
    """Normal/more.zip is said (its films were never read); Viral/more.zip and Viral/scan001 (a PNG without a
    suffix) are not, when --classes leaves Viral out: nothing of this run is lost there."""
    data = two_classes(tmp_path / "data")
    films(data / "Viral")
    (data / "Normal" / "more.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (data / "Viral" / "more.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (data / "Viral" / "film-0.png").replace(data / "Viral" / "scan001")
    said: list[str] = []
    discover(data, ["COVID", "Normal"], log=said.append)
    assert said == [f"warning: Normal/more.zip in {data}: an archive, not read; unpack it"]


def test_loose_images_are_files_with_an_image_name_only(tmp_path):
    """A folder named like an image (x.png/) is no loose film; a folder that cannot be listed has none to say."""
    data = two_classes(tmp_path / "data")
    films(data, 1, "loose")
    (data / "folder.png").mkdir()
    assert loose_images(data) == ["loose-0.png"]
    assert loose_images(tmp_path / "gone") == []
