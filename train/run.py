"""One training run, top to bottom: data -> split -> cache -> fit -> calibrate -> run folder.

By default a run is two of these: the teacher ensemble in RUN/teacher, then the student in RUN
(run_training); _train is one of them."""

from __future__ import annotations

import platform
import sys
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from edge import __version__
from edge.preprocess import PreprocessConfig
from edge.atomic import read_json, write_json
from train.data import DataError, Item, Split, discover, save_cache, scan, stratified_split
from train.audit import shortcut_audit, summary_line
from train.extra_data import add_folders
from train.hygiene import cross_split_duplicates, duplicate_groups
from train.resume import (clear_members, finished_with, fingerprint, load_member, save_member,
                          settings_dict)


TEACHER_VIEWS = ("same", "unmoved")


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


def log(msg: str) -> None:
    print(f"cxr-train: {msg}", file=sys.stderr, flush=True)


def prepare_data(s: TrainSettings, config: PreprocessConfig) -> tuple[Split, dict[str, np.ndarray], dict]:
    """Discover, scan once, group duplicates, split; return the split, inputs per part, and notes."""
    synthetic = s.data == "synthetic"
    data_dir = Path(s.out) / "synthetic-data" if synthetic else Path(s.data)
    if synthetic:
        from train.synthetic import generate

        classes = s.classes or ["Normal", "COVID"]
        log(f"generating the built-in SYNTHETIC set ({s.synthetic_count} per class) in {data_dir}")
        generate(data_dir, n_per_class=s.synthetic_count, classes=classes, seed=s.seed)
    items, given, layout = discover(data_dir, None if synthetic else s.classes)
    classes = list(s.classes) if s.classes else sorted({i.label for i in items})
    log(f"found {len(items)} images in {len(classes)} classes ({layout})")
    if s.add_data:
        items = add_folders(items, data_dir, s.add_data, classes, log)
    res = scan(data_dir, items, config, s.progress)
    for bad in res.skipped[:5]:
        log(f"skipping {bad['path']}: {bad['error']}")
    if res.skipped:
        log(f"skipped {len(res.skipped)} unreadable file(s) (listed in run.json)")
    items = res.items
    audit = shortcut_audit(res.traits, np.array([classes.index(i.label) for i in items]), classes)
    if audit["warn"]:
        log(f"warning: {summary_line(audit)}. A model can score by recognising the archive instead of the lungs; "
            "compare the per-source results and validate on another site (cxr-evaluate)")
    groups, hygiene = duplicate_groups([i.sha256 for i in items], res.dhash, res.thumbs)
    if hygiene["exact_duplicate_pairs"] or hygiene["near_duplicate_pairs"]:
        log(f"warning: {hygiene['exact_duplicate_pairs']} exact and {hygiene['near_duplicate_pairs']} near-duplicate "
            "pairs; each group is kept within one split")
    index = {id(it): k for k, it in enumerate(items)}
    external: list[Item] = []
    if s.holdout_source:
        key = s.holdout_source.lower()
        held = [it for it in items if key in it.source.lower() or Path(it.path).name.lower().startswith(key)]
        if not held:
            raise DataError(f"--holdout-source {s.holdout_source!r} matches no image's source or file name")
        held_groups = {groups[index[id(it)]] for it in held}
        external = [it for it in items if groups[index[id(it)]] in held_groups]
        log(f"holding out {len(external)} images of source {s.holdout_source!r} as an external set")
    ext_ids = {id(it) for it in external}
    kept = [it for it in items if id(it) not in ext_ids]
    parts = stratified_split(kept, [groups[index[id(it)]] for it in kept], s.seed, s.val_fraction, s.test_fraction, given)
    for name in ("train", "val", "test"):
        missing = [c for c in classes if not any(i.label == c for i in parts[name])]
        if missing:
            raise DataError(f"the {name} split has no images of class {', '.join(missing)}: too few images "
                            f"(need at least ~{int(np.ceil(2 / min(s.val_fraction, s.test_fraction)))} per class)")
    if external:
        parts["external"] = sorted(external, key=lambda i: i.path)
    hygiene["groups_across_splits"] = cross_split_duplicates(
        {k: [index[id(i)] for i in v] for k, v in parts.items()}, groups)
    split = Split(str(data_dir.resolve()), classes, parts, layout, s.seed,
                  {"synthetic": synthetic, "holdout_source": s.holdout_source,
                   "added_data": [str(Path(d).resolve()) for d in s.add_data]})
    arrays = {k: res.x[[index[id(i)] for i in v]] for k, v in parts.items()}
    return split, arrays, {"hygiene": hygiene, "skipped": res.skipped, "audit": audit}


