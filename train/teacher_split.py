"""A student's data: its teacher's frozen split and cached inputs, and what a teacher run's records say
(its settings, its model, whether it was trained again since a student learnt from it)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from edge.atomic import DamagedFile, read_json
from edge.output import said_name
from edge.preprocess import PreprocessConfig
from train.class_names import same_class_key
from train.data import DataError, Split
from train.scan import film_file
from train.prepare import log
from train.data_warnings import recorded_warnings
from train.split_notes import split_warnings
from train.run_record import run_record_said
from train.split_rules import older_split_rules
from train.split_synthetic import synthetic_unrecorded
from train.misspelt_folders import student_note

if TYPE_CHECKING:
    from train.run import TrainSettings


def teacher_data(s: TrainSettings, config: PreprocessConfig) -> tuple[Split, dict[str, np.ndarray], dict]:
    """The teacher run's frozen split and cached inputs: the student must never see the images
    the teacher was validated or tested on, so it takes the teacher's split as it is."""
    from train.cache import load_part

    tdir = Path(s.teacher)
    if not (tdir / "run.json").is_file() or not (tdir / "model.keras").is_file():
        raise DataError(f"--teacher {tdir} is not a finished cxr-train run folder (needs run.json and model.keras)")
    trun = read_json(tdir / "run.json")
    if PreprocessConfig.from_dict(trun["preprocess"]) != config:
        raise DataError(f"--teacher {tdir} was trained on other inputs ({trun['preprocess']}); the student needs "
                        f"the same architecture family and --image-size ({config.to_dict()})")
    own = tdir.resolve() == (Path(s.out) / "teacher").resolve()  # step 1 of the default recipe, same settings
    if not own and (differ := [k for k, v in teacher_split_settings(tdir).items() if getattr(s, k) != v]):
        log(f"--teacher: using the teacher's data and split ({trun['settings']['data']}); {', '.join(differ)} are taken "
            "from it, as is --seed's split")
    if not own and (older := older_split_rules(tdir)):
        log(f"warning: --teacher {tdir} drew its split by the rules of {older}, which this version changed (patients "
            "kept together, placeholders, synthetic folders): the student takes that split as it is; train the teacher "
            "again for one drawn by today's rules")
    if why := run_record_said(tdir, "its cxr-train command"):  # its split would hold films its model trained on
        from train.run_lock import being_written

        # the default recipe's own teacher is locked by this process: never another's retrain in progress
        said = (not own and being_written(tdir)) or f"{tdir}: {why}"
        raise DataError(f"--teacher {said}")
    split = Split.load(tdir / "split.json")
    if trun.get("split_digest") not in (None, split.digest()):  # run.json read above is another run's now
        raise DataError(_rewritten(tdir))
    if problem := classes_problem(s.classes, split.classes):
        raise DataError(problem)
    if gone := missing_films(split):
        films = f"{len(gone)} films of the teacher's split no longer exist" if len(gone) > 1 else \
            "1 film of the teacher's split no longer exists"
        log(f"warning: {films} ({tdir / 'split.json'}), e.g. "
            f"{Path(split.data_dir) / gone[0]}: the student learns from the copies cached before they went, and "
            "cxr-convert scores them; if they were removed on purpose (a wrong label, a copy), train the teacher again")
    if not own:  # said when the teacher's split was drawn, on that call's stderr alone; the default recipe's step 1
        say_teacher_warnings(trun, split)
        if note := student_note(recorded_warnings(trun.get("data_warnings")) or [], str(tdir)):
            log(note)  # the warning's own way on is the teacher's command's
    if found := synthetic_unrecorded(trun, split, f"--teacher's {said_name(str(tdir / 'run.json'))}", "the student is"):
        split.notes = {**split.notes, **found[0]}  # saved as the student's split.json, and its run.json's marks
        log(found[1])
    arrays = {part: load_part(tdir, split, part, config, s.progress, rewrite=own)[0] for part in split.parts}
    return split, arrays, {"hygiene": trun["data_hygiene"], "skipped": trun["skipped_files"],
                           "audit": trun.get("shortcut_audit"),
                           "teacher": {"run": str(tdir.resolve()), "members": trun.get("members", 1),
                                       "seconds": trun.get("seconds"),
                                       # which teacher, once its folder holds another: its model and split
                                       "model_sha256": trun.get("model_sha256"), "split_digest": trun.get("split_digest")},
                           "data": trun.get("data_fingerprint"), "warnings": recorded_warnings(trun.get("data_warnings"))}


