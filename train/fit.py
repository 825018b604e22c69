"""Fitting: class weights, early stopping on validation loss, best-weights restore, curves.

Validation loss rather than accuracy picks the checkpoint: on small medical sets accuracy
plateaus early while the loss still tells calibrated from over-confident models.
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager, redirect_stdout
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

import keras
import numpy as np

from edge.atomic import atomic_path, write_json
from train.curves import plot_curves
from train.pipeline import make_dataset


@dataclass
class FitConfig:
    """Settings that travel from the CLI into fitting and into run.json."""

    epochs: int = 120
    batch_size: int = 32
    learning_rate: float = 2e-3
    patience: int = 60
    augment: bool = True
    seed: int = 0
    verbose: int = 1
    distill_temperature: float = 2.0  # used only with a teacher (train.distill)
    distill_alpha: float = 0.7
    teacher_view: str = "same"  # or "unmoved"; see train.distill
    consistency: float = 0.0  # weight of the two-view agreement term; used only with a teacher

    def to_dict(self) -> dict:
        return asdict(self)


def class_weights(y: np.ndarray, n_classes: int) -> dict[int, float]:
    """Inverse-frequency weights, normalised so a balanced set gets 1.0 everywhere."""
    counts = np.bincount(y, minlength=n_classes).astype(float)
    counts[counts == 0] = 1.0
    w = len(y) / (n_classes * counts)
    return {k: float(v) for k, v in enumerate(w)}


class TrainingDiverged(ValueError):
    """The loss became NaN or infinite: the weights are no model, and saving them would hide it."""


def fit(model: keras.Model, train: tuple[np.ndarray, np.ndarray], val: tuple[np.ndarray, np.ndarray],
        n_classes: int, cfg: FitConfig, run_dir: Path, teacher: keras.Model | None = None) -> dict[str, list[float]]:
    """Train with early stopping; return the history. The best weights are left in ``model``.

    With a ``teacher``, the loss also pulls the model towards the teacher's predictions
    (train.distill); validation loss, and so the kept epoch, then includes that term too.
    """
    steps = max(1, int(np.ceil(len(train[0]) / cfg.batch_size))) * cfg.epochs
    schedule = keras.optimizers.schedules.CosineDecay(cfg.learning_rate, decay_steps=steps, alpha=0.05)
    trainee = model
    if teacher is not None:
        from train.distill import Distiller

        trainee = Distiller(model, teacher, cfg.distill_temperature, cfg.distill_alpha, cfg.consistency)
    trainee.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        loss=None if teacher is not None else keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    train_ds = make_dataset(*train, cfg.batch_size, training=True, seed=cfg.seed, augment=cfg.augment,
                            teacher_view=teacher is not None and cfg.teacher_view == "unmoved",
                            two_views=teacher is not None and cfg.consistency > 0)
    val_ds = make_dataset(*val, cfg.batch_size, training=False)
    callbacks = [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=cfg.patience, restore_best_weights=True),
        keras.callbacks.TerminateOnNaN(),
    ]
    stop = StopOnInterrupt()
    # Keras' epoch lines join cxr-train's own on stderr: stdout is for answers, and `2> log` keeps the history.
    with interrupts_at_batch_ends(stop), redirect_stdout(sys.stderr):
        h = trainee.fit(train_ds, validation_data=val_ds, epochs=cfg.epochs,
                        class_weight=class_weights(train[1], n_classes), callbacks=[*callbacks, stop],
                        verbose=cfg.verbose, shuffle=False)  # train_ds shuffles itself
    history = {k: [float(v) for v in vals] for k, vals in h.history.items() if k != "learning_rate"}
    if bad := [e for e, v in enumerate(history.get("loss", []), 1) if not np.isfinite(v)]:  # TerminateOnNaN stopped it
        raise TrainingDiverged(f"training diverged: the loss became {history['loss'][bad[0] - 1]} in epoch {bad[0]}, "
                               f"so the weights are no model; lower --learning-rate (it was {cfg.learning_rate:g})")
    best = restored_epoch(history["val_loss"]) if history.get("val_loss") else len(history["loss"]) - 1
    history["best_epoch"] = [best + 1]
    return history


def restored_epoch(val_loss: list[float]) -> int:
    """The epoch (from 0) whose weights EarlyStopping restores: the first of least validation loss, as it keeps
    only a strict improvement, and never one whose loss is NaN (np.argmin picks a NaN, and named an epoch whose
    weights the model does not hold); the first epoch where none improves on infinity, as Keras keeps it then."""
    best, at = float("inf"), 0
    for epoch, loss in enumerate(val_loss):
        if loss < best:
            best, at = loss, epoch
    return at


class StopOnInterrupt(keras.callbacks.Callback):
    """Raises the KeyboardInterrupt of a Ctrl-C at the end of a batch.

    Python raises it wherever the interpreter happens to be, and inside TensorFlow that can be a
    garbage-collector or weakref callback, where it is printed as 'Exception ignored' and lost:
    training then ran to the end and exited 0. Here the signal only sets ``asked``."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = False

    def check(self, *_args, **_kwargs) -> None:
        if self.asked:
            self.asked = False  # raised once: a caller that catches it is not stopped again on leaving
            raise KeyboardInterrupt

    on_train_batch_end = on_test_batch_end = on_predict_batch_end = on_epoch_end = check


