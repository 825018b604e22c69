"""One training run, top to bottom: data -> split -> cache -> fit -> calibrate -> run folder.

By default a run is two of these: the teacher ensemble in RUN/teacher, then the student in RUN
(run_training); _train is one of them. Its data come from train.prepare."""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from edge import __version__
from edge.preprocess import PreprocessConfig
from edge.atomic import write_json
from train.audit import balanced_accuracy
from train.cache import save_cache, save_cache_from
from train.data import DataError, Split
from train.environment import threads, versions
from train.film_changes import RecordDamaged
from train.prepare import data_changed, data_text, log, prepare_data
from train.teacher_split import say_split_warnings, teacher_changed, teacher_data, teacher_model
from train.prepared import PREPARED, forget, prepared_arrays, reusable, save_prepared, stopped_after_data
from train.progress import keras_verbose
from train.run_folders import check_folders
from train.validation_notes import apart_from_chance, no_signal, probabilities_only, signal_warning, weights_line
from train.settings_check import TEACHER_VIEWS, check_settings
from train.members import clear_members, load_member, save_member
from train.rerun import converted_run_kept, nothing_to_do, retrain_reason
from train.resume import (STOPPED, RunRecordDamaged, file_sha256, fingerprint, finished_run, older_split_rules,
                          other_settings, run_record_problem, settings_dict, settings_said, split_damage)


# What cxr-convert writes into a run folder besides the model_MODE.tflite files (convert.quantize,
# convert.quant_report, convert.report.occlusion_section): stale once the model is trained again.
CONVERT_FILES = ("model.tflite", "report.json", "report.md", "confusion_matrices.png", "sensitivity.png", "roc.png",
                 "reliability.png", "operating_points.png", "occlusion.png")


@dataclass
class TrainSettings:
    data: str
    out: Path
    classes: list[str] | None = None
    arch: str = "compact"
    members: int = 1  # >1: a deep ensemble in one file (models.average_logits)
    epochs: int | None = None  # None: auto_epochs(), from the training set's size
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


def auto_epochs(steps_per_epoch: int, budget_steps: int = 4000, lo: int = 15, hi: int = 120) -> int:
    """Epochs for about ``budget_steps`` optimizer steps, within [lo, hi].

    With strong augmentation a small set keeps improving for a long time (cxr-dev COVID vs
    Normal, 17 steps an epoch: validation loss still falling at epoch 60, best near 75 of 120),
    while the full 21k-image Kaggle database needs far fewer passes; a step budget serves both.
    """
    return int(min(hi, max(lo, np.ceil(budget_steps / max(1, steps_per_epoch)))))


