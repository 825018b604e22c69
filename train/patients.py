"""One patient's films on one side of the split.

A hospital export holds several studies of one patient (admission, follow-up, a film the next
day). A film split apart from its patient's other films lets the test split score the model on a
patient it learnt, which flatters it as copies of a film do (train.hygiene keeps copies
together). Where MANIFEST.csv names each film's patient (a ``patient_id``, ``patient`` or
``subject_id`` column), every film of a patient joins the same split unit: a patient with one
film of each part would otherwise be scored on what it was trained on. Without such a column, a
DICOM film's patient is its header's PatientID (train.dicom_patients: held as a hash, never written;
the manifest's column wins over the header). Where neither names patients, cxr-train cannot tell
patients apart (a folder per patient is no label), and says so where the layout suggests them:
sub-folders of a class folder holding several films each (COVID/patient 4/, train.patient_folders),
or most class folders holding a film or three (train.prepare). Pure functions, apart from reading
the manifest and the headers.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Callable

from train.dicom_patients import SOURCE as HEADER_SOURCE
from train.dicom_patients import header_patients
from train.manifest import manifest_key, read_manifest

PATIENT_COLUMNS = ("patient_id", "patientid", "patient", "subject_id", "subject")


def patient_column(columns: list[str]) -> str | None:
    """MANIFEST.csv's column naming each film's patient, whatever its case and spacing ('Patient ID')."""
    by_key = {c.lower().replace(" ", "_").replace("-", "_"): c for c in reversed(columns)}
    return next((by_key[k] for k in PATIENT_COLUMNS if k in by_key), None)


# what an export writes where it does not know the patient: no patient, not one patient of a quarter of the films
PLACEHOLDERS = frozenset({"", "-", "--", "?", "na", "n/a", "nan", "none", "null", "unknown", "unk", "anon",
                          "anonymous", "anonymised", "anonymized", "missing", "not given", "redacted", "removed"})
# More films than this under one patient id (and more than MAX_PATIENT_SHARE of the set) is an export's
# placeholder the list above lacks (REMOVED, XXXXXX, ANON^ANON), not a patient: one took half a set into validation.
MAX_PATIENT_FILMS = 20
MAX_PATIENT_SHARE = 0.02
# A DICOM PatientID is stricter still: an anonymiser writes one constant on every film ('0', 'ANON0001', the
# site's name) where a manifest's column is one a person filled in. An id of 10 or more films that more than half
# of its folder's films with a header id share is taken as such a constant, not a patient: joined, an anonymised
# set of 16 films was one split unit, all of it in training. Not below 10: a constant taken for a patient costs
# only a coarser split (a tiny folder's films kept together, said by the split), while a real patient taken for
# a constant leaks, and a small added folder of a few local cases (3 films of one patient, 2 of another) has a
# patient with most of its films as often as not.
HEADER_MAX_SHARE = 0.5
HEADER_MIN_FILMS = 10


def text_key(value: str) -> str:
    """A name as two spellings of it compare: case, spaces, zero-width marks and Unicode form set aside
    (NFKC), so that a source's folder copied from a Mac (decomposed) and its MANIFEST.csv row typed in
    Excel (composed), or SYNTH and synth, are one name. A patient id's key (:func:`patient_key`) starts
    from it; so do source names (convert.study_design, cxr-train's --holdout-source)."""
    return "".join(c for c in unicodedata.normalize("NFKC", value)
                   if not c.isspace() and unicodedata.category(c) != "Cf").casefold()


def patient_key(value: str) -> str:
    """The form two spellings of one patient id share. A manifest merged from two exports writes one
    patient as PAT0007 and pat0007, in composed and decomposed Unicode (macOS and Excel), with a stray
    space or zero-width mark, or as 12, 12.0 (pandas) and 0012 (a spreadsheet drops the zeros); kept
    apart, that patient's films fell on both sides of the split (21 of 40 patients in a helper's case).
    Joining two real patients by mistake costs only a coarser split; failing to join one leaks."""
    key = text_key(value)
    if re.fullmatch(r"\d+(\.0+)?", key):
        key = key.split(".")[0].lstrip("0") or "0"
    return key


def no_placeholder(value: str) -> str:
    """A patient id's key (patient_key), or "" where it is no patient's: blank, 'unknown', 'ANON' ..."""
    key = patient_key(value)
    return "" if not key or key in PLACEHOLDERS or value.casefold() in PLACEHOLDERS else key


def patients_of(paths: list[str], data_dir: Path, add_data: list[str] | tuple[str, ...] = ()
                ) -> tuple[list[str], list[str], list[bool]]:
    """(the columns read, [] where none, each film's patient: "" where none is named, or it is 'unknown'; whether
    that patient came from the film's DICOM header). A film of an --add-data folder is looked up in
    that folder's MANIFEST.csv (its path in the split is absolute), its patient named within the
    folder: another site's patient 12 is another patient. Spellings of one id (patient_key) are one
    patient, named as first written. In a folder whose MANIFEST.csv has no patient column, or no row for the film
    (DICOM films added after the manifest was written were split with no patient, though their headers name one), a
    DICOM film's patient is its header's PatientID, as a hash (train.dicom_patients: never to be written), or the
    manifest's patient of that id in the same folder where it names one; "DICOM PatientID" is then among the
    columns read."""
    from train.extra_data import added_prefix

    folders = [(added_prefix(f), Path(f), f"{f}: ") for f in add_data]
    tables: dict[Path, tuple[str | None, dict]] = {}
    columns: list[str] = []
    patients = []
    named: dict[str, str] = {}
    unnamed: list[tuple[int, Path, str]] = []  # (film, its file, its folder's namespace) where no column names patients
    for path in paths:
        where, rel, ns = next(((folder, path[len(prefix):], ns) for prefix, folder, ns in folders
                               if path.startswith(prefix)), (data_dir, path, ""))
        if where not in tables:
            cols, rows = read_manifest(where)
            tables[where] = (patient_column(cols), rows)
            if tables[where][0] and tables[where][0] not in columns:
                columns.append(tables[where][0])
        column, rows = tables[where]
        row = rows.get(manifest_key(rel))
        value = ((row or {}).get(column) or "").strip() if column else ""
        key = no_placeholder(value)
        patients.append(named.setdefault(ns + key, ns + value) if key else "")
        # the manifest names no patients here, or has no row for this film (one added since it was written): the
        # film's own header may. A blank cell is the manifest's word, kept
        if column is None or row is None:
            unnamed.append((len(patients) - 1, Path(data_dir) / path, ns))
    from_header = [False] * len(paths)
    if unnamed:
        ids = header_patients([f for _, f, _ in unnamed], [ns for _, _, ns in unnamed], no_placeholder, named)
        listed = set(named.values())  # a header's id that is a manifest's patient: that patient, judged as one
        for (k, _, _), h in zip(unnamed, ids):
            if h:
                patients[k], from_header[k] = h, h not in listed
        if any(ids):
            columns.append(HEADER_SOURCE)
    return columns, patients, from_header


def implausible_patients(patients: list[str], folders: list[str] | None = None,
                         from_header: list[bool] | None = None) -> dict[str, int]:
    """Patient ids that hold more films than one patient plausibly has (MAX_PATIENT_FILMS, and
    MAX_PATIENT_SHARE of the films of the id's own folder, ``folders`` giving each film's): an
    export's placeholder. Id -> films. Ids are per folder, so is the share: a 35-film site whose
    export wrote XXXXXXXX on every film, beside 2,000 other films, was one patient under a
    share of the whole set. An id from DICOM headers (``from_header``) is one also where 10
    or more films hold it (HEADER_MIN_FILMS) and they are more than half of its folder's films with a header id
    (HEADER_MAX_SHARE)."""
    folders = folders or [""] * len(patients)
    from_header = from_header or [False] * len(patients)
    counts, size = Counter(filter(None, patients)), Counter(folders)
    headed = Counter(f for p, f, h in zip(patients, folders, from_header) if p and h)
    folder_of = {p: f for p, f in zip(patients, folders) if p}
    header_ids = {p for p, h in zip(patients, from_header) if p and h}
    return {p: n for p, n in counts.items()
            if n > max(MAX_PATIENT_FILMS, MAX_PATIENT_SHARE * size[folder_of[p]])
            or (p in header_ids and n >= HEADER_MIN_FILMS and n > HEADER_MAX_SHARE * headed[folder_of[p]])}


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
    """What joining by patient did, for the log: how many patients had more than one film (``column``: where
    the ids came from, as said_source says it)."""
    counts: dict[str, int] = {}
    for p in patients:
        if p:
            counts[p] = counts.get(p, 0) + 1
    several = {p: n for p, n in counts.items() if n > 1}
    if not several:
        return None
    who = "1 patient has" if len(several) == 1 else f"{len(several)} patients have"
    return (f"{who} more than one film ({sum(several.values())} films, {column}): each patient's films are kept "
            "within one split")


def said_source(columns: list[str]) -> str:
    """Where the patient ids came from, for the log: "MANIFEST.csv column 'patient_id'", "the PatientID of
    their DICOM headers", or both (a manifest's column in one folder, headers in another)."""
    listed = [c for c in columns if c != HEADER_SOURCE]
    parts = ([f"MANIFEST.csv column {', '.join(listed)!r}"] if listed else []) + (
        ["the PatientID of their DICOM headers"] if HEADER_SOURCE in columns else [])
    return " and ".join(parts)


def patients_across(patients: list[str], parts: list[str | None]) -> list[str]:
    """The patients whose films were given in two or more parts (train/ and test/ folders): a split
    given in folders is kept as given, so this is said rather than mended."""
    seen: dict[str, set] = {}
    for p, part in zip(patients, parts):
        if p and part:
            seen.setdefault(p, set()).add(part)
    return sorted(p for p, where in seen.items() if len(where) > 1)


def patients_judged(paths: list[str], data_dir: Path, add_data: list[str] | tuple[str, ...] = ()
                    ) -> tuple[list[str], list[str], list[bool], list[str], dict[str, int]]:
    """(patients_of's columns, patients and from_header; each film's folder, whose ids they are: "" for the
    data folder, else its --add-data prefix; the ids taken as placeholders, implausible_patients), as
    split_units judges them and patient_folders_warning must too."""
    from train.extra_data import added_prefix

    columns, patients, from_header = patients_of(paths, data_dir, add_data)
    prefixes = [added_prefix(f) for f in add_data]
    folders = [next((q for q in prefixes if path.startswith(q)), "") for path in paths]
    return columns, patients, from_header, folders, implausible_patients(patients, folders, from_header)


def split_units(paths: list[str], groups: list[int], data_dir: Path, given: dict[str, str] | None,
                log: Callable[[str], None], add_data: list[str] | tuple[str, ...] = ()) -> tuple[list[int], dict | None]:
    """(each film's split unit, run.json's record of the patients or None): copy groups joined by
    patient; a split given in folders is kept (patients joined within each folder: validation is
    carved from train/ a patient at a time), and patients it splits are said."""
    columns, patients, from_header, folders, odd = patients_judged(paths, data_dir, add_data)
    if not columns:
        return groups, None
    # a header's id is said by a film of its patient, never itself (a hash here; the PatientID is personal data)
    film_of = {p: path for path, p, h in sorted(zip(paths, patients, from_header), reverse=True) if h}
    if odd:
        ranked = sorted(odd.items(), key=lambda kv: -kv[1])
        if listed := [(p, n) for p, n in ranked if p not in film_of]:
            shown = ", ".join(f"{n} have the id {p!r}" for p, n in listed[:3])
            log(f"warning: of the {len(paths)} films, {shown} in MANIFEST.csv's patient column "
                f"({', '.join(c for c in columns if c != HEADER_SOURCE)}): more films than one patient plausibly has, "
                "so it is taken as no patient (an export's placeholder?); if it is one patient, their films are not "
                "kept together")
        if headed := [(p, n) for p, n in ranked if p in film_of]:
            with_id = Counter(f for p, f, h in zip(patients, folders, from_header) if p and h)
            of = {p: with_id[f] for p, f in zip(patients, folders) if p in film_of}  # the films with an id in its folder
            (first, n), more = headed[0], headed[1:3]
            shown = (f"{n} films (e.g. {film_of[first]}) share one PatientID in their DICOM headers (of the "
                     f"{of[first]} in their folder with a PatientID)"
                     + "".join(f", {k} (e.g. {film_of[p]}) another (of {of[p]})" for p, k in more))
            log(f"warning: {shown}: taken as an anonymised export's constant, not as a patient (as is an id on "
                f"{HEADER_MIN_FILMS} or more films and most of its folder's, or on more than {MAX_PATIENT_FILMS}); if it "
                "is one patient, their films are not kept together")
        patients = ["" if p in odd else p for p in patients]
        from_header = [h and bool(p) for p, h in zip(patients, from_header)]
        if not any(from_header):
            columns = [c for c in columns if c != HEADER_SOURCE]
        if not columns:  # every id was a placeholder: no patients, as without a column
            return groups, None
    record = {"column": ", ".join(columns), "films_with_patient": sum(map(bool, patients)), "patients": len(set(filter(None, patients)))}
    if any(from_header):  # how many of them by their DICOM headers (the ids themselves are never written)
        record["films_by_dicom_header"] = sum(from_header)
    if given is not None:
        if across := patients_across(patients, [given.get(p) for p in paths]):
            who = "1 patient" if len(across) == 1 else f"{len(across)} patients"
            e_g = f"the patient of {film_of[across[0]]}" if across[0] in film_of else across[0]
            log(f"warning: {who} ({said_source(columns)}, e.g. {e_g}) {'has' if len(across) == 1 else 'have'} "
                "films in two "
                "or more of the given train/, val/ and test/ folders: the split is kept as given, so the test figures "
                "include patients the model learnt from; move each patient's films into one folder")
        # Joined within each given folder only: validation carved from train/ keeps a patient on one side,
        # and a patient the folders split stays split as given (said above).
        return joined_by_patient(groups, [f"{given.get(p)}\0{pt}" if pt else "" for p, pt in zip(paths, patients)]), record
    if note := patients_note(said_source(columns), patients):
        log(note)
    return joined_by_patient(groups, patients), record

