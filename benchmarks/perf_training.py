"""Training speed: our pipeline vs the tutorial's, on the same images of the same frozen split.

Ours: every image decoded once by ``train.data.scan`` (edge.preprocess), kept as uint8 arrays,
fed by ``train.pipeline.make_dataset`` (tf.data with prefetch). Tutorial: a folder per class read
by ``keras.utils.image_dataset_from_directory(..., image_size, color_mode="rgb")``, which decodes
and resizes every file again in every epoch (rescaling happens inside the model, as in the seed
network). The tutorial's loader wants a folder per class, so the split's training (and validation)
files are symlinked into a temporary folder; no image is copied.

Seconds per epoch count training steps only (validation excluded) and are averaged over the epochs
after the first (the first also traces the graph). Time to a validation accuracy counts everything
from the start of fitting, validation included, plus, for ours, the one-off decode.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Fit:
    """What one timed fit produced."""

    train_s: list[float] = field(default_factory=list)  # training steps only, per epoch
    elapsed_s: list[float] = field(default_factory=list)  # since the start (plus offset), at each epoch end
    val_acc: list[float | None] = field(default_factory=list)  # None without validation

    @property
    def s_per_epoch(self) -> float:
        later = self.train_s[1:] or self.train_s
        return statistics.mean(later)

    def time_to(self, accuracy: float) -> float | None:
        return next((t for t, a in zip(self.elapsed_s, self.val_acc) if a is not None and a >= accuracy - 1e-9), None)

    @property
    def best_acc(self) -> float:
        return max((a for a in self.val_acc if a is not None), default=0.0)


def _clock(fit: Fit, offset: float, stop_at: float | None, min_epochs: int):
    import keras

    class Clock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.t0 = time.perf_counter() - offset

        def on_epoch_begin(self, epoch, logs=None):
            self.e0 = self.last = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.last = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            fit.train_s.append(self.last - self.e0)
            fit.elapsed_s.append(time.perf_counter() - self.t0)
            acc = (logs or {}).get("val_accuracy")
            fit.val_acc.append(float(acc) if acc is not None else None)
            if stop_at is not None and acc is not None and acc >= stop_at and epoch + 1 >= min_epochs:
                self.model.stop_training = True

    return Clock()


def _compiled(arch: str, size: int, n_classes: int, learning_rate, steps: int):
    import keras

    from train.models import build

    model = build(arch, size, n_classes, seed=0, steps_per_epoch=steps)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model


def _link_folders(split, part: str, root: Path) -> Path:
    """root/part/CLASS/NNNNN-name -> the split's files (symlinks), for image_dataset_from_directory."""
    base = root / part
    for k, it in enumerate(split.parts[part]):
        d = base / it.label
        d.mkdir(parents=True, exist_ok=True)
        os.symlink(Path(split.data_dir) / it.path, d / f"{k:05d}-{Path(it.path).name}")
    return base


@dataclass
class TrainingSpeed:
    n_train: int
    n_val: int
    batch_size: int
    seed_ours: Fit
    seed_tutorial: Fit
    default_ours: Fit
    decode_once_s: float
    target: float
    threshold: float
    default_tta_s: float | None
    seed_tta_s: float | None
    notes: list[str]


