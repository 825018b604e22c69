"""train.distill pinned where a small change went unseen (hand mutation testing: each test here failed with one such
change in place, which the fast tests of tests/test_distill.py let through). The house models hold Dropout and
BatchNormalization, whose answers depend on Keras' training flag; the tiny linear models of tests/test_distill.py have
neither, so a teacher read in training mode, a student trained without its dropout, or a teacher trained along with
its student all passed there."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture(scope="module")
def keras():
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    return keras


def _dropping(keras, seed: int, rate: float = 0.5):
    """A linear model of an 8x8 image behind Dropout: its answers in training mode are not its answers otherwise."""
    keras.utils.set_random_seed(seed)
    i = keras.Input((8, 8, 1))
    return keras.Model(i, keras.layers.Dense(2)(keras.layers.Dropout(rate)(keras.layers.Flatten()(i))))


def _films(k: int, n: int = 4) -> np.ndarray:
    return np.random.default_rng(k).normal(size=(n, 8, 8, 1)).astype(np.float32)


def test_the_teacher_is_not_trained_along_with_its_student(keras):
    """A training step moves the student's weights and never the teacher's: the soft targets stay the teacher's."""
    from train.distill import Distiller

    student, teacher = _dropping(keras, 0, rate=0.0), _dropping(keras, 1, rate=0.0)
    before = [w.copy() for w in teacher.get_weights()]
    d = Distiller(student, teacher)
    d.compile(optimizer=keras.optimizers.SGD(0.5))
    start = [w.copy() for w in student.get_weights()]
    d.fit(_films(0, 8), np.array([0, 1] * 4), epochs=1, batch_size=8, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, teacher.get_weights()))
    assert not all(np.array_equal(a, b) for a, b in zip(start, student.get_weights()))


def test_the_teacher_answers_as_in_use_not_with_its_dropout(keras):
    """The soft targets are the teacher's answers as it would give them (training=False): the same films, the same
    loss, however often it is asked."""
    from train.distill import Distiller, distillation_loss

    student, teacher = _dropping(keras, 0, rate=0.0), _dropping(keras, 1, rate=0.9)
    d = Distiller(student, teacher)
    x, y = keras.ops.convert_to_tensor(_films(0)), keras.ops.convert_to_tensor(np.array([0, 1, 0, 1]))
    pred = student(x)
    want = float(keras.ops.mean(distillation_loss(teacher(x, training=False), pred, y, 2.0, 0.7)))
    for _ in range(3):
        assert float(d.compute_loss(x=x, y=y, y_pred=pred)) == pytest.approx(want, rel=1e-5)


def test_the_student_is_trained_with_its_dropout_on_both_views(keras):
    """In training the student's answers are its dropped-out ones: the view it is scored on, and with --consistency the
    second view it must agree with (two dropped-out answers of one film differ, so the term is not zero)."""
    from train.distill import Distiller

    student, teacher = _dropping(keras, 0, rate=0.5), _dropping(keras, 1, rate=0.0)
    x = keras.ops.convert_to_tensor(_films(0))
    d = Distiller(student, teacher)
    assert not np.allclose(np.asarray(d(x, training=True)), np.asarray(d(x, training=False)), atol=1e-4)
    d = Distiller(student, teacher, consistency=10.0)
    y = keras.ops.convert_to_tensor(np.array([0, 1, 0, 1]))
    pred = student(x, training=False)
    still = float(d.compute_loss(x=(x, x), y=y, y_pred=pred, training=False))  # the same film, both views undropped
    assert float(d.compute_loss(x=(x, x), y=y, y_pred=pred, training=True)) > still + 1e-3
