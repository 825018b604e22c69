"""Review of session 74's merges (review74c): a misspelt Kaggle folder beside the older release's
'Viral Pneumonia.matadata.xlsx' was said to have lost a 'Viral Pneumonia.metadata.xlsx' that is nowhere; and the
--by refusal of a patient column said cxr-train reads it where cxr-train reads another column or none (SubjectID)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from convert.group_values import check_columns
from tests.test_kaggle_metadata import BIMCV, HANNOVER, KIDS, kaggle_layout
from train.discovery import discover
from train.patients import patient_column


def test_a_misspelt_folder_names_the_sheet_it_lost_as_the_sheet_is_spelt(tmp_path):
    kaggle_layout(tmp_path, {"COVID": [BIMCV, HANNOVER], "Normal": [KIDS, KIDS], "Viral Pneumonia": [KIDS, KIDS]})
    (tmp_path / "Viral Pneumonia.metadata.xlsx").rename(tmp_path / "Viral Pneumonia.matadata.xlsx")  # as shipped once
    (tmp_path / "Viral Pneumonia").rename(tmp_path / "Viral Pnuemonia")
    said: list[str] = []
    discover(tmp_path, log=said.append)
    warned = [line for line in said if "misspelt" in line]
    assert len(warned) == 1, said
    assert "and Viral Pneumonia.matadata.xlsx has no Viral Pneumonia/ folder" in warned[0], warned[0]
    assert "Viral Pneumonia.metadata.xlsx" not in warned[0]  # no such file there


def _refusal(folder: Path, header: list[str], by: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "MANIFEST.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *([f"COVID/{k}.png", *(f"v{k}" for _ in header[1:])] for k in range(3))])
    with pytest.raises(ValueError) as e:
        check_columns(folder, [by])
    return str(e.value)


TRAIN = "cxr-train reads it to keep each patient's films on one side of the split"


def test_a_subject_column_cxr_train_does_not_read_is_not_said_to_be_read(tmp_path):
    header = ["file", "SubjectID", "ward"]
    assert patient_column(header) is None  # cxr-train keeps no patient together by it
    said = _refusal(tmp_path, header, "SubjectID")
    assert "SubjectID column names each film's patient or study" in said and TRAIN not in said, said


def test_of_two_patient_columns_only_the_one_cxr_train_reads_is_said_to_be_read(tmp_path):
    header = ["file", "patient_id", "subject", "ward"]
    assert patient_column(header) == "patient_id"
    assert TRAIN not in _refusal(tmp_path / "a", header, "subject")
    assert TRAIN in _refusal(tmp_path / "b", header, "patient_id")  # as before
