"""`--by source` on the Kaggle COVID-19 Radiography Database as downloaded: the films' sources come from its own
*.metadata.xlsx, not from a MANIFEST.csv column, so --by refuses the name; the refusal must send the user to the
per-source table that already gives each source's figures, not ask for a MANIFEST.csv with a 'source' column (which
would only stand in for the sources the command had just read from the sheets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from convert.group_values import check_columns
from tests.test_kaggle_metadata import BIMCV, HANNOVER, RSNA, kaggle_layout

FILES = ["COVID/images/COVID-1.png", "Normal/images/Normal-1.png"]


def _refusal(data: Path, prog: str = "cxr-evaluate") -> str:
    with pytest.raises(ValueError) as e:
        check_columns(data, ["source"], FILES, prog)
    return str(e.value)


def test_by_source_on_the_kaggle_layout_points_to_the_per_source_table_not_to_a_manifest(tmp_path):
    kaggle_layout(tmp_path, {"COVID": [BIMCV, HANNOVER], "Normal": [RSNA]})
    said = _refusal(tmp_path)
    assert "--by source: not found" in said
    assert "metadata spreadsheets (COVID.metadata.xlsx, Normal.metadata.xlsx)" in said
    assert "report.md's \"Per source\" table gives each source's figures without --by" in said
    assert "write " not in said and "'source' column" not in said


def test_cxr_compare_is_sent_to_each_models_cxr_evaluate_report(tmp_path):
    kaggle_layout(tmp_path, {"COVID": [BIMCV], "Normal": [RSNA]})
    said = _refusal(tmp_path, "cxr-compare")
    assert "each model's cxr-evaluate report gives each source's figures in its \"Per source\" table" in said


def test_a_manifest_without_a_source_column_beside_the_sheets_gets_the_same_advice(tmp_path):
    kaggle_layout(tmp_path, {"COVID": [BIMCV], "Normal": [RSNA]})
    (tmp_path / "MANIFEST.csv").write_text("file,scanner\nCOVID/images/COVID-1.png,A\nNormal/images/Normal-1.png,B\n")
    said = _refusal(tmp_path)
    assert "MANIFEST.csv's columns are file, scanner" in said and "metadata spreadsheets" in said


def test_a_folder_without_sheets_is_still_told_how_to_write_a_manifest(tmp_path):
    for f in FILES:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
    said = _refusal(tmp_path)
    assert "metadata spreadsheets" not in said and "and a 'source' column" in said
