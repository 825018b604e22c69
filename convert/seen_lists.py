"""What a model's seen-film check (convert.seen) compares the scored films against: the lists of its training and
validation films. cxr-convert writes them into every .tflite (fingerprints: for each film the first 8 bytes of its
SHA-256 and its 256-bit copy code, 40 bytes a film), read back from the file wherever it travels (carried, and the
room they take: room_note); a .keras file, or a .tflite without them, is checked against the split.json of its run
folder, where that split is its model's (split_beside, another_models_split). seen_keys gives whichever there is.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from edge import metadata as md
from edge.members import KEY_BYTES
from train.data import DataError, Item, Split
from train.scan import film_file
from train.code_distance import CODE, codes_of
from train.hygiene import COPY_CODE_BITS

SEEN_PARTS = ("train", "val")
PREFIX = KEY_BYTES  # bytes of each SHA-256 kept in a model file

Known = dict[str, tuple[set[bytes], np.ndarray]]  # part -> (SHA-256 prefixes, (M, 32) uint8 copy codes)


def key(sha256: str) -> bytes:
    return bytes.fromhex(sha256)[:PREFIX]


def _code_from_file(data_dir: str, item: Item) -> str:
    """The copy code of a film that split.json lists without one (a run of cxr-edge 0.9.0 or
    older), read from its file if that is still there, unchanged; else ""."""
    import hashlib

    from edge.preprocess import ImageError, load_bytes
    from train.hygiene import copy_code

    path = film_file(data_dir, item.path)
    try:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != item.sha256:
            return ""
        return copy_code(load_bytes(data, path)).hex()
    except (OSError, ImageError):
        return ""


def fingerprints(split: Split) -> tuple[dict, dict[str, bytes]]:
    """What a model file carries so that it can be checked on its own: for the metadata, the
    number of films per part; as files, each part's sorted SHA-256 prefixes and its copy codes,
    end to end. Films whose copy code cannot be had (an old run whose files are gone) are
    found by their bytes alone."""
    meta, files = {"hash": f"sha256[:{PREFIX}]", "copy_code": f"train.hygiene.copy_code, within {COPY_CODE_BITS} bits"}, {}
    for part in SEEN_PARTS:
        items = [i for i in split.parts.get(part, []) if i.sha256]
        keys = sorted({key(i.sha256) for i in items})
        codes = sorted({c for c in (i.near or _code_from_file(split.data_dir, i) for i in items) if c})
        meta[part] = len(keys)
        files[f"seen/{part}.bin"] = b"".join(keys)
        if codes:
            files[f"seen/{part}.near"] = b"".join(bytes.fromhex(c) for c in codes)
    if not any(name.endswith(".near") for name in files):
        meta.pop("copy_code")
    return meta, files


def carried(model: Path) -> Known | None:
    """What a model file carries, per part; None for a .keras file, a file converted with
    --no-fingerprints or by cxr-edge 0.9.0 and older. A file that lacks members its metadata records
    (edge.members) is refused (DataError): its check would find none of the films it lost."""
    if Path(model).suffix != ".tflite":
        return None
    try:
        _, meta, files = md.read(model)
    except md.ModelFileError:
        return None
    if not meta or "seen" not in meta:
        return None
    from edge.members import damaged_members

    if damaged := damaged_members(model, meta, files):  # keys missing or cut short match nothing: no film "seen"
        raise DataError(damaged)
    out = {}
    for part in SEEN_PARTS:
        data = files.get(f"seen/{part}.bin", b"")
        near = files.get(f"seen/{part}.near", b"")
        out[part] = ({data[k:k + PREFIX] for k in range(0, len(data), PREFIX)},
                     np.frombuffer(near[:len(near) // CODE * CODE], np.uint8).reshape(-1, CODE))
    return out


def room_note(model: Path) -> str:
    """' (313,495 of them: fingerprints of the 10,200 training and validation films, ...)' where the
    fingerprints take room in a model file (most of it, for a large training split); '' otherwise."""
    import zipfile

    try:
        with zipfile.ZipFile(model) as z:
            infos = [i for i in z.infolist() if i.filename.startswith("seen/")]
            films = sum(json.loads(z.read(md.META_NAME)).get("seen", {}).get(p, 0) for p in SEEN_PARTS)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return ""
    room = sum(i.compress_size + 30 + len(i.filename) for i in infos)  # + each entry's local header
    return (f" ({room:,} of them: fingerprints of the {films:,} training and validation films, for the seen-film "
            "check; --no-fingerprints leaves them out)") if infos else ""


def split_beside(model: Path) -> Path | None:
    """The split.json of the run folder the model file sits in, where there is one and it is that model's
    (another_models_split)."""
    path = Path(model).parent / "split.json"
    return path if path.is_file() and not another_models_split(model) else None


def another_models_split(model: Path) -> bool:
    """Whether the split.json beside the .tflite ``model`` is another model's: the run.json beside it records a
    model trained at another time than the one the file was converted from (train.rerun.converted_from: the run
    was trained again since, and its new split lists other films). Taken as the file's, the films that trained an
    old file were scored as unseen test films. A .keras is its folder's model; where the file or the run.json does
    not say, whose it is cannot be told, and the split is taken as before."""
    from edge.atomic import DamagedFile, read_json
    from train.rerun import converted_from

    folder = Path(model).parent
    if Path(model).suffix != ".tflite" or not (folder / "split.json").is_file():
        return False
    try:
        created = read_json(folder / "run.json").get("created")
    except (OSError, DamagedFile):  # read_json gives a dict or says why not
        return False
    return not converted_from(Path(model), created)


def seen_keys(model: Path, name: str | None = None) -> tuple[str, Known] | None:
    """(where the list came from, what it holds per part) for a model: what its file carries
    (named ``name``, by default the file's name), else the split.json beside it; None when neither is there."""
    keys = carried(model)
    if keys is not None:
        return f"{name or Path(model).name} (fingerprints inside the file)", keys
    path = split_beside(model)
    if path is None:
        return None
    split = Split.load(path)
    return str(path), {p: ({key(i.sha256) for i in split.parts.get(p, []) if i.sha256},
                           codes_of([i.near for i in split.parts.get(p, []) if i.near])) for p in SEEN_PARTS}


def split_gone(model: Path) -> bool:
    """Whether ``model`` is a run's model.keras whose split.json is gone (deleted, or not copied with it) though its
    run.json records one (a "split_digest"): cxr-evaluate then scored the films it trained on as if unseen, said only
    as a model without a split beside it, where restoring the file is what leaves them out (cxr-convert refuses such
    a run: train.run_edits)."""
    from edge.atomic import DamagedFile, read_json

    folder = Path(model).parent
    if Path(model).suffix != ".keras" or (folder / "split.json").exists():
        return False
    try:
        return bool(read_json(folder / "run.json").get("split_digest"))
    except (OSError, DamagedFile):
        return False


def gone_splits(models: list[Path], names: list[str]) -> list[str]:
    """The ``names`` (as the seen-film note names the models) of those whose run's split.json is gone: split_gone."""
    return [name for model, name in zip(models, names) if split_gone(model)]
