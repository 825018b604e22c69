"""Folders that only hold the films of a sheet of labels beside them are no classes (train.sheet_folders): NIH's
images_001/ ... beside Data_Entry_2017.csv trained classes images_001, images_002, ...; ieee8023's checkout was told
to train --classes docs,images; one of their folders given was told to give the folder above it, that same one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_kaggle_metadata import kaggle_layout
from tests.test_label_sheet import _film, _run_pasted, _sheet
from train.data import DataError
from train.discovery import discover
from train.sheet_folders import download_parts


def _nih(root: Path, parts: int = 3) -> Path:
    """nih/Data_Entry_2017.csv beside images_001/images/ ... as the download unpacks, 4 films a part."""
    data, rows = root / "nih", []
    for k in range(4 * parts):
        name = f"{k:08d}_000.png"
        _film(data / f"images_{k // 4 + 1:03d}" / "images" / name, k)
        rows.append([name, "Pneumonia" if k % 2 else "No Finding", "0", str(k), "PA"])
    _sheet(data / "Data_Entry_2017.csv", ["Image Index", "Finding Labels", "Follow-up #", "Patient ID", "View Position"], rows)
    return data


def _ieee(root: Path) -> Path:
    """ieee8023's covid-chestxray-dataset: metadata.csv beside images/, docs/ (its figures) and annotations/ (masks)."""
    data, rows = root / "ieee", []
    for k in range(6):
        _film(data / "images" / f"p{k}.png", k)
        rows.append([str(k), "M", "Pneumonia/Viral/COVID-19" if k % 2 else "No Finding", "PA", "images", f"p{k}.png"])
    for k in range(4):
        _film(data / "docs" / f"figure{k}.png", 10 + k)
    for k in range(3):
        _film(data / "annotations" / "lungVAE-masks" / f"p{k}_mask.png", 20 + k)
    _sheet(data / "metadata.csv", ["patientid", "sex", "finding", "view", "folder", "filename"], rows)
    return data


def _refusal(data: Path) -> str:
    with pytest.raises(DataError) as e:
        discover(data)
    return str(e.value)


@pytest.mark.parametrize("given", ["nih", "nih/images_001", "nih/images_001/images"])
def test_nih_parts_beside_data_entry_are_refused_with_the_sheets_command(tmp_path, monkeypatch, given):
    _nih(tmp_path)
    monkeypatch.chdir(tmp_path)
    message = _refusal(Path(given))  # was: 24 films of classes images_001, images_002, images_003; or "give its parent"
    assert "the folders images_001, images_002, images_003 in nih are parts of one download, not classes; " \
           "Data_Entry_2017.csv there names each film's label (column 'Image Index' the file, 'Finding Labels'" in message
    assert "-m train.file_by_label nih/Data_Entry_2017.csv --out nih_by_class; then give nih_by_class" in message
    assert "give its parent" not in message and "two levels up" not in message
    _run_pasted(message, tmp_path)
    items, _, layout = discover(tmp_path / "nih_by_class")
    assert layout == "folder per class" and sorted({i.label for i in items}) == ["No Finding", "Pneumonia"]
    assert len(items) == 12


@pytest.mark.parametrize("given", ["ieee", "ieee/images"])
def test_ieee8023s_checkout_is_refused_with_the_sheets_command_not_classes_docs_and_images(tmp_path, monkeypatch, given):
    _ieee(tmp_path)
    monkeypatch.chdir(tmp_path)
    message = _refusal(Path(given))  # was: "--classes docs,images"; or "give the folder two levels up" (tmp_path)
    assert "the folder images in ieee is a folder of films of any label, not a class; metadata.csv there names each " \
           "film's label (column 'filename' the file, 'finding' the label" in message
    assert "-m train.file_by_label ieee/metadata.csv --out ieee_by_class; then give ieee_by_class" in message
    assert "--classes" not in message and "holds no images" not in message and "two levels up" not in message
    _run_pasted(message, tmp_path)
    items, _, _ = discover(tmp_path / "ieee_by_class")
    assert sorted({i.label for i in items}) == ["No Finding", "Pneumonia_Viral_COVID-19"] and len(items) == 6


def test_the_kaggle_database_and_a_folder_per_class_train_as_before(tmp_path):
    kaggle = tmp_path / "COVID-19_Radiography_Dataset"
    kaggle_layout(kaggle, {c: ["https://x.org/a", "https://x.org/b"] for c in ("COVID", "Normal", "Lung_Opacity")})
    items, _, layout = discover(kaggle)
    assert layout == "kaggle (CLASS/images)" and sorted({i.label for i in items}) == ["COVID", "Lung_Opacity", "Normal"]
    with pytest.raises(DataError, match="holds images but no class folders: give its parent"):
        discover(kaggle / "COVID")
    plain = tmp_path / "plain"  # a folder per class whose labels.csv agrees with its folders, and one numbered
    for label in ("COVID", "Normal", "grade_1", "grade_2"):
        for k in range(2):
            _film(plain / label / f"{label}-{k}.png", k)
    _sheet(plain / "labels.csv", ["filename", "label"], [[f"{c}-{k}.png", c] for c in ("COVID", "Normal") for k in range(2)])
    items, _, layout = discover(plain)
    assert layout == "folder per class" and sorted({i.label for i in items}) == ["COVID", "Normal", "grade_1", "grade_2"]


def test_numbered_folders_are_parts_of_a_download_only_two_or_more_of_one_stem():
    assert download_parts(["images_001", "images_002", "COVID"]) == ["images_001", "images_002"]
    assert download_parts(["Images_001", "images-2", "part 3"]) == ["Images_001", "images-2"]
    assert download_parts(["images_001", "COVID-19"]) == [] and download_parts(["COVID", "Normal"]) == []
    assert download_parts(["001", "002"]) == []  # a stem without letters names no download


def test_cxr_train_refuses_nih_parts_before_tensorflow_loads(tmp_path):
    import os
    import subprocess
    import sys

    from tests.test_data_first import REPO, WRAPPER

    data = _nih(tmp_path)
    p = subprocess.run([sys.executable, "-c", WRAPPER, "--data", str(data), "--out", str(tmp_path / "run"), "--quiet"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert p.returncode == 2 and p.stdout.splitlines()[-1] == "tensorflow imported: False", p.stdout + p.stderr
    assert p.stderr.startswith("cxr-train: error: the folders images_001, images_002, images_003 in ") and \
        "train.file_by_label" in p.stderr and len(p.stderr.splitlines()) == 1, p.stderr  # was: trained them as classes