@contextmanager
def interrupts_at_batch_ends(stop: StopOnInterrupt) -> Iterator[None]:
    """Route Ctrl-C, and SIGTERM where a handler of ours takes it (the commands' sigterm_as_interrupt), to
    ``stop`` inside the block; a second signal interrupts at once. SIGTERM raised at once inside TensorFlow
    ended 4 of 45 stops as "unexpected SystemError", exit 2, and once was lost: the training ran to its end
    and exited 0. Nothing changes for a signal ignored (a job started in the background) or left to its
    default, or off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    previous = {sig: handler for sig, handler in previous.items() if callable(handler)}

    def asked(_signum, _frame) -> None:
        stop.asked = True
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    for sig in previous:
        signal.signal(sig, asked)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    stop.check()  # a signal after the last batch end is raised here, never lost


LOGITS_CHUNK = 2048  # images given to Keras at once (a multiple of the batch): the float32 copy stays small


def logits_of(model: keras.Model, x: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """The model's outputs on ``x``, LOGITS_CHUNK images at a time (the whole training split as
    float32 took 2.6 GB for cxr-convert's head refit at 8,400 films of 128 px); a Ctrl-C is raised
    at a batch end, as in fit, never lost."""
    stop = StopOnInterrupt()
    out = []
    with interrupts_at_batch_ends(stop):
        for i in range(0, len(x), LOGITS_CHUNK):
            out.append(model.predict(x[i:i + LOGITS_CHUNK].astype(np.float32), batch_size=batch_size, verbose=0,
                                     callbacks=[stop]))
            stop.check()  # asked during the chunk's last batch
    if not out:
        return np.asarray(model.predict(x.astype(np.float32), batch_size=batch_size, verbose=0), dtype=np.float64)
    return np.asarray(np.concatenate(out), dtype=np.float64)


def save_model(model: keras.Model, path: Path) -> None:
    """Save architecture and weights only: the optimizer's moments would triple the file
    (seed: 323 MB instead of 108 MB) and nothing resumes training from it. Rebuilt from its
    config, not with clone_model, which since Keras 3.15 carries the optimizer over."""
    bare = type(model).from_config(model.get_config())
    bare.set_weights(model.get_weights())
    with atomic_path(path) as tmp:
        bare.save(tmp)


def save_history(histories: list[dict], run_dir: Path, distilled: bool = False, consistency: bool = False) -> None:
    """history.json holds one curve set per ensemble member: {"members": [...]}. ``distilled`` (with a
    ``consistency`` term): fit() was given a teacher, so the loss curves.png plots is train.distill's."""
    write_json(run_dir / "history.json", {"members": histories})
    plot_curves(histories, run_dir / "curves.png", distilled, consistency)
