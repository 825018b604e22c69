"""Pinned values of the paired sensitivity-change interval (convert/gap_intervals.py). The older tests only asked
that the interval hold the point change, which a sign-flipped or model-swapped interval also does: these pin the
direction (the .tflite file's sensitivity minus Keras's) and the limits.

Expected limits computed by hand (Newcombe's method 10): 9 COVID films, Keras right on all 9, the file on 8.
p_file = 8/9, p_keras = 1; Wilson 95% (z = 1.95996) of 8/9 = [0.56500, 0.98011], of 9/9 = [0.70085, 1]; no film is
missed by both, so the phi term's denominator is 0 and phi = 0. Low = (8/9 - 1) - sqrt((8/9 - 0.56500)^2 + 0^2)
= -0.43500; high = (8/9 - 1) + sqrt((0.98011 - 8/9)^2 + (1 - 0.70085)^2) = +0.20160 -> [-43.5, 20.16] points.
With the models' roles swapped the difference flips sign: [-20.16, 43.5]."""

import numpy as np

from convert.gap_intervals import sensitivity_gap_intervals

CLASSES = ["COVID", "Normal"]


def _probs(labels, n_classes=2):
    p = np.full((len(labels), n_classes), 0.2)
    p[np.arange(len(labels)), labels] = 0.8
    return p


def _one_covid_film_flipped():
    y = np.array([0] * 9 + [1] * 9)
    keras = y.copy()
    tflite = y.copy()
    tflite[0] = 1  # the .tflite file misses one COVID film Keras got
    return y, keras, tflite


def test_file_worse_than_keras_leans_negative():
    y, keras, tflite = _one_covid_film_flipped()
    ci = sensitivity_gap_intervals(y, _probs(keras), _probs(tflite), CLASSES)
    assert ci["COVID"] == [-43.5, 20.16]


def test_file_better_than_keras_leans_positive():
    y, keras, tflite = _one_covid_film_flipped()
    ci = sensitivity_gap_intervals(y, _probs(tflite), _probs(keras), CLASSES)
    assert ci["COVID"] == [-20.16, 43.5]
