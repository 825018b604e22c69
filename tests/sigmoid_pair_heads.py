"""The tiny Keras heads whose two outputs are (or only look like) a sigmoid's [1 - p, p], as people write them, shared
by the tests of edge.sigmoid_pair: one unit of a sigmoid taken (split, unstack, take, gather, gather_nd, slice), its 1
given as ones_like, sigmoid(-z) beside sigmoid(z), and joins that are no distribution. ``build`` converts each by the
real TFLiteConverter in the kinds of tests.foreign_exports.export (float, float16, dynamic, int8)."""

from __future__ import annotations

from pathlib import Path

from tests.foreign_exports import export

# Read as probabilities (SIGMOID_PAIR): sigmoid(4.18) = 0.9849 as the second output of every film.
TAKEN = ["split", "split sizes", "unstack", "take", "gather", "slice", "ones_like", "ones of shape"]
NEGATED = ["neg", "negative", "times -1", "-1 times", "0 minus", "p first"]
# tf.gather_nd (GATHER_ND), and two GATHERs (GATHER_NDs) of one unit the converter leaves apart: axis=-1 beside
# axis=1 (one index tensor), int64 indices beside int32 ones (two). Read as logits up to 0.53.0.
GATHERED = ["gather_nd", "gather_nd batch", "two gathers axes", "two gathers index types", "two gather_nds"]
# Read as logits: none is a distribution.
NO_PAIRS = ["1 - first half, second half", "1 - take 0, take 1", "1 - ones + p", "-a beside b", "times -2",
            "several units", "two gathers 0 and 1", "two gathers of two sigmoids", "two gather_nds 0 and 1",
            "two gathers at run-time indices"]


