"""A finished run whose record no longer matches its own files with no stopped cxr-train to blame: cxr-train
refuses it without --replace instead of training over it.

A retrain stopped after writing its new split leaves split.json beside the earlier run.json and model, and the same
command goes on (train.run_record). A user who edits run.json's "classes" or split.json by hand, or copies a run
half-way, leaves the same kind of mismatch; cxr-train took it for a stopped retrain and trained over the model, and
the hand-made split, without a word. A stopped retrain leaves traces (prepared.json until its run.json is written,
a student's split its teacher's); where none is there, the mismatch is said and nothing is trained. So too a run.json
whose "preprocess" is not what its own settings give: the run was trained on other inputs than its record says."""

from __future__ import annotations

import os
from pathlib import Path

from edge.atomic import DamagedFile, read_json
from edge.capped_repr import capped_repr
from edge.output import said_name
from train.data import Split
from train.prepared import PREPARED

REMEDY = "restore {} from a copy of the run, or --replace to train over it"


def edited_run(out: Path) -> str | None:
    """Why the finished run in ``out`` (run.json, split.json and model.keras there and readable) cannot be taken
    as it is nor gone on from, with what to do, or None: its split or classes are not its run.json's and no stopped
    cxr-train left them so, or its preprocessing is not its settings'."""
    out = Path(out)
    if (why := _split_gone(out)) is not None:
        return why
    try:
        run, split = read_json(out / "run.json"), Split.load(out / "split.json")
    except (OSError, DamagedFile):  # damaged or missing: train.run_record says so
        return None
    if (why := _preprocess_not_settings(run)) is not None:
        return f"--out {said_name(str(out))} holds a finished run whose {said_name(str(out / 'run.json'))} {why}: {REMEDY.format('it')}"
    recorded = run.get("split_digest")
    other_films = recorded is not None and recorded != split.digest()
    other_classes = isinstance(run.get("classes"), list) and run["classes"] != split.classes
    if not (other_films or other_classes) or _stopped_retrain(out, run, split):
        return None
    what = ("lists other films or parts than the split its model was trained on" if other_films else
            f"names the classes {capped_repr(split.classes)}, where its run.json names {capped_repr(run['classes'])}")
    return (f"--out {said_name(str(out))} holds a finished run whose split.json {what}, and no stopped cxr-train left it so (edited by "
            f"hand, or copied from another run?): {REMEDY.format('split.json and run.json')}")


def _split_gone(out: Path) -> str | None:
    """Why a finished run (its model.keras the one its run.json records) without its split.json is refused: every
    cxr-train writes split.json first, so none stopped left a model without one; it was deleted or not copied, and
    training again (as for a run stopped half-way) replaced the model."""
    from edge.digest import file_sha256

    if (out / "split.json").exists() or not (out / "model.keras").is_file():
        return None
    try:
        recorded = read_json(out / "run.json").get("model_sha256")
        if recorded is not None and recorded != file_sha256(out / "model.keras"):
            return None  # a model saved and not yet recorded: a stopped call's, gone on from (train.run_record)
    except (OSError, DamagedFile):
        return None
    return (f"--out {said_name(str(out))} holds a finished run without its split.json (deleted, or not copied with it?), which "
            f"cxr-convert and cxr-evaluate need to score it on films it never saw: {REMEDY.format('split.json')}")


def _stopped_retrain(out: Path, run: dict, split: Split) -> bool:
    """Whether a cxr-train stopped in ``out`` after writing its split: its run.json, written last, is older than
    split.json, and the call left its data phase's record (prepared.json) or, a student, took its teacher's split."""
    try:
        if os.stat(out / "run.json").st_mtime_ns > os.stat(out / "split.json").st_mtime_ns:
            return False  # run.json changed since the split was written: no cxr-train writes it before the split
    except OSError:
        return False
    if (out / PREPARED).is_file():
        return True
    teacher = (run.get("settings") or {}).get("teacher")
    try:  # the digest leaves the class order out: a split.json of classes reordered by hand is not the teacher's
        theirs = read_json(Path(teacher) / "run.json") if isinstance(teacher, str) else {}
    except (OSError, DamagedFile):
        return False
    return theirs.get("split_digest") == split.digest() and theirs.get("classes") == split.classes


def _preprocess_not_settings(run: dict) -> str | None:
    """Why run.json's "preprocess" is not the one its settings give (--image-size, the architecture's channels), or
    None: the model was trained on those inputs, and a card written from an edited one feeds the device others."""
    from train.models import CHANNELS

    settings, pre = run.get("settings") or {}, run.get("preprocess")
    size, arch = settings.get("image_size"), settings.get("arch", "compact")
    if not isinstance(pre, dict) or not isinstance(size, int) or arch not in CHANNELS:
        return None  # older or damaged records: train.run_fields and cxr-convert say what is wrong with them
    differ = [k for k, want in (("size", size), ("channels", CHANNELS[arch])) if pre.get(k) != want]
    if not differ:
        return None
    return (f"says its inputs were {', '.join(f'{k} {capped_repr(pre.get(k))}' for k in differ)}, where its settings "
            f"(--image-size {size}, --arch {arch}) give {', '.join(f'{k} {dict(size=size, channels=CHANNELS[arch])[k]}' for k in differ)}")
