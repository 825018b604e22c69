"""Pins for convert.group_values that its mutation round found unpinned: the group cap counted without the blank,
which spelling names a merged group, the sex spellings, and a manifest column beside the DICOM headers."""

from __future__ import annotations

import io

import numpy as np
import pytest

from convert.group_values import MAX_GROUPS, MISSING, group_values
from tests.test_subgroups import _manifest


def test_max_groups_values_and_a_blank_are_groups_and_one_more_value_is_refused(tmp_path):
    """MAX_GROUPS (50) wards and a film without one: 50 groups, the blank not counted among them (it is
    '(not given)', no value), whether counted from MANIFEST.csv first or as the films are grouped."""
    rows = [{"file": f"A/{k}.png", "ward": f"ward {k}"} for k in range(MAX_GROUPS)] + [{"file": "A/x.png", "ward": ""}]
    _manifest(tmp_path, rows)
    files = [r["file"] for r in rows]
    g = group_values(tmp_path, files, ["ward"])
    assert len(set(g["ward"]) - {MISSING}) == MAX_GROUPS and g["ward"][-1] == MISSING
    _manifest(tmp_path, rows + [{"file": "A/y.png", "ward": "ward 50"}])
    with pytest.raises(ValueError, match=f"51 different values in MANIFEST.csv.*at most {MAX_GROUPS}"):
        group_values(tmp_path, files + ["A/y.png"], ["ward"])


@pytest.mark.parametrize("column, given, grouped", [
    ("view", ["pa", "PA", "PA"], ["PA", "PA", "PA"]),  # a merged group is named by its most common spelling
    ("view", ["PA", "pa", "pa"], ["pa", "pa", "pa"]),
    ("sex", ["male", "male"], ["male", "male"]),  # one spelling alone keeps it: no merge, nothing renamed
    ("sex", ["F", "weiblich", "W"], ["F", "F", "F"]),  # German's W(eiblich) is female
    ("gender", ["M", "male", "F"], ["M", "M", "F"]),  # a gender column is a sex column
])
def test_which_spellings_make_one_group_and_its_name(tmp_path, column, given, grouped):
    files = [f"A/{k}.png" for k in range(len(given))]
    _manifest(tmp_path, [{"file": f, column: v} for f, v in zip(files, given)])
    assert group_values(tmp_path, files, [column]) == {column: grouped}


def test_a_manifest_column_named_as_a_dicom_attribute_wins_where_it_has_a_value_and_fills_in_where_blank(tmp_path):
    """Three DICOM films whose headers say AP; MANIFEST.csv's ViewPosition says PA for the first, nothing for the
    second, only spaces for the third: PA (the manifest's value wins), AP and AP (their headers')."""
    pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    from tests.test_dicom import make_dicom

    (tmp_path / "A").mkdir()
    files = [f"A/{k}.dcm" for k in range(3)]
    for f in files:
        ds = pydicom.dcmread(io.BytesIO(make_dicom(np.zeros((40, 40), np.uint16))))
        ds.ViewPosition = "AP"
        ds.save_as(tmp_path / f)
    _manifest(tmp_path, [{"file": f, "ViewPosition": v} for f, v in zip(files, ("PA", "", "  "))])
    assert group_values(tmp_path, files, ["ViewPosition"]) == {"ViewPosition": ["PA", "AP", "AP"]}


def test_a_manifest_value_wins_over_a_header_read_for_another_column(tmp_path):
    """One DICOM film whose header says AP and F; MANIFEST.csv says PA and leaves PatientSex blank. The header is read
    (for PatientSex), and still the manifest's PA is the film's view."""
    pydicom = pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    from tests.test_dicom import make_dicom

    (tmp_path / "A").mkdir()
    ds = pydicom.dcmread(io.BytesIO(make_dicom(np.zeros((40, 40), np.uint16))))
    ds.ViewPosition, ds.PatientSex = "AP", "F"
    ds.save_as(tmp_path / "A" / "1.dcm")
    _manifest(tmp_path, [{"file": "A/1.dcm", "ViewPosition": "PA", "PatientSex": ""}])
    assert group_values(tmp_path, ["A/1.dcm"], ["ViewPosition", "PatientSex"]) == {"ViewPosition": ["PA"],
                                                                                   "PatientSex": ["F"]}