def default_patience(epochs: int) -> int:
    """Half the epochs, at least 20: on small sets the validation loss is noisy while the
    learning rate is still high, and a short patience stops in that noise."""
    return max(20, epochs // 2)


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
            raise DataError(f"--out {out} holds a run whose run.json is damaged ({e.why}): --replace to train over "
                            "it") from None
        found, damaged = None, e.why
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
            raise DataError(f"--out {out} holds a finished run ({what}){other}: give another --out to keep it, or "
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
        log(f"replacing the finished run in {out} ({what}){other}{again}")
    elif damaged:
        log(f"replacing the run in {out}, whose run.json is damaged ({damaged})")
    elif (out / "run.json").is_file() and (why := run_record_problem(out)) is not None:
        if (damage := split_damage(out)) and not s.replace:  # no stopped retrain writes a damaged one: atomic
            raise DataError(f"--out {out} holds a run whose split.json is damaged ({damage}): --replace to train "
                            "over it")
        log(f"going on in {out}, where a cxr-train was stopped before it finished: {why}")
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
            raise DataError(f"--out {s.out} holds a finished teacher in {teacher_dir} whose run.json is damaged "
                            f"({e.why}): --replace to train over it") from None
        differ, damaged = None, e.why
    differ = differ if differ is None else [k for k in differ if k != "out"]  # the run folder moved or renamed
    if differ and not s.replace and (settings := [k for k in differ if k != STOPPED]):
        # the same guard as a finished run's: a stopped run's finished teacher is an hour's model too
        raise DataError(f"{teacher_dir} holds the finished teacher of a stopped run, trained with "
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
        log(f"step 1 of 2: reusing the teacher in {teacher_dir} (finished with {same}; delete it to train it again)")
        say_split_warnings(Split.load(teacher_dir / "split.json"))  # step 2 takes it as its own: said here, once
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
        log(f"step 1 of 2: the teacher, an ensemble of {n_teacher} (in {teacher_dir}){again}")
        _train(ts, last=False)
    log("step 2 of 2: one model of the same size, distilled from the teacher")
    return _train(replace(s, teacher=str(teacher_dir)), started=t0)


def _train(s: TrainSettings, last: bool = True, started: float | None = None) -> Path:
    """One training run (a model, an ensemble, or a student of ``s.teacher``) into ``s.out``."""
    from train.calibration import fit_temperature, information_gain, nll, unconstrained_note
    from train.models import CHANNELS, average_logits, build, inference_copy

    t0 = time.time()
    out = Path(s.out)
    out.mkdir(parents=True, exist_ok=True)
    # an earlier call got this far: no run.json yet, or a retrain (--replace) stopped beside the earlier run's
    stopped = (out / "split.json").is_file() and (not (out / "run.json").is_file() or stopped_after_data(out))
    config = PreprocessConfig(size=s.image_size, channels=CHANNELS[s.arch])
    found = reusable(out, s, config) if stopped and not s.teacher else None
    if found is not None:
        split, notes = found
        log(f"going on from the split and inputs an earlier call prepared in {out} (the same data settings and films, "
            "so they are not searched for copies or split again, and read again only where their cache is missing; its "
            f"warnings about them are in {PREPARED}, and will be in run.json)")
        arrays = prepared_arrays(out, split, config, s.progress)
    else:
        split, arrays, notes = teacher_data(s, config) if s.teacher else prepare_data(s, config)
        split.save(out / "split.json")
        for part, x in arrays.items():
            if s.teacher:  # its teacher's split: the same rows as the teacher's cache
                save_cache_from(Path(s.teacher), out, part, x, split.parts[part], config)
            else:
                save_cache(out, part, x, split.parts[part], config)
        if not s.teacher:
            save_prepared(out, s, config, notes)
    ys = {k: np.array([split.classes.index(i.label) for i in v]) for k, v in split.parts.items()}
    counts = {k: len(v) for k, v in split.parts.items()}
    log(f"split: {counts} (frozen in {out / 'split.json'})")

    from train.fit import (FitConfig, StopOnInterrupt, class_weights, fit, interrupts_at_batch_ends, logits_of,
                           save_history, save_model)

    steps = int(np.ceil(len(arrays["train"]) / s.batch_size))
    epochs = s.epochs or auto_epochs(steps)
    n_members = s.members
    patience = s.patience or default_patience(epochs)
    teacher = teacher_model(s.teacher, notes["teacher"]["model_sha256"], out) if s.teacher else None
    members, histories = [], []
    reused_seconds = 0.0  # training time of the members an earlier, stopped call finished
    fp = fingerprint(s, out)
    fc = FitConfig(epochs=epochs, batch_size=s.batch_size, learning_rate=s.learning_rate, patience=patience,
                   # Keras's bar redraws with terminal codes: a log file gets one line an epoch, and so does a
                   # terminal that cannot show '━' or asks for no colour (NO_COLOR, TERM=dumb).
                   augment=s.augment, seed=s.seed, verbose=keras_verbose(s.progress),
                   teacher_view=s.teacher_view, consistency=s.consistency if teacher else 0.0)
    for k in range(n_members):
        of = f" (member {k + 1} of {n_members})" if n_members > 1 else ""
        saved = load_member(out, k, fp)
        if saved is not None:  # finished by an earlier call of this command, with the same settings and split
            log(f"reusing the model{of} that an earlier call finished")
            members.append(saved[0])
            histories.append(saved[1])
            reused_seconds += saved[2]
            continue
        if stopped:
            log(f"an earlier call stopped before it finished this model{of}: it starts again from epoch 1 (models it "
                "finished with these settings and this split are kept, epochs are not)")
            stopped = False
        # A Ctrl-C while a member is built or saved, inside TensorFlow, could be printed as 'Exception ignored' and
        # lost: the ensemble trained on to its end (a CI run saw it). Routed to a flag, it stops at the next check.
        stop = StopOnInterrupt()
        with interrupts_at_batch_ends(stop):
            # Member k starts from seed + k: its own initialisation and augmentation stream, the same split.
            member = build(s.arch, s.image_size, len(split.classes), seed=s.seed + k, steps_per_epoch=steps,
                           mixstyle=s.mixstyle)
            stop.check()
            by = f", distilled from {s.teacher} ({teacher.count_params():,} parameters)" if teacher else ""
            log(f"training {s.arch} ({member.count_params():,} parameters) for up to {epochs} epochs{of}{by}")
            t_member = time.time()
            histories.append(fit(member, (arrays["train"], ys["train"]), (arrays["val"], ys["val"]),
                                 len(split.classes), replace(fc, seed=s.seed + k), out, teacher=teacher))
            members.append(inference_copy(member))
            save_member(out, k, members[-1], histories[-1], fp, time.time() - t_member)
    model = average_logits(members)
    save_model(model, out / "model.keras")
    save_history(histories, out)

    val_logits = logits_of(model, arrays["val"])
    temperature = fit_temperature(val_logits, ys["val"])
    # The weights fit() gave each class's films in the loss: train.fit.class_weights of the train split.
    weights = {c: w for c, w in zip(split.classes, class_weights(ys["train"], len(split.classes)).values())}
    val_acc = float((val_logits.argmax(1) == ys["val"]).mean())
    gain, apart = information_gain(val_logits, ys["val"], temperature), apart_from_chance(val_logits, ys["val"],
                                                                                         len(split.classes))
    run = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cxr_edge_version": __version__,
        "settings": settings_dict(s),
        "workdir": os.getcwd(),  # where the folders in settings were typed from (train.resume)
        # as typed: a distilled run's settings are the student's (its teacher is RUN/teacher), not a command to type
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "fit": {**fc.to_dict(), "seed": s.seed, "class_weights": weights},
        "arch": s.arch,
        "members": n_members,
        "teacher": None if teacher is None else {**notes["teacher"], "parameters": int(teacher.count_params())},
        "parameters": int(model.count_params()),
        "classes": split.classes,
        "preprocess": config.to_dict(),
        "synthetic_data": split.notes["synthetic"],
        "synthetic_share": split.notes.get("synthetic_share"),  # where cxr-synth's films were found among the data's
        "temperature": float(temperature),
        "validation": {"accuracy": val_acc, "nll_before": nll(val_logits, ys["val"], 1.0),
                       "nll_after": nll(val_logits, ys["val"], temperature),
                       "information_gain": gain,
                       "balanced_accuracy": balanced_accuracy(ys["val"], val_logits.argmax(1)),
                       # no signal in the probabilities, nor in the answers (convert.gate.no_signal_line reads it)
                       "no_signal": no_signal(gain, apart),
                       "temperature_note": unconstrained_note(val_logits, ys["val"], temperature),
                       "member_accuracy": [float((logits_of(m, arrays["val"]).argmax(1) == ys["val"]).mean())
                                           for m in members]},
        "best_epoch": [h["best_epoch"][0] for h in histories],
        "epochs_run": [len(h["loss"]) for h in histories],
        "counts": {k: {c: int((ys[k] == j).sum()) for j, c in enumerate(split.classes)} for k in ys},
        "data_fingerprint": notes.get("data"),  # the films as found (train.film_changes.data_fingerprint)
        # the split this model was trained on: a retrain stopped after writing its new split.json
        # leaves that beside this model, and cxr-convert must not score the model on it
        "split_digest": split.digest(),
        "model_sha256": file_sha256(out / "model.keras"),  # and the model it describes (train.resume.run_record_problem)
        "data_hygiene": notes["hygiene"],
        "shortcut_audit": notes["audit"],
        "skipped_files": notes["skipped"],
        "versions": versions(),
        "threads": threads(),  # the same weights need the same threads too (train.environment)
        # with the training of members an earlier, stopped call finished (not its data preparation)
        "seconds": round(time.time() - t0 + reused_seconds, 1),
        "seconds_this_call": round(time.time() - t0, 1),
        "seconds_with_teacher": round(time.time() - (started or t0) + reused_seconds, 1),
    }
    said = signal_warning(val_logits, ys["val"], temperature, gain,
                          weights_line(run["counts"]["train"], weights) is not None)
    # kept, as temperature_note is, for cxr-convert to carry on (convert.gate.calibration_line): it stopped at stderr
    run["validation"]["probabilities_note"] = said if probabilities_only(gain, apart) else None
    write_json(out / "run.json", run)
    clear_members(out)
    forget(out)
    if run["validation"]["temperature_note"]:
        log(f"warning: {run['validation']['temperature_note']}")
    if said:
        log(f"warning: {said}")
    now = time.time()  # written before this run began, or dated after now (a share whose clock is ahead): not ours
    stale = [p.name for p in (*sorted(out.glob("model_*.tflite")), *(out / n for n in CONVERT_FILES))
             if p.is_file() and not t0 <= p.stat().st_mtime <= now]
    if last and not run.get("teacher") and (out / "teacher" / "run.json").is_file():  # --replace, not distilled now
        log(f"warning: {out / 'teacher'} holds the teacher of an earlier model; this one learnt without a teacher: "
            "delete that folder, or it will be taken for this model's")
    if last and stale:
        log(f"warning: {', '.join(stale)} in {out} come from an earlier model; cxr-convert {out} replaces or removes them"
            + ("; to keep the earlier model's .tflite files (cxr-compare OLD NEW sets them against the new model), copy "
               "them elsewhere first" if any(n.endswith(".tflite") for n in stale) else ""))
    if last and (line := weights_line(run["counts"]["train"], weights)):
        log(line)
    # accuracy alone hid a model that calls most films of a small class the large one's (0.94, balanced 0.55)
    log(f"done in {run['seconds_with_teacher']} s: validation accuracy {val_acc:.3f}, balanced accuracy "
        f"{run['validation']['balanced_accuracy']:.3f}, "
        f"temperature {temperature:.2f}"
        + (f"; next: cxr-convert {out}" if last else ""))
    return out
