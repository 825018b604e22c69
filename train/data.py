"""The data a run is made of: its films (Item: path, label, digests), their split (Split), frozen in ``split.json``
with each file's SHA-256, so that conversion and evaluation later score exactly the same test images, and DataError,
what every step says of a data folder that cannot be used as given. Finding the films is train.discovery's, reading
them train.scan's."""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from edge.atomic import DamagedFile, read_json, write_json

SPLIT_NAMES = ("train", "val", "test")


class DataError(ValueError):
    """A data folder that cannot be used as given; the message says why and what to do."""


@dataclass
class Item:
    path: str  # relative to the data folder, POSIX separators
    label: str
    sha256: str = ""
    source: str = ""
    near: str = ""  # train.hygiene.copy_code, hex: finds the film's re-encoded or resized copies (convert.seen)

    def to_dict(self) -> dict:
        return {"path": self.path, "label": self.label, "sha256": self.sha256, "source": self.source, "near": self.near}


@dataclass
class Split:
    data_dir: str
    classes: list[str]
    parts: dict[str, list[Item]] = field(default_factory=dict)
    layout: str = ""
    seed: int = 0
    notes: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "data_dir": self.data_dir, "classes": self.classes, "layout": self.layout, "seed": self.seed,
            "counts": {k: count(v, self.classes) for k, v in self.parts.items()}, "notes": self.notes,
            "splits": {k: [i.to_dict() for i in v] for k, v in self.parts.items()},
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Split":
        parts = {k: [Item(**i) for i in v] for k, v in d["splits"].items()}
        return cls(d["data_dir"], d["classes"], parts, d.get("layout", ""), d.get("seed", 0), d.get("notes", {}))

    def save(self, path: Path) -> None:
        write_json(path, self.to_dict())

    @classmethod
    def load(cls, path: Path) -> "Split":
        """The split in ``path``; DamagedFile where it is damaged (not JSON, or not a split's
        shape): json's bare "Expecting value" or "('splits')" named no file, and read as a bug of ours."""
        d = read_json(path)
        if (wrong := _wrong_field(d)) is not None:
            raise DamagedFile(path, f"it is no split's record ({wrong})")
        try:
            return cls.from_dict(d)
        except (KeyError, TypeError, AttributeError) as e:
            raise DamagedFile(path, f"it is no split's record ({type(e).__name__}: {e})") from None

    def digest(self) -> str:
        """SHA-256 of which film (path, label, bytes) is in which part: run.json keeps it, so that
        cxr-convert knows the split is the model's. The data folder's path is left out: a set
        moved elsewhere, its split.json's data_dir edited, is still the same split."""
        parts = {k: sorted((i.path, i.label, i.sha256 or "") for i in v) for k, v in sorted(self.parts.items())}
        return hashlib.sha256(json.dumps(parts, separators=(",", ":")).encode()).hexdigest()


def _wrong_field(d: dict) -> str | None:
    """The first field of a split.json object of the wrong kind, said with its value ('its test entry 1's "path" is
    5, not text'), or None. A number edited in as a film's path, or NaN as data_dir, loaded, and ended every
    command that sorted or joined them in "unexpected TypeError", naming neither the file nor the field."""
    from edge.capped_repr import capped_repr

    def said(where: str, v: object) -> str:
        return f"its {where} is {capped_repr(v)}"
    if "data_dir" in d and not isinstance(d["data_dir"], str):
        return said('"data_dir"', d["data_dir"]) + ", not a folder's path"
    if "classes" in d and not (isinstance(d["classes"], list) and d["classes"]
                               and all(isinstance(c, str) and c for c in d["classes"])):
        return said('"classes"', d["classes"]) + ", not a list of class names"
    for key, kind, name in (("layout", str, "text"), ("notes", dict, "an object"), ("splits", dict, "an object")):
        if key in d and not isinstance(d[key], kind):
            return said(f'"{key}"', d[key]) + f", not {name}"
    if "seed" in d and (isinstance(d["seed"], bool) or not isinstance(d["seed"], int)):
        return said('"seed"', d["seed"]) + ", not a whole number"
    for part, items in (d.get("splits") or {}).items():
        if not isinstance(items, list):
            return said(f'"{part}" part', items) + ", not a list of films"
        for n, item in enumerate(items, 1):
            if not isinstance(item, dict):
                return said(f"{part} entry {n}", item) + ", not a film's record"
            for key, v in item.items():
                if key in Item.__dataclass_fields__ and not isinstance(v, str):
                    return said(f'{part} entry {n}\'s "{key}"', v) + ", not text"
    return None


def count(items: list[Item], classes: list[str]) -> dict[str, int]:
    return {c: sum(i.label == c for i in items) for c in classes}


def stderr_note(msg: str) -> None:
    """A line on stderr under the running command's name: where no log is given."""
    print(f"{Path(sys.argv[0]).name or 'cxr-edge'}: {msg}", file=sys.stderr)  # cxr-evaluate: note: ...
