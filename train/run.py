"""A cxr-train run: its settings, and its recipe: by default two training runs, the teacher ensemble in RUN/teacher,
then the student in RUN, distilled from it (run_training). Before training, a run already in --out is reused, replaced
or refused, and so is a teacher already in RUN/teacher; one training run itself is train.one_run._train."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from train.data import DataError, Split
from edge.atomic import read_json
from edge.output import said_name
from train.film_changes import RecordDamaged
from train.one_run import _train
from train.prepare import data_changed, data_text, log
from train.teacher_split import say_teacher_warnings, teacher_changed
from train.prepared import forget
from train.run_edits import edited_run
from train.run_folders import check_folders
from train.settings_check import TEACHER_VIEWS, check_settings
from train.members import clear_members
from train.rerun import converted_run_kept, nothing_to_do, retrain_reason
from train.resume import STOPPED, finished_run, other_settings, settings_said
from train.run_record import RunRecordDamaged, model_damage, run_record_problem, split_damage
from train.split_rules import older_split_rules


@dataclass
class TrainSettings:
    data: str
    out: Path
    classes: list[str] | None = None
    arch: str = "compact"
    members: int = 1  # >1: a deep ensemble in one file (models.average_logits)
    epochs: int | None = None  # None: train.one_run.auto_epochs(), from the training set's size
    batch_size: int = 32
    image_size: int = 128
    learning_rate: float = 2e-3
    patience: int | None = None  # None: half the epochs (at least 20)
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    holdout_source: str | None = None
    add_data: list[str] = field(default_factory=list)  # more labelled folders joining the data (train.extra_data)
    class_map: str | None = None  # --class-map FOLDER=CLASS,... for the added folders' class folders
    teacher: str | None = None  # a finished run folder: distil its model, on its frozen split
    # Train an ensemble of this many first, then distil it (without --teacher, with members 1).
    # None: 3 for compact; 0 for seed, the tutorial's baseline, which is trained as the tutorial did.
    teacher_members: int | None = None
    teacher_view: str = "same"  # what the teacher sees while distilling: "same" or "unmoved" (train.distill)
    consistency: float = 0.0  # weight of the distilled model's two-view agreement term (train.distill)
    mixstyle: float = 0.0  # per-batch probability of MixStyle in training (train.models.MixStyle); 0: off
    augment: bool = True
    synthetic_count: int = 80
    seed: int = 0
    progress: bool = True
    replace: bool = False  # --replace: train over a finished run in --out that had other settings


def run_training(s: TrainSettings) -> Path:
    """Train, calibrate and write the run folder; returns its path.

    The default recipe has two steps: an ensemble of ``teacher_members`` models (kept in
    RUN/teacher) and then one model of the same size that learns from it (knowledge
    distillation). The shipped model costs the device no more than a plain one; on cxr-dev at
    0.9.0 students had a lower log-loss and less seed-to-seed spread than their teachers' own
    members on every task, and over three splits were level on COVID vs Normal and 2.5 points
    ahead on 4 classes (benchmarks/RESULTS.md), at about 5 times the training time.
    """
    n_teacher = check_settings(s)
    check_folders(s)
    out = Path(s.out)
    from train.run_lock import made_by_lock

    created = [d for d in (out, *out.parents) if not d.exists() or made_by_lock(d)]  # the lock's: made for its file
    try:
        found, damaged = finished_run(out, s, n_teacher), None
    except RunRecordDamaged as e:  # no run to compare, and no stopped one: an hour's model beside a record gone bad
        if not s.replace:
            raise DataError(f"--out {said_name(str(out))} holds a run whose run.json is damaged ({e.why}): restore it from a copy of "
                            "the run, or --replace to train over it") from None
        found, damaged = None, e.why
    if not s.replace and (why := edited_run(out)) is not None:  # before "nothing to do" or "going on"
        raise DataError(why)
    if found:
        what, differ, said = found
        other = f" trained with {said}" if differ else ""
        # not a setting, but what a user comparing the two runs must hear; for the same folders and classes only
        # (another --data or --classes lists other films, which were never the run's: that setting is said)
        changed = None
        if not {"data", "add_data", "classes", "class_map"} & set(differ):
            try:
                if changed := data_changed(out, s):
                    other += f"; {changed} since it was trained"
            except RecordDamaged as e:  # not "no record, an older run": whether the films changed cannot be told
                other += f"; {e}, so whether the films in {data_text(s)} changed since cannot be told"
        # the default recipe's student learnt from RUN/teacher: one trained again there since is another teacher
        # (where the teacher asked for is itself the setting that differs, it was never this run's to change)
        if "teacher" not in differ:
            other += teacher_changed(out, s.teacher or (str(out / "teacher") if n_teacher and s.members == 1 else None))
        if differ and not s.replace:  # an hour's model is not thrown away for a mistyped --out
            raise DataError(f"--out {said_name(str(out))} holds a finished run ({what}){other}: give another --out to keep it, or "
                            "--replace to train over it")
        again = ""
        if not differ and not s.replace and not other:  # a make-like second call: the run is what this one would make
            if not (other := retrain_reason(out, changed)):
                log(nothing_to_do(out, what))
                return out
            again = ": training it again"
        # every retrain without --replace (differ is [] here, so other says why): its .tflite files' split is kept
        if not s.replace and (why := converted_run_kept(out, what, other.removeprefix("; "), bool(changed))):
            raise DataError(why)
        log(f"replacing the finished run in {said_name(str(out))} ({what}){other}{again}")
    elif damaged:
        log(f"replacing the run in {said_name(str(out))}, whose run.json is damaged ({damaged})")
    elif (out / "run.json").is_file() and (why := run_record_problem(out)) is not None:
        if (damage := split_damage(out)) and not s.replace:  # no stopped retrain writes a damaged one: atomic
            raise DataError(f"--out {said_name(str(out))} holds a run whose split.json is damaged ({damage}): restore it from a "
                            "copy of the run, or --replace to train over it")
        if (cut := model_damage(out)) and not s.replace:  # nor a cut-short model: it went on and trained over it
            raise DataError(f"--out {said_name(str(out))} holds a damaged run ({cut}): restore it from a copy of the run, or "
                            "--replace to train over it")
        log(f"going on in {said_name(str(out))}, where a cxr-train was stopped before it finished: {why}")
    try:
        return _recipe(s, n_teacher)
    except BaseException as e:
        for d in created:  # a run that failed before writing anything leaves no empty folders behind
            if isinstance(e, DataError):  # nor the synthetic set it generated for a run refused
                for generated in sorted(d.rglob("synthetic-data"), key=lambda p: -len(p.parts)):
                    shutil.rmtree(generated, ignore_errors=True)
            _remove_empty(d)
        raise


def _remove_empty(folder: Path) -> None:
    if folder.is_dir():
        for sub in sorted(folder.rglob("*"), key=lambda p: -len(p.parts)):
            if sub.is_dir() and not any(sub.iterdir()):
                sub.rmdir()
        if not any(folder.iterdir()):
            folder.rmdir()


AS_TEACHER = {"members": "--teacher-members"}  # the recipe's teacher: its members are the student's --teacher-members


def _recipe(s: TrainSettings, n_teacher: int) -> Path:
    if s.teacher or s.members > 1 or n_teacher == 0:
        return _train(s)
    from train.run_lock import run_folder_lock

    # RUN/teacher is a run folder of its own, with a lock of its own: a cxr-convert RUN/teacher beside this one (whose
    # lock is RUN's) put the old teacher's .tflite files and report beside the new teacher. Held while step 1 writes it
    # and step 2 reads it.
    with run_folder_lock(Path(s.out) / "teacher", "cxr-train", create=True):
        return _teacher_and_student(s, n_teacher)


def _teacher_and_student(s: TrainSettings, n_teacher: int) -> Path:
    t0 = time.time()
    teacher_dir = Path(s.out) / "teacher"
    # The teacher view only concerns the student: a teacher is reused whichever one is asked for.
    ts = replace(s, out=teacher_dir, members=n_teacher, teacher_members=0, teacher_view=TEACHER_VIEWS[0], consistency=0.0)
    try:
        differ, damaged = other_settings(teacher_dir, ts), None
    except RunRecordDamaged as e:  # an hour's teacher beside a record gone bad: not "no teacher there"
        if not s.replace:
            raise DataError(f"--out {said_name(str(s.out))} holds a finished teacher in {said_name(str(teacher_dir))} whose run.json is damaged "
                            f"({e.why}): --replace to train over it") from None
        differ, damaged = None, e.why
    differ = differ if differ is None else [k for k in differ if k != "out"]  # the run folder moved or renamed
    if differ and not s.replace and (settings := [k for k in differ if k != STOPPED]):
        # the same guard as a finished run's: a stopped run's finished teacher is an hour's model too
        raise DataError(f"{said_name(str(teacher_dir))} holds the finished teacher of a stopped run, trained with "
                        f"{settings_said(teacher_dir, ts, settings, AS_TEACHER)}: give the settings it was trained with to go on "
                        "with it, another --out to keep it, or --replace to train over it")
    changed = unreadable = None
    try:
        changed = data_changed(teacher_dir, ts) if differ == [] else None
    except RecordDamaged as e:  # not "an older cxr-train without a record", whose teacher is reused
        unreadable = e
    older = older_split_rules(teacher_dir) if differ == [] and not changed and not unreadable else None
    if differ == [] and not changed and not older and not unreadable:
        same = "the same settings and films" if changed == "" else (
            "the same settings; an older cxr-train trained it without a record of its films, so whether the films in "
            f"{data_text(s)} changed since could not be compared")
        log(f"step 1 of 2: reusing the teacher in {said_name(str(teacher_dir))} (finished with {same}; delete it to train it again)")
        # step 2 takes its split as its own: the teacher's data warnings said here, once
        say_teacher_warnings(read_json(teacher_dir / "run.json"), Split.load(teacher_dir / "split.json"))
        clear_members(teacher_dir)  # what a retrain of other settings, stopped there, left: its run is not this one
        forget(teacher_dir)
    else:
        again = f"; the finished one there was trained with {settings_said(teacher_dir, ts, differ, AS_TEACHER)}: replacing it" \
            if differ else ""
        if changed:
            again = f"; {changed} since the teacher was trained: training it again"
        if unreadable:  # the films may have changed: a teacher trained on others would teach the student
            again = f"; {unreadable}, so whether the films in {data_text(s)} changed since cannot be told: training it again"
        if damaged:
            again = f"; the finished one there has a damaged run.json ({damaged}): replacing it"
        if older:  # its student would learn on a split this version would not draw (a patient on both sides)
            again = (f"; the finished one there drew its split by the rules of {older}, which this version changed "
                     "(patients kept together, placeholders, synthetic folders): training it again")
        log(f"step 1 of 2: the teacher, an ensemble of {n_teacher} (in {said_name(str(teacher_dir))}){again}")
        _train(ts, last=False)
    log("step 2 of 2: one model of the same size, distilled from the teacher")
    return _train(replace(s, teacher=str(teacher_dir)), started=t0)
