"""One training run, top to bottom: data -> split -> cache -> fit -> calibrate -> run folder.

train.run's recipe calls _train once or twice (the teacher ensemble in RUN/teacher, then the student in RUN), after
deciding whether a run already in the folder is reused, replaced or refused; what one run does reads here, apart from
that. Its data come from train.prepare (or, for a student, train.teacher_split)."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from edge import __version__
from edge.preprocess import PreprocessConfig
from edge.atomic import write_json
from edge.output import said_name
from edge.shell_words import command_text
from train.audit import balanced_accuracy
from train.cache import save_cache, save_cache_from
from train.environment import threads, versions
from train.prepare import log, prepare_data
from train.teacher_split import say_split_warnings, teacher_data, teacher_model
from train.prepared import PREPARED, forget, prepared_arrays, reusable, save_prepared, stopped_after_data
from train.progress import keras_verbose
from train.split_notes import given_origins, split_line
from train.validation_notes import apart_from_chance, no_signal, probabilities_only, signal_warning, weights_line
from train.members import clear_members, load_member, save_member
from edge.digest import file_sha256
from edge.figures import counted
from train.resume import fingerprint, settings_dict

if TYPE_CHECKING:
    from train.run import TrainSettings


# What cxr-convert writes into a run folder besides the model_MODE.tflite files (convert.quantize,
# convert.quant_report, convert.occlusion_section): stale once the model is trained again.
CONVERT_FILES = ("model.tflite", "report.json", "report.md", "confusion_matrices.png", "sensitivity.png", "roc.png",
                 "reliability.png", "operating_points.png", "occlusion.png")


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
        warnings = notes["warnings"]  # None: a record of an earlier version, which kept none
        log(f"going on from the split and inputs an earlier call prepared in {said_name(str(out))} (the same data settings and films, "
            "so they are not searched for copies or split again, and read again only where their cache is missing"
            + (f"; its notes on copies and shortcuts are in {PREPARED}, and will be in run.json)" if warnings is None
               else "; the warnings it said about them follow, as it said them)" if warnings else ")"))
        for line in warnings or ():  # the data phase's, said again: the first call's terminal may be gone
            log(line)
        if warnings is None:  # an earlier version's record (0.56.0 and before): its split's few-films warnings, as
            say_split_warnings(split)  # an earlier version's teacher gets (the run resumed after an upgrade said none)
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
    given = given_origins(split.parts) if split.layout == "train/test folders" else None
    log(split_line(counts, str(out / "split.json"), given))

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
            up_to = counted(epochs, "epoch")
            log(f"training {s.arch} ({member.count_params():,} parameters) for up to {up_to}{of}{by}")
            t_member = time.time()
            histories.append(fit(member, (arrays["train"], ys["train"]), (arrays["val"], ys["val"]),
                                 len(split.classes), replace(fc, seed=s.seed + k), out, teacher=teacher))
            members.append(inference_copy(member))
            save_member(out, k, members[-1], histories[-1], fp, time.time() - t_member)
    model = average_logits(members)
    save_model(model, out / "model.keras")
    save_history(histories, out, teacher is not None, fc.consistency > 0)  # fc.consistency is 0 without a teacher

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
        "model_sha256": file_sha256(out / "model.keras"),  # and the model it describes (train.run_record.run_record_problem)
        "data_hygiene": notes["hygiene"],
        "shortcut_audit": notes["audit"],
        "data_warnings": notes.get("warnings"),  # the data phase's, said again where its split is taken (a student)
        "skipped_files": notes["skipped"],
        "versions": versions(),
        "threads": threads(),  # the same weights need the same threads too (train.environment)
        # with the training of members an earlier, stopped call finished (not its data preparation)
        "seconds": round(time.time() - t0 + reused_seconds, 1),
        "seconds_this_call": round(time.time() - t0, 1),
        # the default recipe's teacher as its run.json counts it: a teacher an earlier, stopped call finished (or
        # went on from) took no time, or part of its time, in this call (up to 0.57.0 this call's alone was counted)
        "seconds_with_teacher": round(time.time() - t0 + reused_seconds
                                      + (float(notes["teacher"]["seconds"] or 0) if started and s.teacher else 0), 1),
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
        log(f"warning: {said_name(str(out / 'teacher'))} holds the teacher of an earlier model; this one learnt without a teacher: "
            "delete that folder, or it will be taken for this model's")
    if last and stale:
        log(f"warning: {', '.join(stale)} in {said_name(str(out))} come from an earlier model; {command_text('cxr-convert', str(out))} replaces or removes them"
            + ("; to keep the earlier model's .tflite files (cxr-compare OLD NEW sets them against the new model), copy "
               "them elsewhere first" if any(n.endswith(".tflite") for n in stale) else ""))
    if last and (line := weights_line(run["counts"]["train"], weights)):
        log(line)
    # accuracy alone hid a model that calls most films of a small class the large one's (0.94, balanced 0.55)
    log(f"done in {run['seconds_with_teacher']} s: validation accuracy {val_acc:.3f}, balanced accuracy "
        f"{run['validation']['balanced_accuracy']:.3f}, "
        f"temperature {temperature:.2f}"
        + (f"; next: {command_text('cxr-convert', str(out))}" if last else ""))
    return out