def heads() -> dict:
    """name -> a function of a Keras input giving the model's output."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras
    import tensorflow as tf

    L, ops = keras.layers, keras.ops

    class TF(L.Layer):  # tf code in a layer of its own, as people write it where keras.ops has no such call
        def __init__(self, fn, **kw):
            super().__init__(**kw)
            self.fn = fn

        def call(self, t):
            return self.fn(t)

    def features(inp):
        return L.GlobalAveragePooling2D()(L.Conv2D(4, 3, activation="relu")(L.Rescaling(1 / 255.0)(inp)))

    def two_units(inp, bias=(-1.0, 4.18)):  # sigmoid(-1) = 0.2689, sigmoid(4.18) = 0.9849
        return L.Dense(len(bias), activation="sigmoid", kernel_initializer="zeros",
                       bias_initializer=keras.initializers.Constant(list(bias)))(features(inp))

    def z_of(inp, bias=4.18, units=1):  # a linear Dense: z, not yet a sigmoid
        return L.Dense(units, kernel_initializer="zeros", bias_initializer=keras.initializers.Constant(bias))(
            features(inp))

    one_unit = lambda inp: L.Lambda(lambda s: s[:, 1:])(two_units(inp))  # noqa: E731
    join = lambda q: ops.concatenate([1 - q, q], axis=1)  # noqa: E731
    tf_join = lambda b: tf.concat([1 - b, b], 1)  # noqa: E731
    sig = lambda a, b: ops.concatenate([ops.sigmoid(a), ops.sigmoid(b)], axis=1)  # noqa: E731
    i64 = lambda v: tf.constant(v, tf.int64)  # noqa: E731
    nd = lambda s, at: tf.reshape(tf.gather_nd(s, at), (-1, 1))  # noqa: E731
    two = lambda fn: lambda inp: TF(fn)(two_units(inp))  # noqa: E731
    return {
        "split": lambda inp: join(ops.split(two_units(inp), 2, axis=1)[1]),
        "split sizes": two(lambda s: tf_join(tf.split(s, [1, 1], 1)[1])),
        "unstack": lambda inp: (lambda q: ops.stack([1 - q, q], axis=1))(ops.unstack(two_units(inp), axis=1)[1]),
        "take": lambda inp: (lambda q: ops.stack([1 - q, q], axis=1))(ops.take(two_units(inp), 1, axis=1)),
        "gather": two(lambda s: tf_join(tf.gather(s, [1], axis=1))),
        "slice": two(lambda s: tf_join(tf.slice(s, [0, 1], [-1, 1]))),
        "ones_like": lambda inp: (lambda p: ops.concatenate([ops.ones_like(p) - p, p], axis=1))(one_unit(inp)),
        "ones of shape": lambda inp: TF(lambda p: tf.concat([tf.ones(tf.shape(p)) - p, p], 1))(one_unit(inp)),
        "neg": lambda inp: (lambda z: sig(-z, z))(z_of(inp)),
        "negative": lambda inp: (lambda z: sig(ops.negative(z), z))(z_of(inp)),
        "times -1": lambda inp: (lambda z: sig(z * -1, z))(z_of(inp)),
        "-1 times": lambda inp: (lambda z: sig(ops.multiply(-1.0, z), z))(z_of(inp)),
        "0 minus": lambda inp: (lambda z: sig(0 - z, z))(z_of(inp)),
        "p first": lambda inp: (lambda z: sig(z, -z))(z_of(inp, -4.18)),  # sigmoid(z) first: z = -4.18
        "gather_nd": two(lambda s: tf_join(nd(s, [[0, 1]]))),
        "gather_nd batch": two(lambda s: tf_join(tf.gather_nd(s, [[1]], batch_dims=1)[:, None])),
        "two gathers axes": two(lambda s: tf.concat([1 - tf.gather(s, [1], axis=-1), tf.gather(s, [1], axis=1)], 1)),
        "two gathers index types": two(lambda s: tf.concat([1 - tf.gather(s, i64([1]), axis=1),
                                                            tf.gather(s, [1], axis=1)], 1)),
        "two gather_nds": two(lambda s: tf.concat([1 - nd(s, i64([[0, 1]])), nd(s, [[0, 1]])], 1)),
        "1 - first half, second half": lambda inp: (lambda ab: ops.concatenate([1 - ab[0], ab[1]], axis=1))(
            ops.split(two_units(inp), 2, axis=1)),
        "1 - take 0, take 1": lambda inp: (lambda s: ops.stack([1 - ops.take(s, 0, axis=1), ops.take(s, 1, axis=1)],
                                                              axis=1))(two_units(inp)),
        "1 - ones + p": lambda inp: (lambda p: ops.concatenate([ops.ones_like(p) - (p + p), p], axis=1))(
            one_unit(inp)),
        "-a beside b": lambda inp: sig(-z_of(inp), z_of(inp, 1.0)),
        "times -2": lambda inp: (lambda z: sig(z * -2, z))(z_of(inp)),
        "several units": lambda inp: (lambda z: sig(-z, z))(z_of(inp, units=2)),
        "two gathers 0 and 1": two(lambda s: tf.concat([1 - tf.gather(s, i64([0]), axis=1),
                                                        tf.gather(s, [1], axis=1)], 1)),
        "two gathers of two sigmoids": lambda inp: TF(lambda ab: tf.concat([1 - tf.gather(ab[0], i64([1]), axis=1),
                                                                            tf.gather(ab[1], [1], axis=1)], 1))(
            [two_units(inp, (4.18, -1.0)), two_units(inp)]),
        "two gathers at run-time indices": two(lambda s: tf.concat([1 - tf.gather(s, tf.argmin(s, 1), axis=1),
                                                                    tf.gather(s, tf.argmax(s, 1), axis=1)], 1)),
        "two gather_nds 0 and 1": two(lambda s: tf.concat([1 - nd(s, i64([[0, 0]])), nd(s, [[0, 1]])], 1)),
        # one address, [0, 1, 0], into two reshapes of four units: s[2] = 0.5 and s[1] = 0.985 (session 70's review)
        "two gather_nds of two reshapes": lambda inp: TF(lambda s: tf.concat(
            [1 - nd(tf.reshape(s, (-1, 2, 2)), [[0, 1, 0]]), nd(tf.reshape(s, (-1, 4, 1)), [[0, 1, 0]])], 1))(
            two_units(inp, (-1.0, 4.18, 0.0, 2.0))),
    }


def build(names: list[str], kinds: list[str], folder: Path) -> dict[str, Path]:
    """"name_kind" -> the path of each head in ``names`` converted in each of ``kinds``."""
    every, made = heads(), {}
    import keras

    keras.utils.set_random_seed(0)
    for name in names:
        inp = keras.Input((32, 32, 1))
        model = keras.Model(inp, every[name](inp))
        for kind in kinds:
            made[f"{name}_{kind}"] = export(model, folder / f"{name}_{kind}.tflite", kind)
    return made
