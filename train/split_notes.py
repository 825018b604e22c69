"""What cxr-train says of a split's few films: a class of one or two patients that cannot be split
(few_units_text), and the parts whose films of a class are so few, or so few patients', that one film moves its
figures by many points (few_films_notes, few_training_notes), said when the split is drawn and again by a student
that takes it (train.teacher_split). Pure functions of the counts.
"""

from __future__ import annotations

from collections import Counter

from edge.figures import listed
from train.class_folders import GIVEN_SPLIT_DIRS
from train.data import Item


def few_units_text(label: str, units: list[int], by_patient: bool) -> str | None:
    """Why a class of 3 or more films cannot be split where they come from fewer than 3 split units
    (patients, or films and their copies: each kept within one split), else None."""
    sizes = sorted(Counter(units).values(), reverse=True)
    n, k = sum(sizes), len(sizes)
    if k >= 3 or n < 3 or n == k:
        return None
    if by_patient:
        origin = "come from one patient" if k == 1 else f"come from 2 patients ({sizes[0]} of them one patient's)"
        return (f"{label}'s {n} films {origin}: each patient's films stay within one split, and a split needs a "
                "patient for train, validation and test")
    origin = ("are one film and its copies" if k == 1
              else f"are 2 films and their copies ({sizes[0]} of them one film's)")
    return (f"{label}'s {n} films {origin}: a film and its copies stay within one split, and a split needs a film for "
            "train, validation and test")


FEW_TRAINING = 10  # a class learnt from fewer training films than this is learnt from a handful of cases


def few_training_notes(counts: dict[str, int], few_units: dict | None = None) -> list[str]:
    """A warning per class with very few training films (a patient's many films kept for test or
    validation, or a small class): the model's idea of that class rests on those films alone. ``few_units``
    (units_in_parts): where they are one or two patients' films, it says so: eight films of one patient
    teach the model that patient, not the class."""
    units, by = (few_units or {}).get("train") or {}, (few_units or {}).get("by", "")
    return [f"{c}: {_films_of(n, 'training', units.get(c), by)}: the model learns it from "
            f"{'that film' if n == 1 else 'them'} alone" for c, n in counts.items() if 0 < n < FEW_TRAINING]


FEW_FILMS = {"test": 20, "val": 10}  # one film then moves a class's sensitivity by more than 5 or 10 points
AFTER = {"test": " (cxr-convert's report)", "val": ", and so will the epoch, calibration and operating points "
         "chosen on them"}


_and = listed


def units_in_parts(parts: dict[str, list[Item]], unit_of, by_patient: bool) -> dict:
    """How many split units (patients where MANIFEST.csv names them, else a film and its copies: ``unit_of``
    an item's) the films of a class in each part of FEW_FILMS come from, where fewer than its films: {"by":
    "patient" or "copies", "val": {"COVID": 1}, ...}, or {} where every film there is a unit of its own.
    Training's are kept only for a class with fewer than FEW_TRAINING training films (few_training_notes).
    Kept in split.json's notes, so that a student of the split (train.teacher_split) says it as well."""
    out: dict = {}
    for part in (*FEW_FILMS, "train"):
        for c in dict.fromkeys(i.label for i in parts.get(part, [])):
            films = [unit_of(i) for i in parts[part] if i.label == c]
            if len(set(films)) < len(films) and (part != "train" or len(films) < FEW_TRAINING):
                out.setdefault(part, {})[c] = len(set(films))
    return {"by": "patient" if by_patient else "copies", **out} if out else {}


def split_warnings(parts: dict[str, list[Item]], classes: list[str], few_units: dict | None = None) -> list[str]:
    """The warnings about a split's few films (few_films_notes, few_training_notes): said when the split is
    drawn, and by a student that takes its teacher's split (train.teacher_split)."""
    count = lambda part: {c: sum(i.label == c for i in parts.get(part, [])) for c in classes}  # noqa: E731
    return few_films_notes({p: count(p) for p in FEW_FILMS}, few_units) + few_training_notes(count("train"), few_units)


def _films_of(n: int, name: str, units: int | None, by: str) -> str:
    """'6 validation films', and where they are fewer units than films, whose: ', all of one patient', ', of 2
    patients', ', all one film and its copies', ', 2 films and their copies'."""
    films = f"{n} {name} film{'' if n == 1 else 's'}"
    if not units or units >= n:
        return films
    if by == "patient":
        return f"{films}, {'all of one patient' if units == 1 else f'of {units} patients'}"
    return f"{films}, {'all one film and its copies' if units == 1 else f'{units} films and their copies'}"


def few_films_notes(counts: dict[str, dict[str, int]], few_units: dict | None = None) -> list[str]:
    """A sentence per split whose films of a class are so few that one film moves that class's
    sensitivity by many points (worded as convert.gate.resolution_note): said when the split is
    made, not only after cxr-convert has scored a model on it. ``few_units`` (units_in_parts): where
    those films are few patients' (or a film and its copies), it says so: 6 validation films of one
    patient are one case, not six."""
    notes, few_units = [], few_units or {}
    for part, few in FEW_FILMS.items():
        small = {c: n for c, n in counts.get(part, {}).items() if 0 < n < few}
        if small:
            name = "validation" if part == "val" else part
            units, by = few_units.get(part) or {}, few_units.get("by", "")
            each = _and([f"{c} sensitivity by {100 / n:.1f} points ({_films_of(n, name, units.get(c), by)})"
                         for c, n in small.items()])
            rough = f"the {name} figures for {_and(list(small))} will be rough{AFTER[part]}"
            notes.append(f"one film moves {each}: {rough}")
    return notes


_PARTS = {"train": "training", "val": "validation", "test": "test", "external": "external (held-out source)"}


def split_line(counts: dict[str, int], frozen_in: str, origins: dict[str, list[str]] | None = None) -> str:
    """The line that says how many films went to each part, in words: it printed a Python dict
    ({'train': 56, 'val': 12, ...}), which a reader of a log has to decode. ``origins`` (given_origins):
    the folders of a split given as train/ + test/ each part came from, so a reader sees their test/ folder
    is the test split and validation was taken from train/ (a tutorial's reader could not tell)."""
    parts = ", ".join(f"{n:,} {_PARTS.get(part, part)}" for part, n in counts.items())
    came = ", ".join(f"{_PARTS.get(part, part)} from {' and '.join(f'{d}/' for d in dirs)}"
                     for part, dirs in (origins or {}).items() if dirs)
    return f"split: {parts} films ({came + '; ' if came else ''}frozen in {frozen_in})"


def given_origins(parts: dict[str, list[Item]]) -> dict[str, list[str]]:
    """Each part's folders of a given split (train/, val/, test/ as the data folder spells them), by the first
    part of its films' paths; films of other folders (--add-data) are not named."""
    return {part: sorted({top for i in items if (top := i.path.split("/")[0]).lower() in GIVEN_SPLIT_DIRS})
            for part, items in parts.items()}
