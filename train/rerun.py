"""A finished run that the same cxr-train command, called again, keeps as it is: cxr-train is make-like.

The same command a second time over a finished run (a script run again, `make demo` twice) trained the whole run
again, minutes to an hour, to the same weights, and then called the run's .tflite files an earlier model's. Now it
trains nothing where the run is what this call would make, and where something says it may not be, it trains as
before and says why. The settings, a retrain stopped half-way (train.resume.run_record_problem) and the teacher are
compared by train.run.run_training; this module judges what is left.
"""

from __future__ import annotations

from pathlib import Path

from edge.atomic import read_json
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
    except (OSError, ValueError):
        run = {}
    created = str(run.get("created") or "")
    when = f"{created[:10]} {created[11:16]} UTC" if len(created) >= 16 else "at a time it did not record"
    by = f"cxr-edge {run['cxr_edge_version']}" if run.get("cxr_edge_version") else "an older cxr-edge"
    return (f"{out} already holds a finished run of these settings and films ({what}, trained {when} by {by}): "
            "nothing to do; --replace trains it again")
