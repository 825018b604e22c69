"""Films a model has already seen: scoring it on them is not a validation.

A film of the scored set that the model learnt from (training split) or that chose its epoch and
calibration (validation split) flatters it. The default COVID vs Normal model scored 94.0%
balanced accuracy on all 815 COVID and Normal films of cxr-dev, 693 of which it had trained or
validated on, and 90.1% on the 122 it had not. So such films are left out unless the user asks
to keep them.

The check must not depend on the model file staying in its run folder (models are copied to
devices and sent to other sites, which is where they get validated), nor on the films being
byte-identical: public collections re-publish each other's films resized and re-encoded, and
cxr-dev's own films are resized copies of public ones. So cxr-convert puts in every .tflite, for
each training and validation film, the first 8 bytes of its SHA-256 (the same bytes) and its
256-bit copy code (train.hygiene.copy_code: a resized or re-encoded copy), 40 bytes a film.
Neither tells anything about a film to someone who does not already hold it. A model.keras is
checked against the split.json of its run folder.

Those lists are written and read by convert.seen_lists; this module finds the scored films among them (the same
bytes, copies, cropped and mirrored copies), and leaves them out or says so.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from edge.runtime import usable_cores
from train.data import DataError, Item
from train.code_distance import CODE, codes_of, nearest_bits
from train.hygiene import COPY_CODE_BITS
from convert.seen_lines import SPLIT_GONE, how_found, per_model
from convert.seen_lists import SEEN_PARTS, Known, another_models_split, key, seen_keys, split_gone

_PART_NAMES = {"train": "training", "val": "validation"}


def model_names(models: list[Path]) -> list[str]:
    """Names that tell the models apart in a message: their file names, else parent/name
    (runA/model_int8.tflite, runB/model_int8.tflite), else their paths as given."""
    for name in (lambda m: m.name, lambda m: f"{m.resolve().parent.name}/{m.name}", str):  # resolved: no '/name' for ./name
        names = [name(Path(m)) for m in models]
        if len(set(names)) == len(names):
            break
    return names


def seen_parts(model: Path, items: list[Item], crops_in: str | None = None, progress: bool = False,
               name: str | None = None) -> tuple[list[tuple[str, str] | None], str | None]:
    """For each item (with sha256 and near set, as train.scan.scan sets them): (part, how: "bytes", "copy",
    "crop", "mirror" or "padded") when the model's run used it or a copy of it in that part, else None; and
    where that was looked up (None: the model cannot be checked). ``crops_in``: the items' data
    folder, to read the films found no other way again and search them for cropped copies.
    ``name``: the model's name in that (seen_keys)."""
    parts, sources, _ = models_seen_parts([model], items, crops_in, progress, [name])
    return parts, (sources[0] if sources else None)


def models_seen_parts(models: list[Path], items: list[Item], crops_in: str | None = None, progress: bool = False,
                      names: list[str | None] | None = None) -> tuple[list[tuple[str, str] | None], list[str], list[int]]:
    """seen_parts for several models at once: each item's part in the first model that used it (the
    same bytes or a copy in any model before a cropped one), where each checked model's list came
    from, and the indices of the models that cannot be checked."""
    each, sources, unchecked = each_models_seen_parts(models, items, crops_in, progress, names)
    return merged_parts(each, len(items)), sources, unchecked


def each_models_seen_parts(models: list[Path], items: list[Item], crops_in: str | None = None, progress: bool = False,
                           names: list[str | None] | None = None
                           ) -> tuple[list[list[tuple[str, str] | None]], list[str], list[int]]:
    """seen_parts for each checked model apart (a film one model saw flatters that one, not the other;
    each film is read again, for the crop search, once whatever the models), where each checked
    model's list came from, and the indices of the models that cannot be checked."""
    each, sources, unchecked, knowns = [], [], [], []
    for m, (model, name) in enumerate(zip(models, names or [None] * len(models))):
        found = seen_keys(model, name)
        if found is None:
            unchecked.append(m)
            continue
        source, known = found
        sources.append(source)
        knowns.append(known)
        each.append(_exact_and_copies(items, known, progress))
    if crops_in is not None and knowns:
        _search_crops(each, items, knowns, Path(crops_in), progress)
    return each, sources, unchecked