def teacher_data(s: TrainSettings, config: PreprocessConfig) -> tuple[Split, dict[str, np.ndarray], dict]:
    """The teacher run's frozen split and cached inputs: the student must never see the images
    the teacher was validated or tested on, so it takes the teacher's split as it is."""
    from train.data import load_part

    tdir = Path(s.teacher)
    if not (tdir / "run.json").is_file() or not (tdir / "model.keras").is_file():
        raise DataError(f"--teacher {tdir} is not a finished cxr-train run folder (needs run.json and model.keras)")
    trun = read_json(tdir / "run.json")
    if PreprocessConfig.from_dict(trun["preprocess"]) != config:
        raise DataError(f"--teacher {tdir} was trained on other inputs ({trun['preprocess']}); the student needs "
                        f"the same architecture family and --image-size ({config.to_dict()})")
    own = tdir.resolve() == (Path(s.out) / "teacher").resolve()  # step 1 of the default recipe, same settings
    if not own and (s.data != "synthetic" or s.holdout_source or s.add_data):
        log(f"--teacher: using the teacher's data and split ({trun['settings']['data']}); --data, --add-data, --holdout-source, "
            "--seed's split and the split fractions are taken from it")
    split = Split.load(tdir / "split.json")
    if s.classes and list(s.classes) != split.classes:
        raise DataError(f"--classes {','.join(s.classes)} differ from the teacher's {','.join(split.classes)}")
    arrays = {part: load_part(tdir, split, part, config, s.progress)[0] for part in split.parts}
    return split, arrays, {"hygiene": trun["data_hygiene"], "skipped": trun["skipped_files"],
                           "audit": trun.get("shortcut_audit"),
                           "teacher": {"run": str(tdir.resolve()), "members": trun.get("members", 1),
                                       "seconds": trun.get("seconds")}}


def run_training(s: TrainSettings) -> Path:
    """Train, calibrate and write the run folder; returns its path.

    The default recipe has two steps: an ensemble of ``teacher_members`` models (kept in
    RUN/teacher) and then one model of the same size that learns from it (knowledge
    distillation). The shipped model costs the device no more than a plain one; on cxr-dev at
    0.9.0 students had a lower log-loss and less seed-to-seed spread than their teachers' own
    members on every task, and over three splits were level on COVID vs Normal and 2.5 points
    ahead on 4 classes (benchmarks/RESULTS.md), at about 5 times the training time.
    """
    from train.models import CHANNELS

    if s.arch not in CHANNELS:
        raise ValueError(f"unknown architecture {s.arch!r}; choose one of {', '.join(CHANNELS)}")
    if s.members < 1:
        raise ValueError(f"--members must be at least 1, not {s.members}")
    n_teacher = s.teacher_members if s.teacher_members is not None else (3 if s.arch == "compact" else 0)
    if n_teacher < 0:
        raise ValueError(f"--teacher-members must be 0 (no teacher) or more, not {n_teacher}")
    if s.teacher_view not in TEACHER_VIEWS:
        raise ValueError(f"--teacher-view must be one of {', '.join(TEACHER_VIEWS)}, not {s.teacher_view!r}")
    if s.consistency < 0:
        raise ValueError(f"--consistency must be 0 (off) or more, not {s.consistency}")
    if not 0 <= s.mixstyle <= 1 or (s.mixstyle and s.arch != "compact"):
        raise ValueError(f"--mixstyle is a probability between 0 (off) and 1, for compact only, not {s.mixstyle} for {s.arch}")
    if s.consistency and s.teacher_view != TEACHER_VIEWS[0]:
        raise ValueError("--teacher-view unmoved and --consistency both need a second view; use --consistency 0 with it")
    if s.teacher or s.members > 1 or n_teacher == 0:
        return _train(s)
    t0 = time.time()
    teacher_dir = Path(s.out) / "teacher"
    # The teacher view only concerns the student: a teacher is reused whichever one is asked for.
    ts = replace(s, out=teacher_dir, members=n_teacher, teacher_members=0, teacher_view=TEACHER_VIEWS[0], consistency=0.0)
    if finished_with(teacher_dir, ts):
        log(f"step 1 of 2: reusing the teacher in {teacher_dir} (finished with the same settings; delete it to "
            "train it again, e.g. after adding images)")
    else:
        log(f"step 1 of 2: the teacher, an ensemble of {n_teacher} (in {teacher_dir})")
        _train(ts, last=False)
    log("step 2 of 2: one model of the same size, distilled from the teacher")
    return _train(replace(s, teacher=str(teacher_dir)), started=t0)


