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

# A finished run writes split.json before it trains and run.json after, so split.json is the older
# file. A copy without its dates (cp -r, rsync without -t) writes them a moment apart in either
# order: only a split.json this much newer than the run's model and run.json is a later call's.
NEWER_SPLIT_S = 600


def _split_newer(run_dir: Path) -> bool:
    times = [(run_dir / n).stat().st_mtime for n in ("split.json", "run.json", "model.keras")]
    return times[0] > max(times[1:]) + NEWER_SPLIT_S


def split_not_the_runs(run_dir: Path, run: dict) -> bool:
    """Whether the split.json in ``run_dir`` cannot be the split of the run that ``run`` (its run.json,
    without split_digest) describes: a newer cxr-train's record of a stopped call (prepared.json, gone
    once a run finishes, so never beside a finished run.json of its own), a split drawn with another
    seed or of other sizes than run.json counted, or a split.json written well after the model."""
    run_dir = Path(run_dir)
    if (run_dir / "prepared.json").is_file():
        return True
    try:
        split = json.loads((run_dir / "split.json").read_text())
        settings = run.get("settings") or {}
        # a student's split is its teacher's, drawn with the teacher's seed
        if not settings.get("teacher") and "seed" in split and settings.get("seed", split["seed"]) != split["seed"]:
            return True
        if run.get("counts") is not None and split.get("counts") is not None and run["counts"] != split["counts"]:
            return True
        return _split_newer(run_dir)
    except (OSError, ValueError, TypeError, AttributeError):
        return False  # what cannot be read is judged by the caller, which read the same files
