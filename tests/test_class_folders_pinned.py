"""train.class_folders pinned where a small change went unseen (hand mutation testing: each test here failed with
one such change in place, which the fast tests of the class-name and class-folder test files let through). These
decide which sub-folders of a data folder are classes, and what the discovery line says was passed over."""

from __future__ import annotations

from pathlib import Path

from train.class_folders import (class_folder_names, given_split_dirs, half_a_split, left_out_text, masks_text,
                                 named_like_a_file, split_twins)


def _dirs(root: Path, *names: str) -> Path:
    for n in names:
        (root / n).mkdir(parents=True)
    return root


def test_a_split_is_given_only_with_train_and_test_and_half_of_one_is_said(tmp_path):
    data = _dirs(tmp_path, "train/COVID", "val/COVID")
    assert given_split_dirs(data) == {}
    assert half_a_split(data).startswith(f"{data}: its folders train, val look like a split given in folders")
    _dirs(tmp_path, "test/COVID")
    assert set(given_split_dirs(data)) == {"train", "val", "test"} and half_a_split(data) is None


def test_two_folders_naming_the_validation_split_are_refused(tmp_path):
    data = _dirs(tmp_path, "train/A", "test/A", "val/A", "validation/A")
    assert split_twins(data) == (f"{data}: its folders val/ and validation/ both name the validation split, and one "
                                 "would be read and the other ignored: merge them into one folder, or rename one")


def test_a_folder_named_as_a_data_folders_own_file_is_no_class(tmp_path):
    data = _dirs(tmp_path, "COVID", "Normal", "MANIFEST.csv", "ReadMe.md")
    assert class_folder_names(data) == ["COVID", "Normal"]


def test_the_discovery_line_names_only_the_class_folders_left_out(tmp_path):
    data = _dirs(tmp_path, "COVID", "Normal", "Viral")
    assert left_out_text(data, ["COVID", "Normal"]) == "; not used: class folder Viral (not in --classes)"
    assert left_out_text(data, ["COVID"]) == "; not used: class folders Normal, Viral (not in --classes)"


def test_mask_folders_are_named_unless_all_are_the_kaggle_masks():
    assert masks_text(["masks", "Mask"]) == "masks/ folders"
    assert masks_text(["masks", "lung masks"]) == "mask folders masks/, lung masks/"


def test_a_dead_link_is_a_files_where_its_suffix_has_up_to_five_letters_or_digits_not_digits_alone():
    assert named_like_a_file("notes.jpeg2") and named_like_a_file("scan.dicom")
    assert not named_like_a_file("1.2.840.10008") and not named_like_a_file("COVID-19")


def test_of_two_folders_naming_one_part_the_first_by_name_is_taken(tmp_path):
    data = _dirs(tmp_path, "train/A", "test/A", "val/A", "validation/A")
    assert given_split_dirs(data)["val"] == data / "val"


def test_a_data_folder_that_is_a_file_is_said_so_and_an_empty_name_shows(tmp_path):
    from train.class_folders import not_a_data_folder, spelt

    (tmp_path / "films.bin").write_bytes(b"PK")  # an archive's own words: tests/test_label_sheet.py
    assert not_a_data_folder(tmp_path / "films.bin") == (f"data folder {tmp_path / 'films.bin'} is a file; give the "
                                                         "folder that holds a sub-folder per class")
    assert not_a_data_folder(tmp_path / "none") == f"data folder {tmp_path / 'none'} does not exist"
    assert spelt("") == "''" and spelt(" A") == "' A'" and spelt("A") == "A"
