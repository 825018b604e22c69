"""One patient's films on one side of the split.

A hospital export holds several studies of one patient (admission, follow-up, a film the next
day). A film split apart from its patient's other films lets the test split score the model on a
patient it learnt, which flatters it as copies of a film do (train.hygiene keeps copies
together). Where MANIFEST.csv names each film's patient (a ``patient_id``, ``patient`` or
``subject_id`` column), every film of a patient joins the same split unit: a patient with one
film of each part would otherwise be scored on what it was trained on. Without such a column,
cxr-train cannot tell patients apart (a folder per patient is no label), and says so where the
layout suggests them. Pure functions, apart from reading the manifest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from train.manifest import manifest_key, read_manifest

PATIENT_COLUMNS = ("patient_id", "patientid", "patient", "subject_id", "subject")


def patient_column(columns: list[str]) -> str | None:
    """MANIFEST.csv's column naming each film's patient, whatever its case and spacing ('Patient ID')."""
    by_key = {c.lower().replace(" ", "_").replace("-", "_"): c for c in reversed(columns)}
    return next((by_key[k] for k in PATIENT_COLUMNS if k in by_key), None)


# what an export writes where it does not know the patient: no patient, not one patient of a quarter of the films
PLACEHOLDERS = frozenset({"", "-", "--", "?", "0", "na", "n/a", "nan", "none", "null", "unknown", "unk", "anon",
                          "anonymous", "anonymised", "anonymized", "missing", "not given", "redacted"})


def patients_of(paths: list[str], data_dir: Path) -> tuple[str | None, list[str]]:
    """(the column read, each film's patient: "" where the manifest does not say, or says 'unknown')."""
    columns, rows = read_manifest(data_dir)
    column = patient_column(columns)
    if column is None:
        return None, [""] * len(paths)
    values = [((rows.get(manifest_key(p)) or {}).get(column) or "").strip() for p in paths]
    return column, ["" if v.casefold() in PLACEHOLDERS else v for v in values]


def joined_by_patient(groups: list[int], patients: list[str]) -> list[int]:
    """Each film's split unit: its copy group (train.hygiene), merged with every group that holds a
    film of the same patient (union-find; "" is no patient). Group numbers are kept where nothing
    merged, so a set without patients splits as before."""
    parent = {g: g for g in groups}

    def root(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    first: dict[str, int] = {}
    for g, p in zip(groups, patients):
        if p:
            a, b = root(first.setdefault(p, g)), root(g)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [root(g) for g in groups]


def patients_note(column: str, patients: list[str]) -> str | None:
    """What joining by patient did, for the log: how many patients had more than one film."""
    counts: dict[str, int] = {}
    for p in patients:
        if p:
            counts[p] = counts.get(p, 0) + 1
    several = {p: n for p, n in counts.items() if n > 1}
    if not several:
        return None
    return (f"{len(several)} patients have more than one film ({sum(several.values())} films, MANIFEST.csv column "
            f"{column!r}): each patient's films are kept within one split")


def patients_across(patients: list[str], parts: list[str | None]) -> list[str]:
    """The patients whose films were given in two or more parts (train/ and test/ folders): a split
    given in folders is kept as given, so this is said rather than mended."""
    seen: dict[str, set] = {}
    for p, part in zip(patients, parts):
        if p and part:
            seen.setdefault(p, set()).add(part)
    return sorted(p for p, where in seen.items() if len(where) > 1)


def split_units(paths: list[str], groups: list[int], data_dir: Path, given: dict[str, str] | None,
                log: Callable[[str], None]) -> tuple[list[int], dict | None]:
    """(each film's split unit, run.json's record of the patients or None): copy groups joined by
    patient; a split given in folders is kept (patients joined within each folder: validation is
    carved from train/ a patient at a time), and patients it splits are said."""
    column, patients = patients_of(paths, data_dir)
    if column is None:
        return groups, None
    record = {"column": column, "films_with_patient": sum(map(bool, patients)), "patients": len(set(filter(None, patients)))}
    if given is not None:
        if across := patients_across(patients, [given.get(p) for p in paths]):
            log(f"warning: {len(across)} patients (MANIFEST.csv column {column!r}, e.g. {across[0]}) have films in two "
                "or more of the given train/, val/ and test/ folders: the split is kept as given, so the test figures "
                "include patients the model learnt from; move each patient's films into one folder")
        # Joined within each given folder only: validation carved from train/ keeps a patient on one side,
        # and a patient the folders split stays split as given (said above).
        return joined_by_patient(groups, [f"{given.get(p)}\0{pt}" if pt else "" for p, pt in zip(paths, patients)]), record
    if note := patients_note(column, patients):
        log(note)
    return joined_by_patient(groups, patients), record
