"""Where a run may be written: never among the films (a class folder of --data or of an --add-data
folder, or --data itself), never over its --teacher. Checked before TensorFlow loads (cxr-train)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from train.data import DataError
from edge.output import said_name
from train.prepared import PREPARED

if TYPE_CHECKING:
    from train.run import TrainSettings


def check_folders(s: TrainSettings) -> None:
    """Refuse (DataError) an --out that is a file or would sit among the films, and a --teacher that
    is no finished run or is --out itself. Quick, so cxr-train says it before TensorFlow loads."""
    out = Path(s.out)
    if out.exists() and not out.is_dir():
        raise DataError(f"--out {said_name(str(out))} is a file; give a folder for the run")
    if s.data != "synthetic" and Path(s.data).is_dir() and out.resolve() == Path(s.data).resolve():
        raise DataError(f"--out {said_name(str(out))} is the data folder: the run's files (cache/, model.keras, ...) would sit among "
                        "its class folders, and the next run would take cache/ for a class; give the run a folder of "
                        "its own (e.g. runs/NAME)")
    if s.data != "synthetic" and (folder := class_folder_holding(Path(s.data), out)):
        raise DataError(f"--out {said_name(str(out))} lies in the class folder {said_name(str(folder))}: the run would be trained without that class "
                        "(its folder now holds a run) and would leave its files among the films; give the run a "
                        f"folder outside the data folder (e.g. {said_name(str(Path(s.data).parent / 'runs' / out.name))})")
    if s.teacher and Path(s.teacher).resolve() == out.resolve():
        raise DataError(f"--teacher {said_name(str(s.teacher))} is the --out folder: the student would be written over its teacher")
    if s.teacher and not all((Path(s.teacher) / f).is_file() for f in ("run.json", "model.keras")):
        raise DataError(f"--teacher {said_name(str(s.teacher))} is not a finished cxr-train run folder (needs run.json and model.keras)")
    for d in s.add_data:  # --data/run is skipped as a run folder; a site's folder is no place for one
        if out.resolve() == Path(d).resolve() or Path(d).resolve() in out.resolve().parents:
            raise DataError(f"--out {said_name(str(out))} lies in --add-data {said_name(str(d))}: the run's files (cache/, model.keras, ...) would sit "
                            "among its films, and the next run would take them for films or a class; give the run a "
                            "folder of its own (e.g. runs/NAME)")


def class_folder_holding(data: Path, out: Path) -> Path | None:
    """The folder of --data that --out is or lies in, where that folder holds films (a class folder); None
    for an --out outside --data, or in a folder of its own there (data/run, data/runs/r2). A run in
    data/Normal trained a model without Normal, said in a note only, and its run.json hid Normal from every
    later run. Runs (finished or stopped) and their pictures are no films."""
    if not data.is_dir():
        return None
    data, mine = data.resolve(), out.resolve()
    if data not in mine.parents:
        return None
    top = data / mine.relative_to(data).parts[0]
    if not top.is_dir() or _is_run(top):  # a new folder, or a run (a stopped one's --out is its own folder)
        return None
    from edge.film_files import is_image_name

    for root, dirs, files in os.walk(top):  # the first film decides: a class folder may hold thousands
        dirs[:] = [d for d in dirs if Path(root) / d != mine and not _is_run(Path(root) / d)]
        if any(is_image_name(f) for f in files):
            return top
    return None


def _is_run(folder: Path) -> bool:
    """Whether a folder is a cxr-edge run, finished or stopped after its data phase (its own or its teacher's
    prepared.json, written by cxr-edge). A name alone (a class folder's cache/ or teacher/ sub-folder) is no run."""
    from train.class_folders import not_a_class

    if not_a_class(folder) is not None:
        return True
    for record in (folder / PREPARED, folder / "teacher" / PREPARED):
        try:
            if {"cxr_edge_version", "data_fingerprint"} & set(json.loads(record.read_text())):  # 0.27's had no version
                return True
        except (OSError, ValueError, TypeError):
            continue
    return False
