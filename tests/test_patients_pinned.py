"""train.patients and train.dicom_patients pinned where a change would split one patient's films apart (or join
patients who are not one) without a word (found by hand mutation testing: each test here failed with one small
change to patient_column, patient_key, no_placeholder, patients_of, implausible_patients, patients_across or
header_patients in place, which tests/test_patients.py and tests/test_split_pinned.py let through)."""

from __future__ import annotations

import pytest

from train.patients import (implausible_patients, no_placeholder, patient_column, patient_key, patients_across,
                            patients_of)
from tests.test_patients import MRN, _pacs_film


@pytest.mark.parametrize("columns, column", [
    (["file", "Patient-ID"], "Patient-ID"),       # a hyphen as an underscore
    (["file", "Subject"], "Subject"),             # the last name on the list
    (["file", "patient", "patient_id"], "patient_id"),  # the list's order decides, not the sheet's
])
def test_the_patient_column_by_its_spellings_and_the_lists_order(columns, column):
    assert patient_column(columns) == column


def test_a_patient_ids_key_folds_case_as_unicode_does_and_a_placeholder_however_spaced():
    assert patient_key("Straße-7") == patient_key("STRASSE-7")  # casefold, not lower
    assert no_placeholder(" N / A ") == "" and no_placeholder("n/a") == ""


def test_an_id_on_more_than_two_percent_of_a_large_folder_is_a_placeholder():
    """41 of 2,000 films: past both 20 and 2% (40) of the folder, so no patient; 40 of 2,000 is one."""
    for films, odd in ((41, True), (40, False)):
        patients = ["X"] * films + [f"P{k}" for k in range(2000 - films)]
        assert ("X" in implausible_patients(patients)) is odd


def test_the_header_constants_share_is_of_the_films_with_a_header_id():
    """10 films share a header id and 12 more of the folder are named by the manifest: the 10 are most of those
    with a header id (a constant), though not of the folder's named films."""
    patients = ["H"] * 10 + [f"M{k}" for k in range(12)]
    from_header = [True] * 10 + [False] * 12
    assert "H" in implausible_patients(patients, None, from_header)


def test_a_film_in_no_given_folder_puts_no_patient_across():
    assert patients_across(["a", "a", "b", "b"], ["train", None, "train", "test"]) == ["b"]


def test_a_manifest_without_a_patient_column_leaves_the_headers_to_name_patients(tmp_path):
    """MANIFEST.csv with a row for every film and no patient column: each DICOM film's header still names its
    patient (the rows were taken for the manifest's word, and no patient was read)."""
    for k in range(4):
        _pacs_film(tmp_path / "COVID" / f"IM{k}", f"{MRN}-{k // 2}", k)
    (tmp_path / "MANIFEST.csv").write_text("file,label\n" + "".join(f"COVID/IM{k},COVID\n" for k in range(4)))
    columns, patients, from_header = patients_of([f"COVID/IM{k}" for k in range(4)], tmp_path)
    assert columns == ["DICOM PatientID"] and all(from_header)
    assert patients[0] == patients[1] != patients[2] == patients[3]


def test_a_header_id_in_an_added_folder_is_not_the_data_folders_patient_of_that_id(tmp_path):
    """Patient 12 of another site is another patient: the manifest's names are looked up in the film's own folder."""
    from train.dicom_patients import header_patients

    _pacs_film(tmp_path / "IM1", "12", 0)
    got = header_patients([tmp_path / "IM1", tmp_path / "IM1"], ["", "site: "], no_placeholder, {"12": "12"})
    assert got[0] == "12" and got[1] not in ("", "12")


def test_headers_read_once_nested_keeps_the_outer_cache(tmp_path, monkeypatch):
    import edge.dicom
    from train.dicom_patients import film_header, headers_read_once

    _pacs_film(tmp_path / "IM1", "P1", 0)
    reads = []
    real = edge.dicom.dicom_header
    monkeypatch.setattr(edge.dicom, "dicom_header", lambda *a, **k: reads.append(a) or real(*a, **k))
    with headers_read_once():
        film_header(tmp_path / "IM1")
        with headers_read_once():
            assert film_header(tmp_path / "IM1")[0] == "P1"
    assert len(reads) == 1


def test_the_placeholder_warning_names_three_ids_most_films_first(tmp_path):
    from train.patients import split_units

    rows, paths = ["file,label,patient_id"], []
    for pid, n in (("XXXX", 24), ("QQQQ", 23), ("ANON^ANON", 22), ("ZZZZ", 21)):
        for k in range(n):
            paths.append(f"COVID/{pid}{k}.png")
            rows.append(f"{paths[-1]},COVID,{pid}")
    (tmp_path / "MANIFEST.csv").write_text("\n".join(rows) + "\n")
    said: list[str] = []
    split_units(paths, list(range(len(paths))), tmp_path, None, said.append)
    assert said[0].startswith("warning: of the 90 films, 24 have the id 'XXXX', 23 have the id 'QQQQ', 22 have the "
                              "id 'ANON^ANON' in MANIFEST.csv's patient column (patient_id)"), said
