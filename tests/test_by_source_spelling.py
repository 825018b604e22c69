"""--by with a column spelt otherwise than MANIFEST.csv spells it: cxr-dev's MANIFEST.csv names each film's source in
source_repo, and `--by source` (the spelling docs/commands.md uses) was refused there naming the columns only, leaving a
researcher to guess that the source column they meant was source_repo and that the per-source table already had it."""

import csv

import pytest

from convert.group_values import check_columns


def _cxr_dev_manifest(folder) -> None:
    """A MANIFEST.csv with cxr-dev's own columns."""
    with open(folder / "MANIFEST.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "label", "source_repo", "source_path", "license_note", "Ward"])
        w.writerow(["COVID/hannover-1.png", "COVID", "ml-workgroup/covid-19-image-repository", "png/1.png", "CC BY", "3"])


def test_by_source_on_a_source_repo_manifest_says_which_column_to_give(tmp_path):
    _cxr_dev_manifest(tmp_path)
    with pytest.raises(ValueError) as e:
        check_columns(tmp_path, ["source"])
    said = str(e.value)
    assert said.startswith("--by source: not found (MANIFEST.csv's columns are file, label, source_repo")
    assert "(--by source_repo)" in said and '"Per source" table' in said


def test_a_column_given_in_another_case_is_named_as_spelt(tmp_path):
    _cxr_dev_manifest(tmp_path)
    with pytest.raises(ValueError, match=r"ward: the column is spelt Ward \(--by Ward\)"):
        check_columns(tmp_path, ["ward"])


def test_a_name_like_no_column_gets_no_hint(tmp_path):
    _cxr_dev_manifest(tmp_path)
    with pytest.raises(ValueError) as e:
        check_columns(tmp_path, ["site"])
    assert str(e.value).endswith("format: each film's file format, DICOM, PNG, JPEG, ...)")  # no hint after the list


def test_cxr_compare_is_not_pointed_at_a_report_md_it_does_not_write(tmp_path):
    _cxr_dev_manifest(tmp_path)
    with pytest.raises(ValueError) as e:
        check_columns(tmp_path, ["source"], prog="cxr-compare")
    assert "(--by source_repo)" in str(e.value) and "report.md" not in str(e.value)


def test_a_dicom_attribute_given_in_another_case_is_named_as_spelt(tmp_path):
    """--by patientsex (the attribute is PatientSex) was refused with the attributes listed and no word of which."""
    with pytest.raises(ValueError, match=r"patientsex: the DICOM attribute is spelt PatientSex \(--by PatientSex\)$"):
        check_columns(tmp_path, ["patientsex"])


def test_a_folder_without_manifest_is_told_how_to_give_by_its_column(tmp_path):
    """A site's films filed by python -m train.file_by_label have no MANIFEST.csv: the sheet's scanner column stays
    beside the sheet, and --by scanner was refused saying only that there is no MANIFEST.csv, not what to write."""
    with pytest.raises(ValueError) as e:
        check_columns(tmp_path, ["scanner"], ["COVID/ACC1001.dcm"])
    said = str(e.value)
    assert "has no MANIFEST.csv" in said
    assert "with a 'file' column, each film's path relative to the folder (e.g. COVID/ACC1001.dcm), and a 'scanner' column" in said
