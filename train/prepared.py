"""The data phase's record, so that a stopped cxr-train goes on without reading every film again.

Listing, decoding and searching 50,000 films for copies takes hours on a workstation; a call
stopped after that (Ctrl-C, a reboot, the disk full while training) left split.json and the
cached inputs in its run folder, and the next call still read and searched every film again. The
data phase now writes prepared.json beside them: the settings that made the split, the films as
listed (train.film_changes.data_fingerprint), the notes run.json takes from the data phase and the warnings it
said (train.data_warnings: the later call says them again). A later
call with the same data settings, on films unchanged by name, class, size and date, and the same
split.json takes them as they are. The record goes once run.json is written.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from edge.atomic import DamagedFile, read_json, write_json
from edge.preprocess import PreprocessConfig, first_line
from train.class_choice import same_class_setting
from train.data import Split
from train.data_warnings import recorded_warnings
from train.scan import film_file
from train.film_changes import RecordDamaged
from train.resume import _as_recorded, _comparable, _same_folders, settings_dict
from train.split_rules import SPLIT_RULES, version_of
from edge.output import said_name

PREPARED = "prepared.json"
# What the films, the split and the inputs depend on; the training settings do not touch them.
DATA_SETTINGS = ("data", "add_data", "class_map", "classes", "holdout_source", "val_fraction", "test_fraction",
                 "seed", "synthetic_count", "image_size", "arch")


def _data_settings(settings: dict) -> dict:
    done = _comparable(settings)
    return {k: done.get(k) for k in DATA_SETTINGS}


def save_prepared(out: Path, s, config: PreprocessConfig, notes: dict) -> None:
    """Record the data phase just done in ``out`` (after its split.json): see the module's docstring."""
    from edge import __version__

    write_json(Path(out) / PREPARED, {
        "cxr_edge_version": __version__,  # the split's rules: a later version with others draws it again
        "settings": settings_dict(s), "workdir": os.getcwd(), "preprocess": config.to_dict(),
        "split_sha256": hashlib.sha256((Path(out) / "split.json").read_bytes()).hexdigest(),
        "data_fingerprint": notes.get("data"), "data_hygiene": notes["hygiene"], "skipped_files": notes["skipped"],
        "shortcut_audit": notes["audit"],
        "data_warnings": notes["warnings"]})  # said again by the call that goes on (train.data_warnings)


def reusable(out: Path, s, config: PreprocessConfig) -> tuple[Split, dict] | None:
    """(the split, the data phase's notes) that an earlier, stopped call of the same data settings
    left in ``out`` for films still as they were; None where the data phase must run again (no
    record, other settings, other films or sources, or a split.json changed since)."""
    from train.prepare import data_changed

    out = Path(out)
    # run.json may be there: a --replace retrain stopped after its data phase leaves the earlier run's beside it
    if not stopped_after_data(out):
        return None
    path = out / PREPARED
    try:
        record = read_json(path)
    except (OSError, DamagedFile) as e:  # read_json's names the file
        return _again(_unread(path, e))
    if (version_of(record.get("cxr_edge_version")) or (0,)) < SPLIT_RULES:  # drawn by older rules (0.27: no version)
        return None
    if problem := _record_problem(record):
        return _again(f"{said_name(str(path))} is damaged ({problem})")
    try:
        same_inputs = PreprocessConfig.from_dict(record["preprocess"]) == config
    except (KeyError, TypeError, ValueError) as e:  # its preprocess is not one this version reads
        return _again(f"{said_name(str(path))} is damaged (its preprocess: {type(e).__name__}: {e})")
    try:
        same_split = hashlib.sha256((out / "split.json").read_bytes()).hexdigest() == record["split_sha256"]
        split_classes = read_json(out / "split.json").get("classes")
    except (OSError, DamagedFile) as e:
        return _again(_unread(out / "split.json", e))
    done = _data_settings(_as_recorded(record, out))
    notes = {"hygiene": record["data_hygiene"], "skipped": record["skipped_files"],
             "audit": record["shortcut_audit"], "data": record["data_fingerprint"],
             "warnings": record.get("data_warnings")}  # None: an earlier version's record, without them
    now = _data_settings(settings_dict(s))
    if same_class_setting(done["classes"], now["classes"], split_classes, s.data, s.out):
        now["classes"] = done["classes"]  # 'covid,normal' after 'COVID,Normal': the same folders
    if not same_split or not same_inputs or any(done[k] != now[k] and not _same_folders(done[k], now[k]) for k in now):
        return None
    try:
        if s.data != "synthetic" and data_changed(out, s, PREPARED) != "":
            return None
    except RecordDamaged as e:  # its films cannot be compared: listed, read and searched again
        return _again(f"{said_name(str(path))} is damaged ({e.why})")
    try:
        split = Split.load(out / "split.json")
    except (OSError, DamagedFile) as e:  # not JSON, or not a split's shape (Split.load says which)
        return _again(f"{out / 'split.json'} cannot be read ({type(e).__name__}: {first_line(e)})")
    if s.data == "synthetic" and not _same_synthetic(split):
        return None
    return split, notes


