"""A finished run that the same cxr-train command, called again, keeps as it is: cxr-train is make-like.

The same command a second time over a finished run (a script run again, `make demo` twice) trained the whole run
again, minutes to an hour, to the same weights, and then called the run's .tflite files an earlier model's. Now it
trains nothing where the run is what this call would make, and where something says it may not be, it trains as
before and says why. The settings, a retrain stopped half-way (train.run_record.run_record_problem) and the teacher are
compared by train.run.run_training; this module judges what is left.
"""

from __future__ import annotations

from pathlib import Path

from edge.capped_repr import capped_repr, capped_text
from edge.atomic import DamagedFile, read_json
from edge.output import said_name
from train.split_rules import older_split_rules


def retrain_reason(out: Path, changed: str | None) -> str:
    """Why the finished run of these settings in ``out`` is trained again all the same ('; ...'; train.run.run_training
    adds ': training it again'), or '' where it is kept. ``changed``: train.prepare.data_changed's answer, None where
    its run.json holds no record of its films, so that a changed folder could not be told from the same one."""
    if older := older_split_rules(out):  # as a reused teacher: a run of this version draws its split otherwise
        return (f"; it drew its split by the rules of {older}, which this version changed (patients kept together, "
                "placeholders, synthetic folders)")
    if changed is None:
        return ("; its run.json holds no record of the films it was trained from, so whether they changed since could "
                "not be told")
    return ""


def _when(created: object) -> str:
    """run.json's "created" as nothing_to_do says it, '2026-12-07 01:05 UTC'; one edited into no time is quoted, cut to
    a line ('xxxxxxxxxx xxxxx UTC' was made of 100 kB of x)."""
    from datetime import datetime

    if not created:
        return "at a time it did not record"
    try:
        datetime.fromisoformat(str(created))
    except ValueError:
        return f"at a time recorded as {capped_repr(created)}"
    return f"{str(created)[:10]} {str(created)[11:16]} UTC"


def nothing_to_do(out: Path, what: str) -> str:
    """The line cxr-train says instead of training a finished run again. ``what``: train.resume.finished_run's
    'COVID, Normal from data'."""
    try:
        run = read_json(Path(out) / "run.json")
    except (OSError, DamagedFile):
        run = {}
    when = _when(run.get("created"))
    version = run.get("cxr_edge_version")  # checked as text (train.run_fields), of any length: cut to a line
    by = f"cxr-edge {capped_text(version)}" if version else "an older cxr-edge"
    # films are compared by the listing train.film_changes.films_changed takes: bytes changed at the same size and date pass
    told = "" if (run.get("settings") or {}).get("data") == "synthetic" else "as their names, sizes and dates tell; "
    return (f"{said_name(str(out))} already holds a finished run of these settings and films ({told}{what}, trained {when} by {by}): "
            "nothing to do; --replace trains it again")


def made_from(path: Path) -> str | None:
    """The "trained" time of the model a .tflite was converted from (its run.json's "created"); None where the
    file does not say or cannot be read (damaged, or not cxr-edge's): then whose it is cannot be told."""
    from edge.metadata import ModelFileError, read

    try:
        return (read(path)[1] or {}).get("trained")
    except (ModelFileError, OSError):
        return None


def converted_from(path: Path, created: str | None) -> bool:
    """Whether the .tflite ``path`` may be converted from the model trained at ``created`` (its run.json's
    "created"): its metadata's "trained" is that time, or it does not say (damaged, or not cxr-edge's: whose it is
    cannot be told), or ``created`` is None. One made from another model is no record of this one: the rule of
    converted_files, convert.run_files.stale_models and convert.seen_lists.split_beside."""
    return created is None or made_from(path) in (None, created)


def converted_files(out: Path, created: str | None) -> list[str]:
    """The .tflite files cxr-convert wrote in the run folder ``out`` (model_MODE.tflite, model.tflite) that may be
    converted from the model trained at ``created`` (run.json's): one made from an earlier model is no record of
    this one (convert.run_files.stale_models removes such files by the same rule)."""
    paths = (*sorted(Path(out).glob("model_*.tflite")), Path(out) / "model.tflite")
    return [p.name for p in paths if p.is_file() and converted_from(p, created)]


def converted_run_kept(out: Path, what: str, why: str, films_changed: bool = False) -> str | None:
    """Why the finished run in ``out`` is not trained again without --replace where it holds files converted from
    it; None where it holds none. ``why``: the reason it would be trained again ('the films in data changed (...)
    since it was trained', 'it drew its split by the rules of cxr-edge 0.6.0, ...'); ``films_changed``: the films
    are among it. Its split.json is the only record of which films trained and tested the model those files carry,
    and its run.json and model.keras the rest: a retrain over them, for whichever reason, leaves .tflite files that
    no record in the folder describes (and cxr-evaluate then took the new split's films for the old model's)."""
    try:
        created = read_json(Path(out) / "run.json").get("created")
    except (OSError, DamagedFile):
        created = None
    if not (files := converted_files(out, created)):
        return None
    goal = "train on the films as they are now" if films_changed else "train it again"
    return (f"--out {said_name(str(out))} holds a finished run ({what}) and {', '.join(files)} converted from it (as far as their "
            f"metadata tells), but {why}: training again would replace its split.json (which films trained and "
            f"tested the model {'those files were' if len(files) > 1 else 'that file was'} converted from), run.json "
            f"and model.keras. Give another --out to {goal} and keep this run, or copy {said_name(str(out))} elsewhere first and then "
            "train over it with --replace")
