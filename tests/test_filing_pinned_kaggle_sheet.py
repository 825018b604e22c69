"""train.unlabelled_sheet pinned by hand mutants the filing tests let live: a Kaggle COVID-19 Radiography Database
metadata sheet is known by its header in any case and spacing, with other columns too; its class is the sheet's name
without .metadata (any case, the older release's .matadata); and the data folder said is the one above the class
folders, the sheet given inside its class folder (any case) or beside them."""

from __future__ import annotations

from pathlib import Path

from edge.shell_words import command_text
from train.unlabelled_sheet import kaggle_sheet_words

HEADER = ["FILE NAME", "FORMAT", "SIZE", "URL"]


def test_a_sheet_inside_its_class_folder_names_the_folder_above_and_the_class_without_metadata(tmp_path):
    sheet = tmp_path / "Radiography" / "COVID" / "covid.METADATA.csv"
    words = kaggle_sheet_words(sheet, ["File Name", " format", "Size ", "url"])
    assert words is not None and "metadata of the class covid (FILE NAME" in words, words
    assert "(covid/images/)" in words
    assert words.endswith(command_text("cxr-train", "--data", str(tmp_path / "Radiography"), "--out", "RUN"))


def test_the_older_releases_misspelt_sheet_beside_the_class_folders_names_their_folder(tmp_path):
    sheet = tmp_path / "my data" / "Viral Pneumonia.matadata.csv"
    words = kaggle_sheet_words(sheet, HEADER + ["notes"])  # a column more: still the database's sheet
    assert words is not None and "metadata of the class Viral Pneumonia (FILE NAME" in words, words
    assert words.endswith(command_text("cxr-train", "--data", str(tmp_path / "my data"), "--out", "RUN"))


def test_a_sheet_given_by_its_bare_name_names_the_current_folder():
    words = kaggle_sheet_words(Path("Normal.metadata.csv"), HEADER)
    assert words is not None and words.endswith(command_text("cxr-train", "--data", ".", "--out", "RUN")), words


def test_a_sheet_with_some_of_the_columns_only_is_no_kaggle_sheet(tmp_path):
    assert kaggle_sheet_words(tmp_path / "COVID.metadata.csv", ["FILE NAME", "FORMAT", "label"]) is None
    assert kaggle_sheet_words(tmp_path / "COVID.metadata.csv", ["FILENAME", "FORMAT", "SIZE", "URI"]) is None
