"""train.pipeline's augmentation pinned where a change would make it silently do nothing (found by hand mutation
testing, session 67: each test here failed with one small change in place, which tests/test_augmentation.py let
through: augmentation switched off for training, the geometric layers run in inference mode, no markers burnt in,
no gamma, no noise)."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from train.pipeline import augment_batch, burn_markers, make_dataset, marker_bank, photometric


def test_training_batches_are_augmented():
    """The same 8 flat grey images, one batch: with augmentation on, training batches differ from the images
    (noise alone, sigma up to 8, moves nearly every pixel); validation batches are the images as they are."""
    x = np.full((8, 32, 32, 1), 100, np.uint8)
    y = np.zeros(8, np.int64)
    train = next(iter(make_dataset(x, y, 8, training=True)))[0].numpy()
    held = next(iter(make_dataset(x, y, 8, training=False)))[0].numpy()
    assert (held == 100).all()
    assert np.abs(train - 100).mean() > 1.0


def test_the_geometric_layers_run_in_training_mode():
    """A geometric stage of one horizontal flip: run with training=True it flips about half the images (left half
    white, right half black turned round); in inference mode Keras's random layers do nothing, and none would be."""
    x = np.zeros((16, 32, 32, 1), np.float32)
    x[:, :, :16] = 255.0
    flip = keras.Sequential([keras.layers.RandomFlip("horizontal", seed=3)])
    out = augment_batch(tf.constant(x), tf.constant([1, 2], tf.int64), flip, tf.constant(marker_bank(32))).numpy()
    flipped = (out[:, :, 16:].mean(axis=(1, 2, 3)) > out[:, :, :16].mean(axis=(1, 2, 3))).sum()
    assert 2 <= flipped <= 14, flipped


def test_markers_are_burnt_into_about_the_share_asked():
    """Black images, a chance of 0.25: about 8 of 64 get a marker (some pixels above 0); none, or the
    complement (about 48), is a marker stage that does nothing or the opposite of what it is asked."""
    x = tf.zeros((64, 32, 32, 1))
    out = burn_markers(x, tf.constant([5, 6], tf.int64), tf.constant(marker_bank(32)), p=0.25).numpy()
    marked = int((out.max(axis=(1, 2, 3)) > 0).sum())
    assert 4 <= marked <= 28, marked


def test_photometric_changes_exposure_and_adds_noise():
    """Flat 64x64 images of 100: gamma exp(-0.35..0.35) takes each to 255 * (100/255) ** gamma, 68 to 133, so
    the images' means spread by some 65 (contrast leaves a flat image as it is; the blur's zero-padded edges move
    a mean by a few). Noise of sigma up to 8 leaves each image uneven (blur at most shrinks it). Without gamma the
    means stayed within 3 of 100; without noise each image is flat."""
    out = photometric(tf.fill((32, 64, 64, 1), 100.0), tf.constant([7, 8], tf.int64)).numpy()
    means = out.mean(axis=(1, 2, 3))
    assert means.max() - means.min() > 40, means
    assert (out.std(axis=(1, 2, 3)) > 0.5).sum() >= 24