# What save_prepared writes, and of what kind: a record without them was edited or damaged.
_RECORD = {"settings": dict, "preprocess": dict, "split_sha256": str, "data_hygiene": dict, "skipped_files": list}


def _record_problem(record: dict) -> str | None:
    """What a prepared.json lacks of what save_prepared writes, or None: checked once, so that reading it after is
    no guess, and a bug there (a KeyError) is said as one, not taken for a record to ignore."""
    wrong = [k for k, kind in _RECORD.items() if not isinstance(record.get(k), kind)]
    wrong += [k for k in ("shortcut_audit", "data_fingerprint") if k not in record]
    if "data_warnings" in record and recorded_warnings(record["data_warnings"]) is None:  # absent: an earlier version's
        wrong.append("data_warnings")
    return f"no {', '.join(wrong)} as it writes them" if wrong else None


def _unread(path: Path, e: OSError | DamagedFile) -> str:
    return f"{said_name(str(path))} cannot be read ({e.strerror or e})" if isinstance(e, OSError) else first_line(e)  # read_json's: named


def _again(why: str) -> None:
    """None, having said why a stopped call's data phase is done again: on 50,000 films, hours, and it was
    done again without a word where prepared.json was damaged."""
    from train.prepare import log

    log(f"note: {why}: the data phase runs again (the films are listed, read and searched for copies anew)")


def stopped_after_data(out: Path) -> bool:
    """Whether a cxr-train in ``out`` got past its data phase and stopped: its record is there (it goes
    once run.json is written), beside the split it made."""
    return (Path(out) / PREPARED).is_file() and (Path(out) / "split.json").is_file()


def _same_synthetic(split: Split) -> bool:
    """Whether the generated films are still those the split lists: a later call with another --seed into
    the same --out generates the set anew, and one that failed there left the first call's split beside
    other films (the stopped call then went on from inputs no film on disk gives)."""
    from edge.digest import file_sha256

    root = Path(split.data_dir)
    try:
        return all(file_sha256(film_file(root, i.path)) == i.sha256 for part in split.parts.values() for i in part)
    except OSError:
        return False


def forget(out: Path) -> None:
    """Remove the record once the run is finished (run.json holds what it held)."""
    try:
        (Path(out) / PREPARED).unlink()
    except FileNotFoundError:
        pass


def prepared_arrays(out: Path, split: Split, config: PreprocessConfig, progress: bool) -> dict[str, np.ndarray]:
    """Each part's inputs: from the cache the stopped call wrote, else decoded again (train.cache)."""
    from train.cache import load_part

    return {part: load_part(out, split, part, config, progress, rewrite=True)[0] for part in split.parts}
