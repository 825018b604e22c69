"""train.class_choice pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which the fast tests of the class-name and class-folder test files let through). These say
which folders --classes names, and when a finished run's --classes is the setting given now."""

from __future__ import annotations

from pathlib import Path

from train.class_choice import folder_matches, same_class_setting


def test_a_name_in_the_composed_form_of_one_folder_picks_it_before_a_case_twin():
    """Normál typed (composed) beside the folders Normál and normál spelt decomposed (a Mac's copy): the same name
    in another Unicode form is closer than the same name in another case."""
    folders = ["Norma\u0301l", "norma\u0301l"]
    assert folder_matches("Norm\u00e1l", folders) == ["Norma\u0301l"]
    # both spellings as two folders (Linux keeps them apart): the exact one is named
    assert folder_matches("Norm\u00e1l", ["Norm\u00e1l", "Norma\u0301l"]) == ["Norm\u00e1l"]


def test_a_name_without_a_letter_or_digit_matches_no_folder_by_its_empty_key():
    assert folder_matches("-", ["+", "COVID"]) == []


def _data(tmp_path: Path, *classes: str) -> str:
    for c in classes:
        (tmp_path / c).mkdir(parents=True)
    return str(tmp_path)


def test_no_classes_now_after_a_run_that_named_them_is_the_same_setting_only_where_those_are_every_folder(tmp_path):
    two = _data(tmp_path / "two", "COVID", "Normal")
    assert same_class_setting(["COVID", "Normal"], None, ["COVID", "Normal"], two)
    three = _data(tmp_path / "three", "COVID", "Normal", "Viral")
    assert not same_class_setting(["COVID", "Normal"], None, ["COVID", "Normal"], three)


def test_classes_a_run_of_0_34_recorded_decomposed_are_the_same_setting(tmp_path):
    """cxr-edge 0.34.0 recorded a Mac folder's decomposed spelling; folders picked now are composed."""
    data = _data(tmp_path, "COVID", "Norma\u0301l")
    now = ["COVID", "Norm\u00e1l"]
    assert same_class_setting(now, now, ["COVID", "Norma\u0301l"], data)


def test_a_suggested_leave_out_drops_an_equals_sign_that_would_split_the_pair():
    from train.class_choice import leave_out_option

    assert leave_out_option(["A=B", "Lung Opacity"]) == "--class-map 'A B=-,Lung Opacity=-'"


def test_a_name_that_fits_two_folders_shows_a_folder_with_spaces_at_its_ends_quoted():
    from train.class_choice import not_found

    said = not_found(["normal!"], ["normal!"], ["Normal ", "NORMAL"], Path("data"))  # fits both by its key alone
    assert "matches both the class folders 'Normal ' and NORMAL in data" in said
