"""Films a model has already seen: scoring it on them is not a validation.

A run folder's split.json lists every training and validation file with its SHA-256. When the
model being scored sits in such a folder, any film of the scored set with the same bytes was
learnt from (training split) or used to choose the epoch and the calibration (validation
split); its answers flatter the model. The default COVID vs Normal model scored 94.0% balanced
accuracy on all 815 COVID and Normal films of cxr-dev, 693 of which it had trained or validated
on, and 90.1% on the 122 it had not. So such films are left out unless the user asks to keep
them.

The check must not depend on the model file staying in its run folder: models are copied to
devices and sent to other sites, which is where they get validated. So cxr-convert also puts the
first 8 bytes of each training and validation film's SHA-256 inside every .tflite (693 films:
5.5 KB on a 128 KB file). An unseen film matches one of them by chance with odds of about
N / 2^64, and a prefix tells nothing about a film to someone who does not already hold it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from edge import metadata as md
from train.data import DataError, Item, Split

SEEN_PARTS = ("train", "val")
PREFIX = 8  # bytes of each SHA-256 kept in a model file


def _key(sha256: str) -> bytes:
    return bytes.fromhex(sha256)[:PREFIX]


def fingerprints(split: Split) -> tuple[dict, dict[str, bytes]]:
    """What a model file carries so that it can be checked on its own: for the metadata, the
    number of films per part; as files, each part's sorted SHA-256 prefixes, end to end."""
    counts, files = {"hash": f"sha256[:{PREFIX}]"}, {}
    for part in SEEN_PARTS:
        keys = sorted({_key(i.sha256) for i in split.parts.get(part, []) if i.sha256})
        counts[part] = len(keys)
        files[f"seen/{part}.bin"] = b"".join(keys)
    return counts, files


def carried(model: Path) -> dict[str, set[bytes]] | None:
    """The prefixes a model file carries, per part; None for a .keras file, a file converted
    with --no-fingerprints or by cxr-edge 0.9.0 and older."""
    if Path(model).suffix != ".tflite":
        return None
    try:
        _, meta, files = md.read(model)
    except md.ModelFileError:
        return None
    if not meta or "seen" not in meta:
        return None
    out = {}
    for part in SEEN_PARTS:
        data = files.get(f"seen/{part}.bin", b"")
        out[part] = {data[k:k + PREFIX] for k in range(0, len(data), PREFIX)}
    return out


def split_beside(model: Path) -> Path | None:
    """The split.json of the run folder the model file sits in, if any."""
    path = Path(model).parent / "split.json"
    return path if path.is_file() else None


def seen_keys(model: Path) -> tuple[str, dict[str, set[bytes]]] | None:
    """(where the list came from, the prefixes per part) for a model: those its file carries, else
    those of the split.json beside it; None when neither is there."""
    keys = carried(model)
    if keys is not None:
        return f"{Path(model).name} (fingerprints inside the file)", keys
    path = split_beside(model)
    if path is None:
        return None
    split = Split.load(path)
    return str(path), {p: {_key(i.sha256) for i in split.parts.get(p, []) if i.sha256} for p in SEEN_PARTS}


def seen_parts(model: Path, items: list[Item]) -> tuple[list[str | None], str | None]:
    """For each item (with its sha256 set, as train.data.scan sets it): "train" or "val" when the
    model's run used it so, else None; and where that was looked up (None: the model cannot be
    checked)."""
    found = seen_keys(model)
    if found is None:
        return [None] * len(items), None
    source, keys = found
    return [next((p for p in SEEN_PARTS if i.sha256 and _key(i.sha256) in keys[p]), None) for i in items], source


def leave_out_seen(models: list[Path], items: list[Item], keep_seen: bool, prog: str) -> tuple[np.ndarray, dict | None]:
    """Check the items against each model's run; warn on stderr when some were seen; refuse when all
    were (unless ``keep_seen``). Returns (mask of the items to drop, note for the report: None
    when no model could be checked)."""
    parts, sources = [None] * len(items), []
    for model in models:
        used, source = seen_parts(model, items)
        if source is None:
            continue
        sources.append(source)
        parts = [a or b for a, b in zip(parts, used)]  # a film both runs used counts once
    if not sources:
        return np.zeros(len(items), bool), None
    seen = np.array([p is not None for p in parts], bool)
    whose = "the model" if len(models) == 1 else "either model"
    note = {"split": ", ".join(dict.fromkeys(sources)), "films": int(seen.sum()),
            **{p: parts.count(p) for p in SEEN_PARTS}, "left_out": bool(seen.any() and not keep_seen)}
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
        return ("Whether the model saw any of these films in training could not be checked (the model file carries "
                "no fingerprints of its training films and has no split.json beside it).")
    n = note["films"]
    if not n:
        return f"None of these films is in the model's training or validation split ({note['split']})."
    if note.get("left_out"):
        return (f"{n} films that the model was trained ({note['train']}) or validated ({note['val']}) on were left out "
                "(same SHA-256 as in its split.json); the figures are on the rest.")
    return (f"**{n} of the films scored are ones the model was trained ({note['train']}) or validated ({note['val']}) "
            "on (--keep-seen): these figures flatter it.**")