def merged_parts(each: list[list[tuple[str, str] | None]], n: int) -> list[tuple[str, str] | None]:
    """Each item's part in the first model that used it, the same bytes or a copy in any model before a cropped one."""
    return [next((q for q in col if q and q[1] in ("bytes", "copy")), None) or next((q for q in col if q), None)
            for col in zip(*each)] if each else [None] * n


def _exact_and_copies(items: list[Item], known: Known, progress: bool) -> list[tuple[str, str] | None]:
    coded = [k for k, i in enumerate(items) if i.near]
    codes = codes_of([items[k].near for k in coded])
    copy_of = {p: set(np.array(coded)[nearest_bits(codes, known[p][1], progress, f"copies of {_PART_NAMES[p]} films")
                                      <= COPY_CODE_BITS].tolist()) if coded else set()
               for p in SEEN_PARTS}
    out: list[tuple[str, str] | None] = []
    for k, i in enumerate(items):  # the same bytes before a copy, training before validation
        exact = [p for p in SEEN_PARTS if i.sha256 and key(i.sha256) in known[p][0]]
        copied = [p for p in SEEN_PARTS if k in copy_of[p]]
        out.append((exact[0], "bytes") if exact else (copied[0], "copy") if copied else None)
    return out


def _film_lookup_codes(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(the code of the film with its uniform borders trimmed, as preprocessing trims them: (0, CODE)
    where it has none; train.crop_copies.lookup_codes). A film padded to a square or given a border
    is the model's very input, yet its own code is another: the stored codes stay as they were."""
    from edge.borders_contrast import inside_borders
    from edge.preprocess import ImageError, read_film
    from train.crop_copies import lookup_codes
    from train.hygiene import copy_code

    try:
        gray, borders = read_film(path.read_bytes(), path)  # its borders as its checks found them: found once
    except (OSError, ImageError):
        return None  # unreadable now: scored as it is, as the rest of the check does
    trimmed = inside_borders(gray, borders)
    padded = (np.frombuffer(copy_code(trimmed), np.uint8)[None] if trimmed.shape != gray.shape
              else np.empty((0, CODE), np.uint8))
    return (padded, *lookup_codes(gray))


def _search_crops(outs: list[list[tuple[str, str] | None]], items: list[Item], knowns: list[Known], data_dir: Path,
                  progress: bool) -> None:
    """Fill each model's None entries in ``outs`` (one list per model of ``knowns``) with its part that holds
    a crop or mirror image of the film. Films are read, coded and compared on every core (numpy lets go
    of the lock while it compares: against a model trained on 13,600 films, that is 23 ms a film, more than
    decoding it), a chunk at a time so that memory stays flat, once whatever the models."""
    from concurrent.futures import ThreadPoolExecutor

    from train.progress import progress_bar

    def found(k: int) -> list[tuple[str, str] | None] | None:
        looked = _film_lookup_codes(data_dir / items[k].path)
        if looked is None:
            return None  # unreadable now: scored as it is
        # A border added, cut from a training film (padded back), the film a training crop was cut from
        # (cut in), or mirrored.
        return [out[k] or next(((p, kind) for kind, codes in zip(("padded", "crop", "mirror"), looked)
                                for p in SEEN_PARTS if len(codes) and len(known[p][1])
                                and nearest_bits(codes, known[p][1]).min() <= COPY_CODE_BITS), None)
                for out, known in zip(outs, knowns)]

    todo = [k for k in range(len(items)) if any(out[k] is None for out in outs)]
    bar = progress_bar(len(todo), "cropped copies of seen films", progress)
    workers = min(8, usable_cores())
    with ThreadPoolExecutor(workers) as pool:
        for start in range(0, len(todo), 8 * workers):
            chunk = todo[start:start + 8 * workers]
            for k, answers in zip(chunk, pool.map(found, chunk)):
                bar.update(1)
                for out, answer in zip(outs, answers or ()):
                    out[k] = answer
    bar.close()


def leave_out_seen(models: list[Path], items: list[Item], keep_seen: bool, prog: str,
                   crops_in: str | None = None, progress: bool = False,
                   who: list[str] | None = None) -> tuple[np.ndarray, dict | None]:
    """Check the items against each model's run; warn on stderr when some were seen; refuse when all
    were (unless ``keep_seen``). Returns (mask of the items to drop, note for the report: None
    when no model could be checked). ``crops_in``: also search for cropped copies (seen_parts).
    ``who``: what the reports call the models ("A", "B"), for the films each of several saw."""
    names = model_names(models)
    each, sources, unchecked_at = each_models_seen_parts(models, items, crops_in, progress, names)
    parts = merged_parts(each, len(items))  # a film both used counts once
    unchecked = [names[m] for m in unchecked_at]
    for m in unchecked_at:
        why = ("a .keras file carries no fingerprints of its training films" if Path(models[m]).suffix == ".keras" else
               "its file carries no fingerprints of its training films (converted before cxr-edge 0.10.0 or with "
               "--no-fingerprints, or not by cxr-convert; cxr-convert its run again to add them)")
        beside = ("the split.json beside it is another model's (its run was trained again since it was converted)"
                  if another_models_split(models[m]) else
                  SPLIT_GONE if split_gone(models[m]) else "it has no split.json beside it")
        print(f"{prog}: warning: whether {names[m]} was trained or validated on any of these films cannot be checked: "
              f"{why} and {beside}; films it saw would flatter its figures", file=sys.stderr)
    if not sources:
        return np.zeros(len(items), bool), None
    seen = np.array([p is not None for p in parts], bool)
    whose = "the model" if len(models) == 1 else "either model"
    note = {"split": ", ".join(dict.fromkeys(sources)), "films": int(seen.sum()), "models": len(models),
            "unchecked": unchecked,
            **{p: sum(1 for q in parts if q and q[0] == p) for p in SEEN_PARTS},
            "copies": sum(1 for q in parts if q and q[1] == "copy"), "left_out": bool(seen.any() and not keep_seen),
            "seen_films": [{"file": i.path, "part": q[0], "found_as": _FOUND_AS[q[1]]} for i, q in zip(items, parts) if q]}
    if len(models) > 1:  # which model saw which films: the figures flatter that one, and "either model" hides which
        checked = [who[m] if who else names[m] for m in range(len(models)) if m not in unchecked_at]
        note.update(_by_model(checked, [names[m] for m in range(len(models)) if m not in unchecked_at], each))
        for entry, k in zip(note["seen_films"], [k for k, q in enumerate(parts) if q]):
            entry["models"] = [w for w, mine in zip(checked, each) if mine[k]]
    if crops_in is not None:
        note["cropped"] = sum(1 for q in parts if q and q[1] == "crop")
        note["mirrored"] = sum(1 for q in parts if q and q[1] == "mirror")
        note["padded"] = sum(1 for q in parts if q and q[1] == "padded")
    if seen.any():
        how = how_found(note)
        msg = (f"{note['films']} of {len(items)} films {'is one' if note['films'] == 1 else 'are ones'} {whose} was "
               "trained or validated on"
               f"{how}{per_model(note)} (found by {note['split']})")
        if seen.all() and not keep_seen:
            raise DataError(f"{msg}: all of them. Score new films, the run's test split, or give --keep-seen "
                            "(the figures will flatter the model that saw them)")
        print(f"{prog}: warning: {msg}; " + ("kept (--keep-seen): the figures flatter the model that saw them"
                                             if keep_seen else "left out (--keep-seen keeps them)"), file=sys.stderr)
    return seen & (not keep_seen), note


def _by_model(who: list[str], names: list[str], each: list[list[tuple[str, str] | None]]) -> dict:
    """The note's per-model counts: {by_model: {"A": {model, films, train, val}}, both: films all of them saw}."""
    by = {w: {"model": name, "films": sum(1 for q in mine if q),
              **{p: sum(1 for q in mine if q and q[0] == p) for p in SEEN_PARTS}}
          for w, name, mine in zip(who, names, each)}
    return {"by_model": by, "both": sum(1 for col in zip(*each) if all(col)) if len(each) > 1 else 0}


_FOUND_AS = {"bytes": "same bytes", "copy": "copy", "crop": "cropped copy", "mirror": "mirrored copy",
             "padded": "copy with a border added"}