def _train(s: TrainSettings, last: bool = True, started: float | None = None) -> Path:
    """One training run (a model, an ensemble, or a student of ``s.teacher``) into ``s.out``."""
    from train.calibration import fit_temperature, nll
    from train.models import CHANNELS, average_logits, build, inference_copy

    t0 = time.time()
    out = Path(s.out)
    out.mkdir(parents=True, exist_ok=True)
    config = PreprocessConfig(size=s.image_size, channels=CHANNELS[s.arch])
    split, arrays, notes = teacher_data(s, config) if s.teacher else prepare_data(s, config)
    split.save(out / "split.json")
    for part, x in arrays.items():
        save_cache(out, part, x)
    ys = {k: np.array([split.classes.index(i.label) for i in v]) for k, v in split.parts.items()}
    counts = {k: len(v) for k, v in split.parts.items()}
    log(f"split: {counts} (frozen in {out / 'split.json'})")

    import keras

    from train.fit import FitConfig, fit, logits_of, save_history, save_model

    steps = int(np.ceil(len(arrays["train"]) / s.batch_size))
    epochs = s.epochs or auto_epochs(steps)
    n_members = s.members
    patience = s.patience or default_patience(epochs)
    teacher = keras.models.load_model(Path(s.teacher) / "model.keras", compile=False) if s.teacher else None
    members, histories = [], []
    fp = fingerprint(s, out)
    fc = FitConfig(epochs=epochs, batch_size=s.batch_size, learning_rate=s.learning_rate, patience=patience,
                   augment=s.augment, seed=s.seed, verbose=1 if s.progress else 2,
                   teacher_view=s.teacher_view, consistency=s.consistency if teacher else 0.0)
    for k in range(n_members):
        of = f" (member {k + 1} of {n_members})" if n_members > 1 else ""
        saved = load_member(out, k, fp)
        if saved is not None:  # finished by an earlier call of this command, with the same settings and split
            log(f"reusing the model{of} that an earlier call finished")
            members.append(saved[0])
            histories.append(saved[1])
            continue
        # Member k starts from seed + k: its own initialisation and augmentation stream, the same split.
        member = build(s.arch, s.image_size, len(split.classes), seed=s.seed + k, steps_per_epoch=steps,
                       mixstyle=s.mixstyle)
        by = f", distilled from {s.teacher} ({teacher.count_params():,} parameters)" if teacher else ""
        log(f"training {s.arch} ({member.count_params():,} parameters) for up to {epochs} epochs{of}{by}")
        histories.append(fit(member, (arrays["train"], ys["train"]), (arrays["val"], ys["val"]), len(split.classes),
                             replace(fc, seed=s.seed + k), out, teacher=teacher))
        members.append(inference_copy(member))
        save_member(out, k, members[-1], histories[-1], fp)
    model = average_logits(members)
    save_model(model, out / "model.keras")
    save_history(histories, out)

    val_logits = logits_of(model, arrays["val"])
    temperature = fit_temperature(val_logits, ys["val"])
    val_acc = float((val_logits.argmax(1) == ys["val"]).mean())
    run = {
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cxr_edge_version": __version__,
        "settings": settings_dict(s),
        "fit": {**fc.to_dict(), "seed": s.seed},
        "arch": s.arch,
        "members": n_members,
        "teacher": None if teacher is None else {**notes["teacher"], "parameters": int(teacher.count_params())},
        "parameters": int(model.count_params()),
        "classes": split.classes,
        "preprocess": config.to_dict(),
        "synthetic_data": split.notes["synthetic"],
        "temperature": float(temperature),
        "validation": {"accuracy": val_acc, "nll_before": nll(val_logits, ys["val"], 1.0),
                       "nll_after": nll(val_logits, ys["val"], temperature),
                       "member_accuracy": [float((logits_of(m, arrays["val"]).argmax(1) == ys["val"]).mean())
                                           for m in members]},
        "best_epoch": [h["best_epoch"][0] for h in histories],
        "epochs_run": [len(h["loss"]) for h in histories],
        "counts": {k: {c: int((ys[k] == j).sum()) for j, c in enumerate(split.classes)} for k in ys},
        "data_hygiene": notes["hygiene"],
        "shortcut_audit": notes["audit"],
        "skipped_files": notes["skipped"],
        "versions": {"python": platform.python_version(), "tensorflow": _tf_version(), "keras": keras.__version__,
                     "numpy": np.__version__, "platform": platform.platform()},
        "seconds": round(time.time() - t0, 1),
        "seconds_with_teacher": round(time.time() - (started or t0), 1),
    }
    write_json(out / "run.json", run)
    clear_members(out)
    log(f"done in {run['seconds_with_teacher']} s: validation accuracy {val_acc:.3f}, temperature {temperature:.2f}"
        + (f"; next: cxr-convert {out}" if last else ""))
    return out


def _tf_version() -> str:
    import tensorflow as tf

    return tf.__version__
