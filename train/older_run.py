"""Whether a run folder made before run.json recorded its split (split_digest: cxr-edge 0.19 and older)
still holds the split its model was trained on.

A newer cxr-train --replace over such a folder writes its new split.json (then cache/ and
prepared.json) long before its run.json: stopped there (killed, a power cut), it leaves the old
run.json and model.keras beside a split the model never saw, and nothing records which split the
model had. The folder still tells, from what the old run.json does record and from what only an
unfinished newer call leaves.
"""

from __future__ import annotations

import json
from pathlib import Path


def split_not_the_runs(run_dir: Path, run: dict) -> bool:
    """Whether the split.json in ``run_dir`` cannot be the split of the run that ``run`` (its run.json,
    without split_digest) describes: a newer cxr-train's record of a stopped call (prepared.json, gone
    once a run finishes, so never beside a finished run.json of its own), or a split drawn with another
    seed or of other sizes than run.json counted. split.json's date is no sign: a user whose data
    folder moved is told to set its data_dir anew, which makes it newer than the model."""
    run_dir = Path(run_dir)
    if (run_dir / "prepared.json").is_file():
        return True
    try:
        split = json.loads((run_dir / "split.json").read_text())
        settings = run.get("settings") or {}
        # a student's split is its teacher's, drawn with the teacher's seed
        if not settings.get("teacher") and "seed" in split and settings.get("seed", split["seed"]) != split["seed"]:
            return True
        return run.get("counts") is not None and split.get("counts") is not None and run["counts"] != split["counts"]
    except (OSError, ValueError, TypeError, AttributeError):
        return False  # what cannot be read is judged by the caller, which read the same files
