"""Films exported as one folder beside a sheet of labels (labels.csv, ieee8023's metadata.csv, NIH's
Data_Entry_2017.csv) or as a zip not yet unpacked: the refusal names the sheet or archive and gives a command that,
pasted, makes the folder per class cxr-edge reads (train.label_sheet, train.foreign_files.archive_given)."""

from __future__ import annotations

import csv
import os
import shlex
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from train.data import DataError
from train.discovery import discover


def _film(path: Path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (24, 24), dtype=np.uint8)).save(path)


def _sheet(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])


def _run_pasted(message: str, cwd: Path) -> None:
    """Run the command the message gives (after 'run: ' or 'unpack it: ', up to '; then give'), as a shell would."""
    tail = message.split("run: ", 1)[1] if "run: " in message else message.split("unpack it: ", 1)[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]),
                                                        os.environ.get("PYTHONPATH", "")])}  # this tree's train
    subprocess.run(shlex.split(tail.split("; then give ", 1)[0]), cwd=cwd, env=env, check=True, capture_output=True)


def test_a_flat_folder_with_labels_csv_is_told_the_command_that_files_its_films_by_class(tmp_path, monkeypatch):
    flat = tmp_path / "export"
    rows = []
    for i in range(6):
        _film(flat / f"{i}.png", i)
        rows.append([f"{i}.png", "COVID" if i % 2 else "Normal"])
    _sheet(flat / "labels.csv", ["filename", "label"], rows)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataError) as e:
        discover(Path("export"))
    message = str(e.value)
    assert "labels.csv there names each film's label (column 'filename' the file, 'label' the label: COVID 3, Normal 3)" in message
    assert "give its parent" not in message  # whose sub-folders are no classes either
    assert message.endswith("then give export_by_class as the data folder")
    _run_pasted(message, tmp_path)
    items, _, layout = discover(tmp_path / "export_by_class")
    assert layout == "folder per class" and sorted((i.label, i.path) for i in items)[:2] == [
        ("COVID", "COVID/1.png"), ("COVID", "COVID/3.png")] and len(items) == 6


def test_ieee8023s_metadata_csv_beside_images_is_read_by_its_finding_column(tmp_path):
    data = tmp_path / "covid-chestxray-dataset"
    findings = ["COVID-19", "No Finding", "Pneumonia/Viral"]
    rows = []
    for i in range(6):
        _film(data / "images" / f"p{i}.jpg", i)
        rows.append([str(i), "M", findings[i % 3], "PA", "images", f"p{i}.jpg"])
    _sheet(data / "metadata.csv", ["patientid", "sex", "finding", "view", "folder", "filename"], rows)
    with pytest.raises(DataError) as e:
        discover(data)
    assert "metadata.csv there names each film's label (column 'filename' the file, 'finding' the label" in str(e.value)
    _run_pasted(str(e.value), tmp_path)
    items, _, _ = discover(tmp_path / "covid-chestxray-dataset_by_class")
    assert sorted({i.label for i in items}) == ["COVID-19", "No Finding", "Pneumonia_Viral"] and len(items) == 6


def test_nih_images_folders_beside_data_entry_are_pointed_to_the_sheet_in_training_and_scoring(tmp_path):
    from convert.site_folders import site_items

    data = tmp_path / "nih"
    for i in range(4):
        _film(data / "images_001" / "images" / f"0000000{i}_000.png", i)
    _sheet(data / "Data_Entry_2017.csv", ["Image Index", "Finding Labels", "Patient ID"],
           [[f"0000000{i}_000.png", "No Finding" if i % 2 else "Pneumonia", str(i)] for i in range(4)])
    with pytest.raises(DataError, match="Data_Entry_2017.csv there names each film's label .*'Finding Labels' the label"):
        discover(data)  # was: "found images_001: give a folder that holds a sub-folder of films per class"
    with pytest.raises(DataError, match=r"nih holds no folder per class \(images_001: not the model's labels\); "
                                        "Data_Entry_2017.csv there"):
        site_items(data, ["Normal", "Pneumonia"], None, "cxr-evaluate")  # was: --class-map images_001=LABEL


def test_data_given_as_a_zip_is_told_how_to_unpack_it_and_which_folder_to_give(tmp_path):
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for c in ("COVID", "Normal"):
            for i in range(2):
                _film(tmp_path / "f.png", i)
                z.write(tmp_path / "f.png", f"COVID-19_Radiography_Dataset/{c}/images/{c}-{i}.png")
    with pytest.raises(DataError) as e:
        discover(archive)
    message = str(e.value)
    assert message.startswith(f"data folder {archive} is an archive, not read: unpack it: ") and message.endswith(
        f"; then give {tmp_path / 'archive' / 'COVID-19_Radiography_Dataset'}")
    _run_pasted(message, tmp_path)
    items, _, layout = discover(tmp_path / "archive" / "COVID-19_Radiography_Dataset")
    assert layout == "kaggle (CLASS/images)" and len(items) == 4
