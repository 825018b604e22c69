"""train.split and train.patients pinned where a small change went unseen (hand mutation testing: each test here
failed with one such change in place, which every earlier test of the two modules let through)."""

from __future__ import annotations

from train.data import Item
from train.patients import patient_column, patients_note
from train.split import stratified_split


def test_a_given_val_folder_is_the_validation_split_and_none_is_carved_from_train():
    """train/, val/ and test/ folders given: val/ is the validation split as given; carving more from train/ would
    move training films into validation against the layout the user chose."""
    items = [Item(f"{part}/{c}/{k}.png", c, sha256=f"{part}{c}{k}")
             for part, n in (("train", 8), ("val", 2), ("test", 2)) for c in ("COVID", "Normal") for k in range(n)]
    given = {i.path: i.path.split("/")[0] for i in items}
    parts = stratified_split(items, list(range(len(items))), 0, 0.25, 0.25, given, log=lambda _: None)
    assert {p: sorted({i.path.split("/")[0] for i in parts[p]}) for p in parts} == {
        "train": ["train"], "val": ["val"], "test": ["test"]}
    assert [len(parts[p]) for p in ("train", "val", "test")] == [16, 4, 4]


def test_the_first_of_two_spellings_of_the_patient_column_is_read():
    assert patient_column(["Patient ID", "patient_id", "label"]) == "Patient ID"
    assert patient_column(["subject", "PatientID"]) == "PatientID"  # patient_id before subject, whatever the order


def test_the_patients_note_counts_only_patients_with_several_films():
    assert patients_note("MANIFEST.csv column 'patient_id'", ["a", "b", ""]) is None
    assert patients_note("MANIFEST.csv column 'patient_id'", ["a", "a", "b", ""]) == (
        "1 patient has more than one film (2 films, MANIFEST.csv column 'patient_id'): each patient's films are kept "
        "within one split")
