"""Training speed for the performance benchmark: seconds per epoch and seconds to a validation
accuracy, our cached tf.data pipeline vs the tutorial's image_dataset_from_directory (which
decodes every image every epoch)."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def epoch_seconds(fit_once, epochs: int) -> float:
    times = []
    for _ in range(epochs):
        t = time.perf_counter()
        fit_once()
        times.append(time.perf_counter() - t)
    return statistics.mean(times[1:]) if len(times) > 1 else times[0]


def until_accuracy(fit_epoch, val_accuracy, target: float, max_epochs: int) -> float:
    """Wall seconds of training (validation included) until validation accuracy reaches target."""
    t = time.perf_counter()
    for _ in range(max_epochs):
        fit_epoch()
        if val_accuracy() >= target:
            return time.perf_counter() - t
    return float("inf")


def training_speed(seed_run: Path, epochs: int, limit: int, target: float, max_epochs: int,
                   size: int = 128) -> tuple[float, float, float, float, float]:
    """Seconds per epoch: the seed model in our cached tf.data pipeline, in the tutorial-style
    pipeline (decoding every epoch), and the default model in ours (with its augmentation); then
    seconds to a validation accuracy: default model in ours (decoding included) vs seed in theirs.
    Every model is built for size px inputs (128, the tutorial's; smaller for a quick smoke run)."""
    import keras

    from edge.preprocess import PreprocessConfig
    from train.cache import load_part
    from train.data import Item, Split
    from train.scan import scan
    from train.models import build
    from train.pipeline import make_dataset

    split = Split.load(seed_run / "split.json")
    x, y = load_part(seed_run, split, "train", PreprocessConfig(size=size, channels=3), progress=False)
    x, y, train_items = x[:limit], y[:limit], split.parts["train"][:limit]

    def compiled(arch: str = "seed"):
        m = build(arch, size, len(split.classes))
        m.compile(keras.optimizers.Adam(1e-3), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return m

    ours_model = compiled()
    ds = make_dataset(x, y, 32, training=True, augment=False)
    ours = epoch_seconds(lambda: ours_model.fit(ds, epochs=1, verbose=0, shuffle=False), epochs)
    with tempfile.TemporaryDirectory() as tmp:  # the tutorial's loader wants a folder per class
        for it in train_items:
            d = Path(tmp) / it.label
            d.mkdir(exist_ok=True)
            os.symlink(Path(split.data_dir) / it.path, d / Path(it.path).name)
        tut = keras.utils.image_dataset_from_directory(tmp, image_size=(size, size), color_mode="rgb", batch_size=32,
                                                       seed=0, verbose=False)
        tut_model = compiled()
        theirs = epoch_seconds(lambda: tut_model.fit(tut, epochs=1, verbose=0), epochs)
        for it in split.parts["val"]:
            d = Path(tmp) / "val" / it.label
            d.mkdir(parents=True, exist_ok=True)
            os.symlink(Path(split.data_dir) / it.path, d / Path(it.path).name)
        tut_val = keras.utils.image_dataset_from_directory(Path(tmp) / "val", image_size=(size, size), color_mode="rgb",
                                                           batch_size=32, shuffle=False, verbose=False)
        y_tut = np.concatenate([b.numpy() for _, b in tut_val])
        fresh = compiled()
        tut_to = until_accuracy(lambda: fresh.fit(tut, epochs=1, verbose=0),
                                lambda: float((fresh.predict(tut_val, verbose=0).argmax(1) == y_tut).mean()),
                                target, max_epochs)
    compact = compiled("compact")
    ds1 = make_dataset(x[..., :1], y, 32, training=True)  # the 3 channels are copies of one gray plane
    default = epoch_seconds(lambda: compact.fit(ds1, epochs=1, verbose=0, shuffle=False), epochs)
    t = time.perf_counter()  # ours pays its one decode of the training images up front
    scan(Path(split.data_dir), [Item(i.path, i.label) for i in train_items], PreprocessConfig(size=size), progress=False)
    decode_s = time.perf_counter() - t
    xv, yv = load_part(seed_run, split, "val", PreprocessConfig(size=size, channels=3), progress=False)
    fresh_compact = compiled("compact")
    ours_to = decode_s + until_accuracy(
        lambda: fresh_compact.fit(ds1, epochs=1, verbose=0, shuffle=False),
        lambda: float((fresh_compact.predict(xv[..., :1].astype(np.float32), verbose=0).argmax(1) == yv).mean()),
        target, max_epochs)
    return ours, theirs, default, ours_to, tut_to
