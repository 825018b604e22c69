"""Films a model has already seen: scoring it on them is not a validation.

A run folder's split.json lists every training and validation file with its SHA-256. When the
model being scored sits in such a folder, any film of the scored set with the same bytes was
learnt from (training split) or used to choose the epoch and the calibration (validation
split); its answers flatter the model. The default COVID vs Normal model scored 94.0% balanced
accuracy on all 815 COVID and Normal films of cxr-dev, 693 of which it had trained or validated
on, and 90.1% on the 122 it had not. So such films are left out unless the user asks to keep
them. A model file on its own (no split.json beside it) cannot be checked.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from train.data import DataError, Item, Split

SEEN_PARTS = ("train", "val")


def split_beside(model: Path) -> Path | None:
    """The split.json of the run folder the model file sits in, if any."""
    path = Path(model).parent / "split.json"
    return path if path.is_file() else None


def seen_mask(model: Path, items: list[Item]) -> tuple[np.ndarray, dict | None]:
    """(N,) booleans: which items (with their sha256 set, as train.data.scan sets it) are in the
    training or validation split of the model's run; and a summary for report.json (None when
    there is no split.json to check against)."""
    path = split_beside(model)
    if path is None:
        return np.zeros(len(items), bool), None
    split = Split.load(path)
    part_of = {i.sha256: part for part in SEEN_PARTS for i in split.parts.get(part, []) if i.sha256}
    parts = [part_of.get(i.sha256) for i in items]
    mask = np.array([p is not None for p in parts], bool)
    return mask, {"split": str(path), **{p: int(sum(q == p for q in parts)) for p in SEEN_PARTS}}


def leave_out_seen(models: list[Path], items: list[Item], keep_seen: bool, prog: str) -> tuple[np.ndarray, dict | None]:
    """Check the items against each model's run; warn on stderr when some were seen; refuse when all
    were (unless ``keep_seen``). Returns (mask of the items to drop, note for the report: None
    when no model could be checked)."""
    seen, notes, checked = np.zeros(len(items), bool), [], set()
    for model in models:
        split = split_beside(model)
        if split is not None and split.resolve() in checked:  # two files of one run: one split
            continue
        checked.add(split.resolve() if split else None)
        mask, note = seen_mask(model, items)
        seen |= mask
        notes.append(note)
    if all(n is None for n in notes):
        return seen, None
    whose = "the model" if len(models) == 1 else "either model"
    note = {"split": ", ".join(n["split"] for n in notes if n), "films": int(seen.sum()),
            **{p: sum(n[p] for n in notes if n) for p in SEEN_PARTS}, "left_out": bool(seen.any() and not keep_seen)}
    if seen.any():
        msg = (f"{note['films']} of {len(items)} films are ones {whose} was trained or validated on "
               f"(same SHA-256 as in {note['split']})")
        if seen.all() and not keep_seen:
            raise DataError(f"{msg}: all of them. Score new films, the run's test split, or give --keep-seen "
                            "(the figures will flatter the model that saw them)")
        print(f"{prog}: warning: {msg}; " + ("kept (--keep-seen): the figures flatter the model that saw them"
                                             if keep_seen else "left out (--keep-seen keeps them)"), file=sys.stderr)
    return seen & (not keep_seen), note


def seen_line(note: dict | None) -> str:
    """Whether the scored films include any the model was trained or validated on (convert.seen)."""
    if note is None:
        return ("Whether the model saw any of these films in training could not be checked (no split.json beside "
                "the model file).")
    n = note["films"]
    if not n:
        return f"None of these films is in the model's training or validation split ({note['split']})."
    if note.get("left_out"):
        return (f"{n} films that the model was trained ({note['train']}) or validated ({note['val']}) on were left out "
                "(same SHA-256 as in its split.json); the figures are on the rest.")
    return (f"**{n} of the films scored are ones the model was trained ({note['train']}) or validated ({note['val']}) "
            "on (--keep-seen): these figures flatter it.**")
