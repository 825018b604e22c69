"""A finished run that the same cxr-train command, called again, keeps as it is: cxr-train is make-like.

The same command a second time over a finished run (a script run again, `make demo` twice) trained the whole run
again, minutes to an hour, to the same weights, and then called the run's .tflite files an earlier model's. Now it
trains nothing where the run is what this call would make, and where something says it may not be, it trains as
before and says why. The settings, a retrain stopped half-way (train.resume.run_record_problem) and the teacher are
compared by train.run.run_training; this module judges what is left.
"""

from __future__ import annotations

from pathlib import Path

from edge.atomic import DamagedFile, read_json
from train.resume import older_split_rules


def retrain_reason(out: Path, changed: str | None) -> str:
    """Why the finished run of these settings in ``out`` is trained again all the same ('; ...: training it again'),
    or '' where it is kept. ``changed``: train.prepare.data_changed's answer, None where its run.json holds no record
    of its films, so that a changed folder could not be told from the same one."""
    if older := older_split_rules(out):  # as a reused teacher: a run of this version draws its split otherwise
        return (f"; it drew its split by the rules of {older}, which this version changed (patients kept together, "
                "placeholders, synthetic folders): training it again")
    if changed is None:
        return ("; its run.json holds no record of the films it was trained from, so whether they changed since could "
                "not be told: training it again")
    return ""


def nothing_to_do(out: Path, what: str) -> str:
    """The line cxr-train says instead of training a finished run again. ``what``: train.resume.finished_run's
    'COVID, Normal from data'."""
    try:
        run = read_json(Path(out) / "run.json")
    except (OSError, DamagedFile):
        run = {}
    created = str(run.get("created") or "")
    when = f"{created[:10]} {created[11:16]} UTC" if len(created) >= 16 else "at a time it did not record"
    by = f"cxr-edge {run['cxr_edge_version']}" if run.get("cxr_edge_version") else "an older cxr-edge"
    # films are compared by the listing train.film_changes.films_changed takes: bytes changed at the same size and date pass
    told = "" if (run.get("settings") or {}).get("data") == "synthetic" else "as their names, sizes and dates tell; "
    return (f"{out} already holds a finished run of these settings and films ({told}{what}, trained {when} by {by}): "
            "nothing to do; --replace trains it again")


def made_from(path: Path) -> str | None:
    """The "trained" time of the model a .tflite was converted from (its run.json's "created"); None where the
    file does not say or cannot be read (damaged, or not cxr-edge's): then whose it is cannot be told."""
    from edge.metadata import ModelFileError, read

    try:
        return (read(path)[1] or {}).get("trained")
    except (ModelFileError, OSError):
        return None


def converted_files(out: Path, created: str | None) -> list[str]:
    """The .tflite files cxr-convert wrote in the run folder ``out`` (model_MODE.tflite, model.tflite) that may be
    converted from the model trained at ``created`` (run.json's): one made from an earlier model is no record of
    this one (convert.run_files.stale_models removes such files by the same rule)."""
    paths = (*sorted(Path(out).glob("model_*.tflite")), Path(out) / "model.tflite")
    return [p.name for p in paths if p.is_file() and (created is None or made_from(p) in (None, created))]


def converted_run_kept(out: Path, what: str, changed: str) -> str | None:
    """Why the finished run in ``out``, whose films ``changed`` (train.prepare.data_changed's answer), is not
    trained again without --replace where it holds files converted from it; None where it holds none. Its
    split.json is the only record of which films trained and tested the model those files carry, and its run.json
    and model.keras the rest: a retrain over them leaves .tflite files that no record in the folder describes."""
    try:
        created = read_json(Path(out) / "run.json").get("created")
    except (OSError, ValueError, AttributeError):
        created = None
    if not (files := converted_files(out, created)):
        return None
    return (f"--out {out} holds a finished run ({what}) and {', '.join(files)} converted from it (as far as their "
            f"metadata tells), but {changed} since "
            "it was trained: training again would replace its split.json (which films trained and tested the model "
            f"{'those files were' if len(files) > 1 else 'that file was'} converted from), run.json and model.keras. "
            "Give another --out to train on the films as they are now and keep this run, or copy "
            f"{out} elsewhere first and then train over it with --replace")