def say_split_warnings(split: Split) -> None:
    """The warnings about few films of a class in a split taken as it is (a teacher's, reused by a student or
    by the default recipe's step 1), from its counts and split.json's note of few patients
    (train.prepare.split_warnings): a student of a teacher trained an hour ago is as rough on them."""
    for note in split_warnings(split.parts, split.classes, split.notes.get("few_units")):
        log(f"warning: {note}")


def say_teacher_warnings(trun: dict, split: Split) -> None:
    """The warnings the teacher's data phase said (its run.json's data_warnings: copies, a shortcut the archives
    offer, films without a MANIFEST.csv row, few films in a split), said again for the student that takes its split:
    a default run stopped in step 2 and run again said only the few-films ones, and whoever read that terminal alone
    missed the rest (review 73c). A teacher of an earlier version, without them: the few-films warnings."""
    said = recorded_warnings(trun.get("data_warnings"))
    if said is None:
        say_split_warnings(split)
    for line in said or ():
        log(line)


def teacher_model(teacher: str | Path, model_sha256: str | None, out: Path):
    """The teacher's model.keras, which must be the model its run.json recorded when its split was taken
    (``model_sha256``, teacher_data's): a teacher trained again meanwhile (cxr-train --replace) taught a
    student whose test films it had trained on. Read from a copy whose digest is checked, so the model
    loaded is the one checked."""
    import shutil

    import keras

    from edge.atomic import temporary_file
    from edge.digest import file_sha256

    tdir = Path(teacher)
    with temporary_file(Path(out) / "teacher.keras") as tmp:  # a killed run's copy goes with the run lock's cleanup
        shutil.copyfile(tdir / "model.keras", tmp)
        if model_sha256 is not None and file_sha256(tmp) != model_sha256:
            raise DataError(_rewritten(tdir))
        return keras.models.load_model(tmp, compile=False)


def _rewritten(tdir: Path) -> str:
    return (f"--teacher {tdir} changed while this student was prepared (a cxr-train wrote another model there?): its "
            "model.keras is not the model whose split the student took, and may have trained on the student's test "
            "films; nothing was trained: run this again once nothing writes the teacher's folder")


# synthetic_count: how many films a class the teacher's built-in synthetic set had, which the student learns on
SPLIT_SETTINGS = ("data", "add_data", "class_map", "holdout_source", "val_fraction", "test_fraction", "synthetic_count")


def teacher_record(teacher: str | Path) -> dict:
    """A teacher run's run.json, or {} where it cannot be read (teacher_data then says why)."""
    try:
        run = read_json(Path(teacher) / "run.json")
    except (OSError, DamagedFile):
        return {}
    return run if isinstance(run, dict) else {}


def teacher_changed(out: Path, teacher: str | Path | None) -> str:
    """'; its teacher ... was trained again since' where the finished student in ``out`` recorded another
    model of ``teacher`` than the one there now (a student replaced for it said no reason), else ''."""
    if not teacher:
        return ""
    try:
        had = (read_json(Path(out) / "run.json").get("teacher") or {}).get("model_sha256")
    except (OSError, ValueError, AttributeError):
        return ""
    now = teacher_record(teacher).get("model_sha256")
    return f"; its teacher {teacher} was trained again since (another model and split)" if had and now and had != now else ""


def classes_problem(classes: list[str] | None, teacher_classes: list[str] | None) -> str | None:
    """Why --classes cannot name a student's classes, or None: a student learns its teacher's classes,
    so --classes may only name them again (in their order, spelt as cxr-train matches folders)."""
    if classes and teacher_classes and [same_class_key(c) for c in classes] != [same_class_key(c) for c in teacher_classes]:
        return (f"--classes {','.join(classes)} {'differs' if len(classes) == 1 else 'differ'} from the teacher's "
                f"{','.join(teacher_classes)} (a student learns its teacher's classes, in their order)")
    return None


def teacher_classes(teacher: str | Path) -> list[str] | None:
    """The classes a teacher run's run.json records, or None where it cannot tell (teacher_data then says why)."""
    classes = teacher_record(teacher).get("classes")
    return classes if isinstance(classes, list) and all(isinstance(c, str) for c in classes) else None


def teacher_split_settings(teacher: str | Path) -> dict:
    """The settings that made a teacher run's split, as its run.json records them: a student learns on
    that split, and records them as its own."""
    settings = teacher_record(teacher).get("settings")
    settings = settings if isinstance(settings, dict) else {}
    return {k: settings[k] for k in SPLIT_SETTINGS if k in settings}


def missing_films(split: Split) -> list[str]:
    """The films of a frozen split that are gone from their folder: a student (and cxr-convert)
    would still use their cached inputs, so the user must hear that the split is out of date."""
    return [i.path for v in split.parts.values() for i in v if not film_file(split.data_dir, i.path).exists()]
