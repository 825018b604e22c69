"""A finished run's record, checked before anything is read from it: a run folder's run.json, split.json and
model.keras belong together only when the split and the model are the ones run.json describes. A retrain
(--replace) stopped after writing its new split or its new model leaves them beside the earlier record; a
record gone bad (not JSON, no "settings") is neither a finished run nor a missing one. cxr-train asks here before
it reuses or trains over a run (train.resume), and cxr-convert and cxr-evaluate before they score one."""

from __future__ import annotations

from pathlib import Path

from edge.atomic import DamagedFile, read_json
from edge.digest import file_sha256
from edge.output import said_name
from train.data import DataError
from train.run_fields import run_fields_problem


class RunRecordDamaged(DamagedFile, DataError):
    """A run.json that is there but cannot be understood (not JSON, or no "settings" object): no finished run's
    record to compare, and no missing one either."""


def run_record(run_dir: Path) -> dict:
    """``run_dir``'s run.json, its shape checked once (a JSON object with a "settings" object), so that what
    compares it after reads it as written: RunRecordDamaged where it is not, OSError where it cannot be read.
    A KeyError there is a bug, said as one, not "no finished run"."""
    path = Path(run_dir) / "run.json"
    try:
        run = read_json(path)
    except DamagedFile as e:
        raise RunRecordDamaged(path, e.why) from None
    if not isinstance(run.get("settings"), dict):
        raise RunRecordDamaged(path, 'it holds no "settings" object' if "settings" not in run
                               else f'its "settings" is {type(run["settings"]).__name__}, not an object')
    if (wrong := run_fields_problem(run)) is not None:  # "( from synthetic)", nothing to do, of a run without classes
        raise RunRecordDamaged(path, wrong)
    return run


def run_record_problem(run_dir: Path) -> str | None:
    """Why a finished run's files do not belong together, or None: its split.json is not the split
    its run.json's model was trained on (other films, or the classes in another order), or its
    model.keras is not the model run.json describes. A retrain (--replace) stopped after writing its
    new split, or its new model, leaves them beside the earlier run.json: a student, a reused
    teacher or cxr-convert would then meet test films the model trained on, or name its outputs in
    the wrong order. Runs made before run.json kept these records are judged by what else the folder
    tells (train.older_run)."""
    from train.data import Split
    from train.older_run import split_not_the_runs

    run_dir = Path(run_dir)

    def unusable(name: str, e: OSError | DamagedFile) -> str:  # a dead end: cxr-train failed on it even with --replace
        missing = [n for n in ("run.json", "split.json", "model.keras") if not (run_dir / n).is_file()]
        return (f"{said_name(str(run_dir))} holds an incomplete run ({', '.join(missing)} missing)" if missing
                else f"{said_name(str(run_dir))} holds a damaged run ({_damaged(run_dir / name, e)})")
    try:
        run = read_json(run_dir / "run.json")
    except (OSError, DamagedFile) as e:
        return unusable("run.json", e)
    try:
        split = Split.load(run_dir / "split.json")
    except (OSError, DamagedFile) as e:  # not JSON, or not a split's shape (Split.load says which)
        return unusable("split.json", e)
    if (cut := model_damage(run_dir)) is not None:  # no stopped cxr-train to go on from: it saves whole files
        return f"{said_name(str(run_dir))} holds a damaged run ({cut})"
    try:
        model_sha256 = file_sha256(run_dir / "model.keras") if run.get("model_sha256") is not None else None
    except OSError as e:
        return unusable("model.keras", e)
    unrecorded = run.get("split_digest") is None and split_not_the_runs(run_dir, run)
    if run.get("split_digest") not in (None, split.digest()) or run.get("classes", split.classes) != split.classes \
            or unrecorded:
        return (f"{said_name(str(run_dir / 'split.json'))} is not the split {said_name(str(run_dir / 'model.keras'))} was trained on: a cxr-train there "
                "stopped after writing a new split (interrupted, or the disk full), so the model would be scored on films "
                "it was trained on")
    if run.get("model_sha256") not in (None, model_sha256):
        return (f"{said_name(str(run_dir / 'model.keras'))} is not the model {said_name(str(run_dir / 'run.json'))} describes: its bytes changed since "
                "they were recorded (damaged or cut short, copied in from another run folder, or a cxr-train there stopped "
                "after saving a new model and before recording it), so its labels, calibration and split may be another "
                "model's")
    return None


def run_record_said(run_dir: Path, command: str = "that cxr-train command") -> str | None:
    """run_record_problem's line with what to do next, or None: a retrain stopped half-way, or a file missing, is
    finished by running ``command`` again; a record there but damaged (edited by hand, cut short) is not: that
    command refuses it without --replace, so the user is sent to restore it or to train the run again."""
    why = run_record_problem(run_dir)
    if why is None:
        return None
    if why.startswith(f"{said_name(str(Path(run_dir)))} holds a damaged run ("):
        return f"{why}; restore it from a copy of the run, or train the run again (cxr-train --replace)"
    if "copied in from another run folder" in why:  # a model belongs with its own run.json, split.json and cache
        return (f"{why}; run {command} again to finish it, or, where the model came from another run folder, give "
                "that folder itself")
    return f"{why}; run {command} again to finish it"


def model_damage(run_dir: Path) -> str | None:
    """What is wrong with the model.keras beside a run.json, where it is empty or not a whole .keras file (a zip
    archive cut short), said with its name; else None (not there, or whole: whether Keras can load it is
    convert.keras_model's to say). cxr-train writes it to a temporary file and renames it into place, so no call
    stopped leaves one so: a run folder copied while cxr-train was writing it does. cxr-convert and cxr-evaluate
    called it "not the model run.json describes" and sent the user to train it again, and cxr-train did so without
    a word of the copy, where copying the run again is what gets the model back."""
    import zipfile

    path = Path(run_dir) / "model.keras"
    try:
        if not path.is_file():
            return None
        size = path.stat().st_size
        whole = size > 0 and zipfile.is_zipfile(path)
    except OSError:
        return None  # unreadable: run_record_problem says so when it reads the file
    if whole:
        return None
    return (f"{said_name(str(path))} is {'empty (0 bytes)' if size == 0 else f'cut short or damaged ({size:,} bytes, not a whole .keras file)'}"
            ": cxr-train never leaves it so, as it writes whole files; was the run copied while cxr-train was "
            "writing it?")


def split_damage(run_dir: Path) -> str | None:
    """What is wrong with the split.json beside a finished run's model.keras and run.json, where it is there but
    cannot be read; else None. A retrain stopped after its data phase leaves a whole split.json (written
    atomically), so a damaged one beside a model is no stopped run to go on from, but a record gone bad: cxr-train
    said "going on ... where a cxr-train was stopped" and trained over the model."""
    from train.data import Split

    path = Path(run_dir) / "split.json"
    if not path.is_file() or not (Path(run_dir) / "model.keras").is_file():
        return None
    try:
        Split.load(path)
    except DamagedFile as e:
        return e.why
    except OSError as e:
        return str(e)
    return None


def _damaged(path: Path, e: OSError | DamagedFile) -> str:
    """"run/split.json is damaged: it is no split's record (KeyError: 'splits')": the file and what is wrong, not
    Python's bare "'splits'" or "list indices must be integers"."""
    return f"{said_name(str(path))} cannot be read: {e.strerror or e}" if isinstance(e, OSError) else str(e)
