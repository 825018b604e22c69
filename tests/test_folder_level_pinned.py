"""train.folder_level pinned where a small change went unseen by tests/test_class_folders.py and the discovery tests
(hand mutation testing, session 68)."""

from __future__ import annotations

from PIL import Image

from train.folder_level import data_folder_below, is_images_of_a_class, parent_to_give


def _film(folder) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("L", (8, 8), 100).save(folder / "a.png")


def test_an_images_folder_spelt_in_capitals_is_a_class_folders_films_and_its_data_folder_is_two_up(tmp_path):
    _film(tmp_path / "COVID" / "IMAGES")
    assert is_images_of_a_class(tmp_path / "COVID" / "IMAGES")
    assert parent_to_give(tmp_path / "COVID" / "IMAGES") == tmp_path


def test_a_mask_folder_named_like_the_given_folder_does_not_make_it_a_class_folders_films(tmp_path):
    _film(tmp_path / "masks")
    assert not is_images_of_a_class(tmp_path / "masks")


def test_five_inner_class_folders_are_named_without_an_ellipsis_six_with_one(tmp_path):
    for n in range(6):
        _film(tmp_path / "archive" / f"C{n}" / "images")
    said = data_folder_below(tmp_path, ["archive"])
    assert said and "(C0, C1, C2, C3, C4, ...)" in said, said
    (tmp_path / "archive" / "C5" / "images" / "a.png").unlink()
    (tmp_path / "archive" / "C5" / "images").rmdir()
    (tmp_path / "archive" / "C5").rmdir()
    said = data_folder_below(tmp_path, ["archive"])
    assert "(C0, C1, C2, C3, C4)" in said, said


def test_a_folder_the_class_map_leaves_out_is_never_looked_into(tmp_path):
    _film(tmp_path / "old_export" / "COVID" / "images")
    assert data_folder_below(tmp_path, ["old_export"]) is not None
    assert data_folder_below(tmp_path, ["old_export"], mapping={"old_export": "-"}) is None


def test_a_file_that_is_no_film_does_not_make_a_folder_one_classs(tmp_path):
    from train.folder_level import is_one_class_folder

    (tmp_path / "notes.txt").write_text("x")  # a data folder holding no class folder yet: not a class's own films
    assert not is_one_class_folder(tmp_path, [])


def test_a_class_folders_patient_and_study_folders_do_not_make_it_the_data_folder(tmp_path):
    for patient in ("patient 4", "patient 5"):
        _film(tmp_path / "COVID" / patient / "study 1")
    assert data_folder_below(tmp_path, ["COVID"]) is None
