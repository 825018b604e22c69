"""Quick ablations of the default model on a frozen split: one variant per call, one JSON line out.

Reuses the split (and the decoded-image cache) of an existing cxr-train run folder, so each
variant sees exactly the same images, and skips conversion: Keras float scores only, about
2 minutes per 120-epoch COVID vs Normal variant on 2 cores. Read the results with the run-to-run
noise in mind (about +-3 points on cxr-dev): compare seeds before believing a variant.

    python benchmarks/ablate.py --run runs/bench-accuracy/covid-normal-compact-without-hannover --tag base
    python benchmarks/ablate.py --run ... --image-size 192 --tag s192 --out runs/ablations.jsonl
    python benchmarks/ablate.py --run ... --sam 0.05 --tag sam   # about twice as long
    python benchmarks/ablate.py --run ... --coarse 0.5,0.2,1.2 --shifts --tag strong   # + shift drops
    python benchmarks/ablate.py --run ... --mixstyle 0.5 --tag mixstyle   # feature-statistics mixing
    python benchmarks/ablate.py --run ... --ampmix 0.5,1.0 --tag ampmix   # Fourier amplitude mixing
    python benchmarks/ablate.py --run ... --randconv 0.5 --tag randconv   # random convolutions

What each variant gave is in benchmarks/RESULTS.md, "Ablations".
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from train.quiet import load_tensorflow  # noqa: E402


def variant_dataset(x: np.ndarray, y: np.ndarray, a: argparse.Namespace, n_classes: int):
    """The training pipeline plus the optional extras this script can switch on."""
    import tensorflow as tf

    from train.pipeline import make_dataset

    ds = make_dataset(x, y, a.batch_size, training=True, seed=a.seed)
    if a.flip:
        ds = ds.map(lambda b, t: (tf.where(tf.random.uniform([tf.shape(b)[0], 1, 1, 1]) < 0.5, b[:, :, ::-1], b), t))
    if a.randconv:
        ds = ds.map(lambda b, t: (random_convolution(b, a.randconv), t))
    if a.label_smoothing or a.mixup:
        ds = ds.map(lambda b, t: (b, tf.one_hot(t, n_classes)))
    if a.mixup:
        def mix(b, t):
            n = tf.shape(b)[0]
            g1, g2 = tf.random.gamma([n], a.mixup), tf.random.gamma([n], a.mixup)
            lam = g1 / (g1 + g2)
            idx = tf.random.shuffle(tf.range(n))
            l4, l2 = tf.reshape(lam, [-1, 1, 1, 1]), tf.reshape(lam, [-1, 1])
            return l4 * b + (1 - l4) * tf.gather(b, idx), l2 * t + (1 - l2) * tf.gather(t, idx)
        ds = ds.map(mix)
    return ds


def random_convolution(x, p: float):
    """RandConv (Xu et al., ICLR 2021): with probability p a batch is filtered by one random kernel
    (3, 5 or 7 pixels, or 1: a contrast change; Gaussian weights), mixed with the original by a
    random share, and brought back to each film's own mean and spread. Shapes survive; local
    texture, sharpness and contrast, which differ between sites, do not."""
    import tensorflow as tf

    k = tf.random.shuffle(tf.constant([1, 3, 5, 7]))[0]
    kernel = tf.random.normal(tf.stack([k, k, 1, 1])) / tf.cast(k, tf.float32)

    def standardised(a):
        return (a - tf.reduce_mean(a, axis=[1, 2, 3], keepdims=True)) / (
            tf.math.reduce_std(a, axis=[1, 2, 3], keepdims=True) + 1e-3)

    mean, sd = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True), tf.math.reduce_std(x, axis=[1, 2, 3], keepdims=True)
    z = (x - mean) / (sd + 1e-3)
    share = tf.random.uniform([])
    mixed = standardised(share * z + (1.0 - share) * standardised(tf.nn.conv2d(z, kernel, 1, "SAME")))
    out = tf.clip_by_value(mean + sd * mixed, 0.0, 255.0)
    return tf.cond(tf.random.uniform([]) < p, lambda: out, lambda: x)


def sam_model(model, rho: float):
    """Sharpness-aware minimisation (Foret et al. 2021): each step takes the gradient at the
    worst nearby weights (a step of size rho up the gradient), which favours flat minima."""
    import keras
    import tensorflow as tf

    class SAM(keras.Model):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def call(self, x, training=False):
            return self.inner(x, training=training)

        def train_step(self, data):
            x, y, sw = keras.utils.unpack_x_y_sample_weight(data)
            tv = self.inner.trainable_variables
            with tf.GradientTape() as tape:
                loss = self.compute_loss(x=x, y=y, y_pred=self.inner(x, training=True), sample_weight=sw)
            grads = tape.gradient(loss, tv)
            norm = tf.linalg.global_norm(grads) + 1e-12
            eps = [g * (rho / norm) for g in grads]
            for v, e in zip(tv, eps):
                v.assign_add(e)
            with tf.GradientTape() as tape:
                pred = self.inner(x, training=True)
                loss2 = self.compute_loss(x=x, y=y, y_pred=pred, sample_weight=sw)
            grads2 = tape.gradient(loss2, tv)
            for v, e in zip(tv, eps):
                v.assign_sub(e)
            self.optimizer.apply_gradients(zip(grads2, tv))
            return self.compute_metrics(x, y, pred, sw)

    return SAM(model)


def swa_start(epochs: int, fraction: float) -> int:
    """The first epoch (from 1) whose weights SWA averages: the last ``fraction`` of the epochs."""
    return int(round(epochs * (1 - fraction))) + 1


class SWA:
    """Stochastic weight averaging (Izmailov et al. 2018): the mean of the weights at the end of
    each epoch from ``start`` on, then BatchNorm statistics recomputed on the training pipeline."""

    def __init__(self, model, start: int):
        import keras

        self.model, self.start, self.n, self.mean = model, start, 0, None
        outer = self

        class Collect(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if epoch + 1 >= outer.start:
                    w = [np.asarray(v) for v in outer.model.trainable_variables]
                    outer.n += 1
                    outer.mean = w if outer.mean is None else [m + (x - m) / outer.n for m, x in zip(outer.mean, w)]

        self.callback = Collect()

    def apply(self, train_ds) -> None:
        import keras

        for v, m in zip(self.model.trainable_variables, self.mean):
            v.assign(m)
        bns = [layer for layer in self.model.layers if isinstance(layer, keras.layers.BatchNormalization)]
        saved = [bn.momentum for bn in bns]
        for i, (x, *_) in enumerate(train_ds):  # a plain mean over one epoch's batches
            for bn in bns:
                bn.momentum = i / (i + 1)
            self.model(x, training=True)
        for bn, m in zip(bns, saved):
            bn.momentum = m


def shift_drops(model, split, config) -> dict[str, float]:
    """Balanced accuracy lost (points) under each simulated shift of the test films, Keras float."""
    from convert.shifts import robustness
    from edge.model import softmax
    from edge.preprocess import load_grayscale

    items = split.parts["test"]
    y = np.array([split.classes.index(i.label) for i in items])
    grays = (load_grayscale(Path(split.data_dir) / i.path) for i in items)
    rob = robustness(lambda x: softmax(model.predict(x.astype(np.float32), verbose=0, batch_size=64)),
                     grays, config, y, len(split.classes))
    return {name: round(r["drop_points"], 1) for name, r in rob.items() if name != "none"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, required=True, help="A cxr-train run folder whose split to reuse.")
    ap.add_argument("--tag", default="variant")
    ap.add_argument("--out", type=Path, help="Append the JSON line to this file too.")
    ap.add_argument("--epochs", type=int, default=120)
    ap.add_argument("--image-size", type=int, default=None, help="Default: the run's.")
    ap.add_argument("--widths", default="16,32,32,64,64,80")
    ap.add_argument("--learning-rate", type=float, default=2e-3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--flip", action="store_true", help="Random horizontal flips.")
    ap.add_argument("--mixup", type=float, default=0.0, help="Mixup alpha (0: off; drops class weights).")
    ap.add_argument("--label-smoothing", type=float, default=0.0, help="(drops class weights)")
    ap.add_argument("--ema", type=float, default=0.0, help="EMA momentum of the weights (0: off).")
    ap.add_argument("--final-weights", action="store_true", help="Keep the last epoch, not the best validation loss.")
    ap.add_argument("--sam", type=float, default=0.0, help="Sharpness-aware minimisation radius rho (0: off).")
    ap.add_argument("--swa", type=float, default=0.0,
                    help="Average the weights over this last fraction of the epochs (0: off; replaces best-epoch restore).")
    ap.add_argument("--coarse", help="CHANCE,LOW,HIGH of the coarse unsharp mask (train.pipeline.COARSE_UNSHARP).")
    ap.add_argument("--mixstyle", type=float, default=0.0,
                    help="MixStyle probability per batch (train.models.MixStyle; 0: off).")
    ap.add_argument("--randconv", type=float, default=0.0,
                    help="Chance per batch of a random convolution (RandConv; 0: off).")
    ap.add_argument("--ampmix", help="CHANCE,MOST[,LOWEST] of Fourier amplitude mixing (train.pipeline.AMPLITUDE_MIX).")
    ap.add_argument("--shifts", action="store_true",
                    help="Also score the test split under convert.shifts' simulated shifts (drop in points; slower).")
    a = ap.parse_args()
    if a.epochs < 1:
        ap.error(f"--epochs {a.epochs}: give at least 1")
    if a.swa and not (0 < a.swa <= 1 and swa_start(a.epochs, a.swa) <= a.epochs):  # else the mean is of no epoch
        ap.error(f"--swa {a.swa:g}: give a fraction of the {a.epochs} epochs that holds at least one of them, "
                 f"from {1 / a.epochs:.3g} to 1 (0: off)")

    load_tensorflow()
    import keras

    import train.pipeline
    if a.coarse:
        train.pipeline.COARSE_UNSHARP = tuple(float(v) for v in a.coarse.split(","))
    if a.ampmix:
        chance, most, *lowest = (float(v) for v in a.ampmix.split(","))
        train.pipeline.AMPLITUDE_MIX = (chance, most, lowest[0] if lowest else 0.0)

    from convert.metrics import balanced_accuracy
    from edge.preprocess import PreprocessConfig
    from train.cache import load_part
    from train.data import Split
    from train.fit import class_weights
    from train.models import bn_momentum, compact_cnn
    from train.pipeline import make_dataset

    from benchmarks.results import run_record

    run = run_record(a.run)
    split = Split.load(a.run / "split.json")
    config = PreprocessConfig.from_dict({**run["preprocess"], **({"size": a.image_size} if a.image_size else {})})
    # The run's cache holds its own size; other sizes are decoded again (and not cached).
    data = {p: load_part(a.run, split, p, config, progress=False) for p in ("train", "val", "test", "external")
            if p in split.parts}
    k = len(split.classes)
    keras.utils.set_random_seed(a.seed)
    steps = int(np.ceil(len(data["train"][0]) / a.batch_size))
    model = compact_cnn(config.size, k, widths=tuple(int(w) for w in a.widths.split(",")), momentum=bn_momentum(steps),
                        mixstyle=a.mixstyle, seed=a.seed)
    soft = bool(a.label_smoothing or a.mixup)
    schedule = keras.optimizers.schedules.CosineDecay(a.learning_rate, decay_steps=steps * a.epochs, alpha=0.05)
    opt = keras.optimizers.Adam(schedule, use_ema=bool(a.ema), ema_momentum=a.ema or 0.99)
    loss = (keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=a.label_smoothing) if soft
            else keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    trainee = sam_model(model, a.sam) if a.sam else model
    trainee.compile(opt, loss)
    val = make_dataset(*data["val"], a.batch_size, training=False)
    if soft:
        val = val.map(lambda b, t: (b, keras.ops.one_hot(t, k)))
    callbacks = [] if a.final_weights or a.swa else [
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=a.epochs, restore_best_weights=True)]
    if a.ema:
        callbacks.insert(0, keras.callbacks.SwapEMAWeights(swap_on_epoch=True))
    swa = SWA(model, start=swa_start(a.epochs, a.swa)) if a.swa else None
    if swa:
        callbacks.append(swa.callback)
    t0 = time.time()
    train_ds = variant_dataset(*data["train"], a, k)
    h = trainee.fit(train_ds, validation_data=val, epochs=a.epochs, verbose=0,
                    class_weight=None if soft else class_weights(data["train"][1], k), callbacks=callbacks)
    if swa:
        swa.apply(train_ds)

    result = {"tag": a.tag, "settings": {key: (str(v) if isinstance(v, Path) else v) for key, v in vars(a).items()},
              "seconds": round(time.time() - t0), "best_epoch": int(np.argmin(h.history["val_loss"])) + 1}
    for part, (x, y) in data.items():
        pred = model.predict(x.astype(np.float32), verbose=0, batch_size=64).argmax(1)
        result[part] = {"balanced_accuracy": round(balanced_accuracy(y, pred, k), 3),
                        "sensitivity": {c: round(float((pred[y == j] == j).mean()), 3) if (y == j).any() else None
                                        for j, c in enumerate(split.classes)}}
    if a.shifts:
        result["shift_drop_points"] = shift_drops(model, split, config)
    line = json.dumps(result)
    print(line)
    if a.out:
        with open(a.out, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
