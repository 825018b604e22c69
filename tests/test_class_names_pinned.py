"""train.class_names pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which the fast tests of the class-name and class-folder test files let through). These say
which model label each site folder stands for, and when two runs' --class-map is one setting."""

from __future__ import annotations

import re

import pytest

from train.class_names import class_map_key, parse_class_map


@pytest.mark.parametrize("text", ["Healthy=Normal,Healthy=COVID", "Healthy=Normal,healthy=COVID"])
def test_a_folder_mapped_twice_to_two_labels_is_refused_whatever_its_case(text):
    """The last one silently won: healthy films scored as COVID."""
    with pytest.raises(ValueError, match=re.escape("--class-map maps the folder") + ".*twice, to Normal and to COVID"):
        parse_class_map(text)
    assert parse_class_map("Healthy=Normal,healthy=Normal") == {"Healthy": "Normal", "healthy": "Normal"}


def test_two_class_maps_are_one_setting_ignoring_case_order_and_punctuation_of_folders_and_labels():
    assert class_map_key("Healthy=Normal,Other=-") == class_map_key("other=-, healthy=normal")
    assert class_map_key("Healthy=Normal") != class_map_key("Healthy=COVID")
    assert class_map_key(None) is None and class_map_key("") is None


def test_a_class_map_cxr_train_would_refuse_is_compared_as_typed():
    assert class_map_key("Healthy") == "Healthy" and class_map_key("Healthy") != class_map_key("Other")


def test_a_class_map_name_that_fits_two_folders_alike_is_kept_as_typed_not_given_to_the_first():
    """NORMAL beside the folders Normal and normal names neither: mapping the first would score the other unmapped."""
    from train.class_names import as_spelt

    assert as_spelt({"NORMAL": "normal"}, ["normal", "Normal"], ["Normal"]) == {"NORMAL": "Normal"}
    assert as_spelt({"NORMAL": "-"}, ["Normal"], ["Normal"]) == {"Normal": "-"}


@pytest.mark.parametrize("text", ["COVID==Normal", "A=B=C", "Healthy=Normal,Other=B=-"])
def test_a_pair_with_a_second_equals_sign_is_refused_with_the_expected_form(text):
    """'COVID==Normal' was read as COVID -> '=Normal' and 'A=B=C' as A -> 'B=C'; labels match ignoring punctuation,
    so the first scored COVID films as Normal without a word."""
    with pytest.raises(ValueError, match=r"^--class-map: '[^']*=[^']*=[^']*' is not FOLDER=LABEL \(or FOLDER=- to leave"):
        parse_class_map(text)
    assert parse_class_map("COVID=Normal") == {"COVID": "Normal"}
