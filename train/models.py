"""Architectures. Every model takes uint8-range pixels (0..255) and returns logits.

Rescaling lives inside the model so the device feeds raw preprocessed bytes, and a full-int8
model's input quantization becomes exact (scale 1, zero point -128). Softmax lives outside
(in edge), so a calibration temperature can be applied to the logits.
"""

from __future__ import annotations

import keras
from keras import layers, ops

ARCHS = ("compact", "seed")
# Channels a model wants; the preprocessing config takes it from here.
CHANNELS = {"compact": 1, "seed": 3}


def bn_momentum(steps_per_epoch: int) -> float:
    """BatchNorm moving-average momentum whose memory is about one epoch.

    Keras' 0.99 remembers ~100 steps: on a small set (3 steps an epoch) the moving variance
    stays near its initial 1.0 for dozens of epochs and validation predicts one class for every
    input. Averaging over about one epoch converges after the first.
    """
    return float(min(0.95, max(0.6, 1.0 - 1.0 / max(1, steps_per_epoch))))


def build(arch: str, image_size: int, n_classes: int, seed: int = 0, steps_per_epoch: int = 30,
          mixstyle: float = 0.0) -> keras.Model:
    """A freshly initialised model. ``mixstyle`` > 0 adds MixStyle layers (compact only), which
    act in training alone; ``inference_copy`` gives the same weights without them."""
    keras.utils.set_random_seed(seed)
    if arch == "seed":
        if mixstyle:
            raise ValueError("MixStyle needs the compact architecture; seed is the tutorial's network as it was")
        return seed_cnn(image_size, n_classes)
    if arch == "compact":
        return compact_cnn(image_size, n_classes, momentum=bn_momentum(steps_per_epoch), mixstyle=mixstyle, seed=seed)
    raise ValueError(f"unknown architecture {arch!r}; choose one of {', '.join(ARCHS)}")


def inference_copy(model: keras.Model) -> keras.Model:
    """The model without its training-only MixStyle layers, sharing its layers and so its
    weights (MixStyle has none), so every saved file is a plain network that loads anywhere.
    compact_cnn is a chain of layers, so leaving a layer out is all it takes."""
    if not any(isinstance(layer, MixStyle) for layer in model.layers):
        return model
    x = inputs = keras.Input(model.inputs[0].shape[1:], name="image")
    for layer in model.layers[1:]:
        if not isinstance(layer, MixStyle):
            x = layer(x)
    return keras.Model(inputs, x, name=model.name)


class MixStyle(layers.Layer):
    """MixStyle (Zhou et al., ICLR 2021), a domain-generalisation layer that acts in training only.

    With probability ``p`` per batch, each image's per-channel feature mean and standard deviation
    (its "style": exposure, contrast, sharpening and texture statistics, much of what tells one
    hospital's films from another's) are replaced by a Beta(alpha, alpha) mix of its own and a
    random batch-mate's, so the class must be read from what is left. At inference it is the
    identity and is left out of saved models (``inference_copy``).
    """

    def __init__(self, p: float = 0.5, alpha: float = 0.1, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.p, self.alpha = p, alpha
        self.seeds = keras.random.SeedGenerator(seed)

    def call(self, x, training=False):
        if not training:
            return x
        n = ops.shape(x)[0]
        mu = ops.stop_gradient(ops.mean(x, axis=(1, 2), keepdims=True))
        sig = ops.stop_gradient(ops.sqrt(ops.var(x, axis=(1, 2), keepdims=True) + 1e-6))
        lam = keras.random.beta((n, 1, 1, 1), self.alpha, self.alpha, seed=self.seeds)
        perm = keras.random.shuffle(ops.arange(n), seed=self.seeds)
        mu2, sig2 = ops.take(mu, perm, axis=0), ops.take(sig, perm, axis=0)
        mixed = (x - mu) / sig * (lam * sig + (1 - lam) * sig2) + lam * mu + (1 - lam) * mu2
        return ops.where(keras.random.uniform((), seed=self.seeds) < self.p, mixed, x)


def average_logits(members: list[keras.Model], name: str = "ensemble") -> keras.Model:
    """One model whose logits are the mean of its members' logits (a deep ensemble in one file).

    Members trained from different random starts make different mistakes. On cxr-dev COVID vs
    Normal (five runs on one split, every triple of them) the mean of three scored +2.2 points
    balanced accuracy and +1.6 points Hannover COVID sensitivity over single runs, with a lower
    negative log-likelihood (benchmarks/RESULTS.md, "Ensembles"). It is not shipped by default
    because it triples the file (three members break the size target, 0.5% of seed's int8 file);
    by default it is the teacher that one compact model is distilled from (train/distill.py).
    Logits, not probabilities, are averaged: an Average layer becomes int8 ADD and MUL ops on
    the device, and the output stays logits for the calibration temperature.
    """
    if len(members) == 1:
        return members[0]
    inputs = keras.Input(members[0].inputs[0].shape[1:], name="image")
    for k, m in enumerate(members):
        m.name = f"{m.name}_{k}"
    outputs = layers.Average(name="logits")([m(inputs) for m in members])
    return keras.Model(inputs, outputs, name=name)


def seed_cnn(image_size: int, n_classes: int) -> keras.Model:
    """The tutorial's network, layer for layer (its final softmax moved into edge)."""
    inputs = keras.Input((image_size, image_size, 3), name="image")
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(32, 5, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 5, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(512, activation="relu")(x)
    outputs = layers.Dense(n_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="seed")


def _conv_bn(x, filters: int, momentum: float, strides: int = 1):
    x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(momentum=momentum)(x)
    return layers.ReLU(6.0)(x)


def compact_cnn(image_size: int, n_classes: int, widths: tuple[int, ...] = (16, 32, 32, 64, 64, 80),
                dropout: float = 0.3, momentum: float = 0.9, mixstyle: float = 0.0, seed: int = 0) -> keras.Model:
    """A small edge-first CNN: strided stem, three stages of 3x3 convolutions, global pooling.

    About 117k parameters and ~30M multiply-accumulates at 128x128: fast on a Pi, and too small
    to memorise a hospital's quirks pixel by pixel. Plain 3x3 convolutions rather than
    depthwise-separable ones: on cxr-dev COVID vs Normal they scored 0.935 vs 0.889 balanced
    accuracy at similar cost, and with many weights per channel the per-channel int8
    quantization parameters stay a small part of the file (int8 = 0.28 of fp32).
    Global average pooling makes the decision depend on patterns anywhere in the lungs.
    ``mixstyle`` > 0 puts MixStyle layers (training only) after the first two poolings.
    """
    w = widths
    inputs = keras.Input((image_size, image_size, 1), name="image")
    # One multiply, no offset: in a full-int8 model 0..255 maps exactly onto 256 int8 levels,
    # where scale-then-shift adds two requantization steps (measured: the first convolution's
    # error rose to 0.45 of its quantization step). Zero padding then equals the black bars.
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = _conv_bn(x, w[0], momentum, strides=2)
    x = layers.MaxPooling2D()(x)  # 1/4
    if mixstyle:
        x = MixStyle(mixstyle, seed=seed)(x)
    x = _conv_bn(x, w[1], momentum)
    x = _conv_bn(x, w[2], momentum)
    x = layers.MaxPooling2D()(x)  # 1/8
    if mixstyle:
        x = MixStyle(mixstyle, seed=seed + 1)(x)
    x = _conv_bn(x, w[3], momentum)
    x = _conv_bn(x, w[4], momentum)
    x = layers.MaxPooling2D()(x)  # 1/16
    x = _conv_bn(x, w[5], momentum)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(n_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="compact")