def measure(seed_run: Path, compact_run: Path, speed_epochs: int, tta_epochs: int, target: float,
            batch_size: int = 32, log=print) -> TrainingSpeed:
    import keras

    from edge.preprocess import PreprocessConfig
    from train.data import Item, Split, labels_of, load_part, scan
    from train.fit import class_weights, read_json
    from train.pipeline import make_dataset

    split = Split.load(seed_run / "split.json")
    classes = split.classes
    n = len(classes)
    seed_cfg = PreprocessConfig.from_dict(read_json(seed_run / "run.json")["preprocess"])
    compact_cfg = PreprocessConfig.from_dict(read_json(compact_run / "run.json")["preprocess"])
    size = seed_cfg.size
    notes: list[str] = []

    # 1. The seed model, our pipeline (arrays decoded once; here from the run's scan cache), no augmentation:
    #    the like-for-like comparison with the tutorial, which has none.
    x, y = load_part(seed_run, split, "train", seed_cfg, progress=False)
    steps = int(np.ceil(len(x) / batch_size))
    log(f"training speed: seed model, our pipeline, {speed_epochs} epochs on {len(x)} images")
    seed_ours = Fit()
    model = _compiled("seed", size, n, 1e-3, steps)
    model.fit(make_dataset(x, y, batch_size, training=True, seed=0, augment=False), epochs=speed_epochs, verbose=0,
              callbacks=[_clock(seed_ours, 0.0, None, 0)])
    del model, x
    keras.backend.clear_session()

    # 2. The seed model, the tutorial's pipeline: decode from disk every epoch. Also the baseline for
    #    "time to accuracy", so it validates every epoch and stops once it reaches the target.
    with tempfile.TemporaryDirectory(prefix="cxr-bench-tutorial-") as tmp:
        train_dir = _link_folders(split, "train", Path(tmp))
        val_dir = _link_folders(split, "val", Path(tmp))
        common = dict(image_size=(size, size), color_mode="rgb", batch_size=batch_size, class_names=classes,
                      label_mode="int", verbose=False)
        t = time.perf_counter()
        train_ds = keras.utils.image_dataset_from_directory(train_dir, shuffle=True, seed=0, **common)
        val_ds = keras.utils.image_dataset_from_directory(val_dir, shuffle=False, **common)
        listing = time.perf_counter() - t
        epochs = max(speed_epochs, tta_epochs)
        log(f"training speed: seed model, tutorial pipeline, up to {epochs} epochs")
        seed_tut = Fit()
        model = _compiled("seed", size, n, 1e-3, steps)
        model.fit(train_ds, validation_data=val_ds, epochs=epochs, verbose=0,
                  callbacks=[_clock(seed_tut, listing, target, speed_epochs)])
        del model, train_ds, val_ds
        keras.backend.clear_session()

    # 3. The default model, our pipeline as cxr-train runs it (decode once with train.data.scan,
    #    augmentation, class weights, cosine schedule), timed from the first decoded file.
    items = {p: [Item(i.path, i.label, "", i.source) for i in split.parts[p]] for p in ("train", "val")}
    t = time.perf_counter()
    scans = {p: scan(Path(split.data_dir), items[p], compact_cfg, progress=False) for p in items}
    decode_once = time.perf_counter() - t
    if any(s.skipped for s in scans.values()):
        notes.append("some files could not be decoded by train.data.scan")
    xt, yt = scans["train"].x, labels_of(scans["train"].items, classes)
    xv, yv = scans["val"].x, labels_of(scans["val"].items, classes)
    log(f"training speed: default model, our pipeline, up to {tta_epochs} epochs (decode once took {decode_once:.1f} s)")
    default_ours = Fit()
    steps = int(np.ceil(len(xt) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(2e-3, decay_steps=steps * max(1, tta_epochs), alpha=0.05)
    model = _compiled("compact", compact_cfg.size, n, schedule, steps)
    model.fit(make_dataset(xt, yt, batch_size, training=True, seed=0, augment=True),
              validation_data=make_dataset(xv, yv, batch_size, training=False), epochs=tta_epochs, verbose=0,
              class_weight=class_weights(yt, n), callbacks=[_clock(default_ours, decode_once, target, 2)])
    del model
    keras.backend.clear_session()

    # Time to accuracy: the target if both got there, else the best level both reached.
    threshold = target
    if default_ours.time_to(target) is None or seed_tut.time_to(target) is None:
        best = min(default_ours.best_acc, seed_tut.best_acc)
        threshold = float(np.floor(best * 100) / 100)
        notes.append(f"not both models reached validation accuracy {target:.2f} within {tta_epochs} epochs "
                     f"(best: default {default_ours.best_acc:.3f}, seed {seed_tut.best_acc:.3f}); "
                     f"the time-to-accuracy row uses {threshold:.2f}, the best level both reached")
    return TrainingSpeed(len(yt), len(yv), batch_size, seed_ours, seed_tut, default_ours, decode_once, target,
                         threshold, default_ours.time_to(threshold), seed_tut.time_to(threshold), notes)
