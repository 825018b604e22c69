"""`--by` a MANIFEST.csv column whose name says it identifies a patient or a study (session 74). `--by PatientID`
was refused as a DICOM header identifier, but `--by patient_id` (the column `python -m train.file_by_label` itself
writes) was taken wherever it held 50 values or fewer, and each patient's id went into report.md and report.json,
which people share. Such a name is now refused with the same reason, before any film is read, whether or not the
column is there, and the refusal names what --by takes instead (a site, ward or device column)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convert.group_values import check_columns
from tests.filing_films import film_at, run_filing

FILES = ["COVID/a.png", "COVID/b.png", "Normal/c.png", "Normal/d.png"]
IDS = ["PX-70001", "PX-70002", "PX-70003", "PX-70004"]


def _manifest(folder: Path, column: str, files: list[str] = FILES) -> None:
    """MANIFEST.csv of ``files`` with a ward, a scanner and ``column`` holding each film's (made-up) patient id."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "MANIFEST.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "ward", column, "scanner"])
        w.writerows([p, f"W{k % 2}", IDS[k % len(IDS)], "GE"] for k, p in enumerate(files))


def _refusal(folder: Path, columns: list[str], files: list[str] | None = FILES) -> str:
    with pytest.raises(ValueError) as e:
        check_columns(folder, columns, files)
    return str(e.value)


@pytest.mark.parametrize("name", ["patient_id", "PatientID", "Patient ID", "patient-id", "PATIENT", "subject_id",
                                  "MRN", "Accession Number", "accession", "study_uid", "StudyInstanceUID"])
def test_a_manifest_column_named_for_a_patient_or_study_is_refused_saying_why(tmp_path, name):
    _manifest(tmp_path, name)
    said = _refusal(tmp_path, ["ward", name])
    assert said.startswith(f"--by {name}: MANIFEST.csv's {name} column names each film's patient or study"), said
    assert "never writes" in said and "a MANIFEST.csv column of a site, a ward or a device" in said, said
    assert "(this MANIFEST.csv's: ward, scanner)" in said, said  # the columns it has that --by may take
    assert not any(i in said for i in IDS), said


def test_the_patient_id_column_file_by_label_writes_is_refused(tmp_path, capsys):
    """The column cxr-edge's own filing writes (for cxr-train's split) is the likeliest one to be given to --by."""
    for k in range(4):
        film_at(tmp_path / "export" / f"f{k}.png", k)
    (tmp_path / "export" / "labels.csv").write_text(
        "filename,finding,Patient ID,ward\n" + "".join(f"f{k}.png,{('COVID', 'Normal')[k % 2]},{IDS[k]},W{k % 2}\n"
                                                       for k in range(4)))
    out = tmp_path / "out"
    rc, _, _ = run_filing([str(tmp_path / "export" / "labels.csv"), "--out", str(out)], capsys)
    assert rc == 0
    said = _refusal(out, ["patient_id"], None)
    assert "MANIFEST.csv's patient_id column names each film's patient or study" in said, said
    assert "cxr-train reads it to keep each patient's films on one side of the split" in said, said
    check_columns(out, ["ward"])  # the sheet's ward: a grouping, taken


@pytest.mark.parametrize("name", ["ward", "site", "scanner", "PatientSex", "patient_age", "Patient Age", "study",
                                  "patient_sex", "source"])
def test_a_column_that_groups_films_is_still_taken(tmp_path, name):
    _manifest(tmp_path, name)
    check_columns(tmp_path, [name], FILES)


@pytest.mark.parametrize("name", ["patient_id", "MRN", "accession_number"])
def test_such_a_name_not_in_the_manifest_gets_no_advice_to_write_a_column_of_it(tmp_path, name):
    """Up to 0.57.0 `--by patient_id` where no MANIFEST.csv had it said to write one with a 'patient_id' column."""
    for f in FILES:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
    said = _refusal(tmp_path, [name])
    assert said.startswith(f"--by {name}: names a patient or a study"), said
    assert f"'{name}' column" not in said and "write " not in said and "never writes" in said, said


def test_cxr_evaluate_refuses_it_before_any_report_is_written(tiny_run, tmp_path):
    from convert.evaluate_cli import evaluate_app

    split = json.loads((tiny_run / "split.json").read_text())
    data, site = Path(split["data_dir"]), tmp_path / "site"
    files = [item["path"] for item in split["splits"]["test"]]
    for f in files:
        (site / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(data / f, site / f)
    _manifest(site, "patient_id", files)
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--by", "patient_id",
                                          "--out", str(tmp_path / "r"), "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 2, r.output
    assert "--by patient_id: MANIFEST.csv's patient_id column names each film's patient or study" in r.output
    assert not (tmp_path / "r" / "report.md").exists() and not any(i in r.output for i in IDS)
