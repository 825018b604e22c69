"""Which release's rules a finished run drew its split by. The rules that keep a patient's films on one side of
the split have changed with releases (SPLIT_RULES says when last); a finished teacher drawn by older rules is not
reused, nor a finished run kept as it is, and a stopped call's data phase is not taken up again
(train.prepared). version_of reads the version a run.json records."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edge.atomic import DamagedFile, read_json
from edge.capped_repr import capped_text


# The cxr-edge version from which splits are drawn by today's rules (0.26: a patient's films on one side;
# 0.27: also an --add-data folder's patients, and an id on too many films taken as a placeholder; 0.28: one
# patient's ids spelt two ways are one patient, and a placeholder is judged within its own folder; 0.21: a
# cxr-synth folder marks the model synthetic; 0.43: a DICOM film's patient from its header's PatientID; 0.44: also
# where a MANIFEST.csv with a patient column has no row for the film; 0.45: such a film whose PatientID is one the
# manifest names is that patient). A
# finished teacher drawn by older rules is not reused: its student would take that split, and be called trained
# by this version.
SPLIT_RULES = (0, 45, 0)


def version_of(text: Any) -> tuple[int, ...] | None:
    """'0.37.0' as (0, 37, 0); None where a run.json names no version, or none that reads as one."""
    try:
        return tuple(int(p) for p in str(text).split(".")[:3])
    except ValueError:
        return None


def older_split_rules(run_dir: Path) -> str | None:
    """'cxr-edge 0.24.0' where the finished run in ``run_dir`` drew its split by older rules than
    SPLIT_RULES (its run.json names no version: older still), else None."""
    try:
        made = read_json(Path(run_dir) / "run.json").get("cxr_edge_version")
    except (OSError, DamagedFile):
        return None
    version = version_of(made)
    if version is not None and version >= SPLIT_RULES:
        return None
    return f"cxr-edge {capped_text(made)}" if made else "a cxr-edge older than 0.5"  # an edit of any length: cut
