"""The split of a set's films into train, validation and test: stratified by class, deterministic
for a seed whatever order the files are listed in, copy groups kept whole on one side, and a
split given in folders honoured (its test part kept, val carved from its train part)."""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter
from typing import Callable

from train.class_folders import PART_NAMES
from train.data import SPLIT_NAMES, Item, stderr_note


def name_order(item: Item) -> tuple[str, str]:
    """A film's place in name order, whatever Unicode form its name is in: a Mac's zip or an HFS+ copy spells
    é0001.png decomposed (NFD), which sorted before f0000.png and keyed a patient by another film, drawing another
    split and training in another order. NFC and ASCII names sort as they always did (their NFC form is themselves)."""
    return unicodedata.normalize("NFC", item.path), item.path


def _given_part(unit: list[Item], given: dict[str, str]) -> str | None:
    """The part of a given split a copy group must go to: test where any of its films was given as
    test, else val where any was given as val, else None (train's pool). Never by which path sorts
    first: Train/ sorts before test/, and an --add-data film (an absolute path) before both, which
    would have trained on a film set aside for testing."""
    marks = {given.get(i.path) for i in unit}
    return next((p for p in ("test", "val") if p in marks), None)


def _moved_out(unit: list[Item], part: str, given: dict[str, str]) -> list[tuple[str, str]]:
    """(given folder, part) for each film of ``unit`` given in another part than the ``part`` it goes to."""
    return [(i.path.split("/")[0], part) for i in unit if given.get(i.path) not in (None, part)]


def _moved_lines(moved: Counter[tuple[str, str]], given: dict[str, str]) -> list[str]:
    """One warning per (given folder, part) of the films a copy group took out of their given part."""
    folder_of = {part: path.split("/")[0] for path, part in given.items()}  # one folder a part: twins are refused
    return [f"warning: {n} film{'s' if n > 1 else ''} of the given {origin}/ folder went to the {PART_NAMES[part]} "
            f"split: each is a copy of a film in {folder_of.get(part, part)}/, and copies are kept on one side of the "
            "split; delete one copy of each to keep the split as given"
            for (origin, part), n in sorted(moved.items())]


def _placed(group_list: list[list[Item]], targets: dict[str, int]) -> dict[str, list[list[Item]]]:
    """One label's units (in the seed's order) placed in test, then val, then train.

    A unit goes to test (else val) while that part is under its target and only where it does not
    take the part past twice its target: one patient's 15 of a class's 20 films went whole to test
    or val, and training kept 2 of them. A unit of at most target + 1 films is placed as it always
    was, so splits of single films and small copy groups (every frozen split) do not move. Then, where
    the label has units enough: train gets one (the smallest of val's, else of test's) where it got
    none, and an empty test or val part with a target gets the smallest of the other's where that
    has two or more (patients of 8, 1 and 1 films: 8 / 1 / 1, not 8 / 0 / 2), else of training's where
    that has two or more (patients of 5, 5 and 5 films, each past twice a target of 2: 5 / 5 / 5, not a
    refusal)."""
    placed: dict[str, list[list[Item]]] = {k: [] for k in SPLIT_NAMES}
    filled = {"test": 0, "val": 0}
    for u in group_list:
        part = next((p for p in ("test", "val") if filled[p] < targets[p] and filled[p] + len(u) <= 2 * targets[p]),
                    "train")
        if part != "train":
            filled[part] += len(u)
        placed[part].append(u)
    smallest = lambda part: min(range(len(placed[part])), key=lambda k: len(placed[part][k]))  # noqa: E731
    if len(group_list) >= 2 and not placed["train"]:
        source = "val" if placed["val"] else "test"
        placed["train"].append(placed[source].pop(smallest(source)))
    for part, other in (("test", "val"), ("val", "test")):
        if targets[part] > 0 and not placed[part]:  # from the other part where it has two, else from training
            source = other if len(placed[other]) >= 2 else "train" if len(placed["train"]) >= 2 else None
            if source:
                placed[part].append(placed[source].pop(smallest(source)))
    return placed


def stratified_split(items: list[Item], groups: list[int], seed: int, val: float, test: float,
                     given: dict[str, str] | None = None,
                     log: Callable[[str], None] = stderr_note) -> dict[str, list[Item]]:
    """Assign items to train/val/test, stratified by label, whole groups at a time.

    Order depends on the seed and the files' bytes, never on listing order; a patient's (or copy group's) films are
    placed by the bytes of the first of them by name, so renaming a patient's films can move them. With a given split,
    its test part is kept and val is carved from its train part; a copy group that spans given
    parts goes whole to test, else val (_given_part), and ``log`` is told how many films of which
    given folder it moved.
    """
    parts: dict[str, list[Item]] = {k: [] for k in SPLIT_NAMES}
    units: dict[int, list[Item]] = {}
    for it, g in zip(items, groups):
        units.setdefault(g, []).append(it)
    key = lambda u: hashlib.sha256(f"{seed}:{u[0].sha256 or name_order(u[0])[0]}".encode("utf-8",
                                                                                      "surrogateescape")).hexdigest()
    by_label: dict[str, list[list[Item]]] = {}
    moved: Counter[tuple[str, str]] = Counter()
    for u in units.values():
        u.sort(key=name_order)
        if given is not None and (forced := _given_part(u, given)):
            parts[forced].extend(u)
            moved.update(_moved_out(u, forced, given))
            continue
        by_label.setdefault(u[0].label, []).append(u)
    for line in _moved_lines(moved, given or {}):
        log(line)
    for label in sorted(by_label):
        group_list = sorted(by_label[label], key=key)
        n = sum(len(u) for u in group_list)
        targets = {"test": 0 if given is not None else round(n * test),
                   "val": round(n * val) if not (given and any(v == "val" for v in given.values())) else 0}
        placed = _placed(group_list, targets)
        for part, units_of in placed.items():
            for u in units_of:
                parts[part].extend(u)
    for k in parts:
        parts[k].sort(key=name_order)
    return parts
