"""cxr-evaluate --save-model: where a site's copy of a model, carrying its own threshold, may be written.
The copy is written by cxr-evaluate itself, once its report is in."""

from __future__ import annotations

import re
import sys
from pathlib import Path


def check_save_model(save_model: Path, model: Path, operating_point: str | None, keep_seen: bool = False) -> None:
    """Refuse a --save-model that cannot be written, or must not be: before minutes of reading images. A rule
    chosen with --keep-seen is not stored: the device would carry a promise drawn from the model's own training films."""
    from edge.cliutil import folder_problem

    if save_model.suffix != ".tflite":  # the copy is a .tflite, whatever its name
        raise ValueError(f"--save-model {save_model}: give a path ending in .tflite (the copy is a TFLite model)")
    if problem := folder_problem(save_model.parent):
        raise ValueError(f"--save-model: cannot write {save_model}: {problem}")
    if not operating_point:
        raise ValueError("--save-model needs --operating-point (the threshold to store)")
    if model.suffix != ".tflite":
        raise ValueError("--save-model needs a .tflite model (the rule is stored in its metadata)")
    if save_model.resolve() == model.resolve():
        raise ValueError("--save-model: give a new path; the original model file is kept as it is")
    if problem := run_model_file(save_model):
        raise ValueError(f"--save-model {save_model}: {problem}")
    if keep_seen:
        raise ValueError("--save-model refuses --keep-seen: the model answers the films it was trained or validated on "
                         "better than it will the site's next films, so a rule chosen on them, and what it promises, would "
                         "flatter it too; run without --keep-seen")


def run_model_file(path: Path) -> str | None:
    """Why ``path`` is not to be written: one of a run folder's own model files, which cxr-convert wrote and
    its report and run.json describe (a site's copy over model_fp32.tflite left the run with an int8 file
    under the fp32 name, and cxr-convert --report-only refusing it); else None."""
    if not re.fullmatch(r"model(_.*)?\.(tflite|keras)", path.name) or not (path.parent / "run.json").is_file():
        return None
    return (f"it is a model file of the run folder {path.parent} (model.tflite, model_*.tflite and model.keras are "
            "cxr-convert's and cxr-train's, which its report describes); write the site's copy under another name, "
            "e.g. outside the run folder")


def clear_killed_copies(save_model: Path) -> None:
    """Remove the temporary copies of ``save_model`` that a killed cxr-evaluate left beside it (a whole model
    each, hidden, in a folder no other cleanup visits); those of a writer still running are kept."""
    from edge.leftovers import clear_leftovers

    n, size = clear_leftovers(save_model.parent, (".",), of=save_model.name)
    if n:
        print(f"cxr-evaluate: note: removed {n} temporary cop{'ies' if n > 1 else 'y'} of {save_model} "
              f"({size / 2**20:.1f} MB) left by a cxr-evaluate that was killed", file=sys.stderr)
