"""train.split_rules pinned (hand mutation testing: each test here failed with one small change in place; the
module had no test of its own, only runs that train). Which finished runs drew their split by older rules decides
whether a teacher is reused and a finished run kept as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from train.split_rules import SPLIT_RULES, older_split_rules, version_of


def _run(tmp_path: Path, version: str | None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "run.json").write_text(json.dumps({} if version is None else {"cxr_edge_version": version}))
    return tmp_path


@pytest.mark.parametrize("text, read", [("0.45.0", (0, 45, 0)), ("1.2.3.4", (1, 2, 3)), ("0.45", (0, 45)),
                                        ("0.45.0rc1", None), (None, None), ("", None)])
def test_version_of_reads_three_numbers_and_nothing_else(text, read):
    assert version_of(text) == read


def test_runs_of_this_release_and_later_are_of_todays_rules_and_the_one_before_is_older(tmp_path):
    assert SPLIT_RULES == (0, 45, 0)  # 0.45: a DICOM film's PatientID that the manifest names is that patient
    assert older_split_rules(_run(tmp_path / "a", "0.45.0")) is None
    assert older_split_rules(_run(tmp_path / "b", "0.46.2")) is None
    assert older_split_rules(_run(tmp_path / "c", "0.44.9")) == "cxr-edge 0.44.9"
    assert older_split_rules(_run(tmp_path / "d", "0.45")) == "cxr-edge 0.45"  # (0, 45) sorts before (0, 45, 0)


def test_a_run_naming_no_version_or_an_unreadable_one_is_older(tmp_path):
    assert older_split_rules(_run(tmp_path / "a", None)) == "a cxr-edge older than 0.5"
    assert older_split_rules(_run(tmp_path / "b", "dev")) == "cxr-edge dev"


def test_a_folder_without_a_readable_run_json_is_not_said_to_be_older(tmp_path):
    assert older_split_rules(tmp_path) is None
    (tmp_path / "run.json").write_text("{not json")
    assert older_split_rules(tmp_path) is None
