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


def _no_geometry(images: tf.Tensor, training: bool) -> tf.Tensor:
    """A geometric stage that does nothing, so that what a test sees comes from the other stages."""
    return images


def test_training_batches_have_markers_burnt_in():
    """Black images through augment_batch: photometric keeps black near black (gamma and contrast of 0 stay 0,
    noise of sigma up to 8 reaches some 40 at most over 64x64 pixels), so an image with a pixel above 90 holds a
    marker (pasted at 170..255, about half the images: 19 to 32 of 64 over seeds [s, s + 1], s = 0..19).
    Without burn_markers in augment_batch none had one."""
    x = tf.zeros((64, 64, 64, 1))
    out = augment_batch(x, tf.constant([3, 9], tf.int64), _no_geometry, tf.constant(marker_bank(64))).numpy()
    marked = int((out.max(axis=(1, 2, 3)) > 90).sum())
    assert 12 <= marked <= 52, marked


def test_photometric_changes_contrast_beyond_what_gamma_gives():
    """Left half 80, right half 180, 64 images: far from the step (where no sharpening, blur or local mean reaches)
    gamma alone, exp(-0.35..0.35), leaves the halves 87 to 106 apart (255 * ((180/255) ** g - (80/255) ** g));
    contrast 0.8..1.2 about the image's mean widens that to about 69..127. Medians over many pixels remove the
    noise. Without the contrast step no image's gap left 85..108; with it some fall outside each way (checked
    over seeds [s, s + 1], s = 0..19: 2 to 20 below, 8 to 20 above)."""
    x = np.zeros((64, 64, 64, 1), np.float32)
    x[:, :, :32], x[:, :, 32:] = 80.0, 180.0
    out = photometric(tf.constant(x), tf.constant([11, 12], tf.int64)).numpy()
    gap = np.median(out[:, 4:60, 44:60], axis=(1, 2, 3)) - np.median(out[:, 4:60, 4:20], axis=(1, 2, 3))
    assert (gap < 85).sum() >= 1 and (gap > 108).sum() >= 1, np.sort(gap)


def test_photometric_blurs_about_a_third_of_the_images():
    """A one-pixel bright line on a dark field: sharpening only darkens its neighbours, but the blur (5-tap
    binomial, after the sharpening) gives them at least 4/16 of the line's height (with a fine unsharp mask of
    amount f first, (4 + f / 2) / 16). So a neighbour clearly brighter than the pixels three away marks a blurred
    image: about 30% of them. Averaging the column over 48 rows keeps noise to about 1. Without the blur none
    was (checked over seeds [s, s + 1], s = 0..19: 12 to 29 of 64 blurred; the others' lift is below 0)."""
    x = np.full((64, 64, 64, 1), 50.0, np.float32)
    x[:, :, 36] = 200.0
    out = photometric(tf.constant(x), tf.constant([13, 14], tf.int64)).numpy()
    p = out[:, 8:56, :, 0].mean(axis=1)  # (images, columns)
    lift = (p[:, 35] + p[:, 37]) / 2 - (p[:, 33] + p[:, 39]) / 2
    blurred = int((lift > 8).sum())
    assert 6 <= blurred <= 40, np.sort(lift)


def test_training_films_are_shuffled_anew_each_epoch():
    """Labels 0..31 in order, augmentation off: a training epoch gives them in another order, and the next epoch in
    yet another (a fixed order repeated each epoch would let batch composition leak into training). Validation
    keeps the order. Without the shuffle, training gave 0..31 in order."""
    x = np.zeros((32, 8, 8, 1), np.uint8)
    y = np.arange(32)
    ds = make_dataset(x, y, 8, training=True, seed=4, augment=False)
    first, second = (np.concatenate([b[1].numpy() for b in ds]) for _ in range(2))
    assert sorted(first) == sorted(second) == list(range(32))
    assert not np.array_equal(first, y) and not np.array_equal(first, second)
    held = np.concatenate([b[1].numpy() for b in make_dataset(x, y, 8, training=False)])
    assert np.array_equal(held, y)


def test_the_geometric_stage_rotates():
    """A horizontal bright band: zoom (height and width apart) and shift keep it horizontal, only rotation
    (up to 0.03 of a turn, about 11 degrees) tilts it. Its brightness-weighted row, measured at the left and
    right quarters, differs by over a row in most images (23 to 29 of 32 for geometric(0..9)). Without the rotation
    layer no image tilted by 1 row."""
    from train.pipeline import geometric

    x = np.zeros((32, 64, 64, 1), np.float32)
    x[:, 30:34] = 255.0
    out = geometric(5)(tf.constant(x), training=True).numpy()[..., 0]
    rows = np.arange(64, dtype=np.float64)[None, :, None]
    centre = (out * rows).sum(axis=1) / np.maximum(out.sum(axis=1), 1e-6)  # (images, columns)
    tilt = np.abs(centre[:, 16] - centre[:, 48])
    assert (tilt > 1.0).sum() >= 8, np.sort(tilt)


def test_the_geometric_stage_shifts():
    """A small bright square at the centre: rotation and zoom turn and scale about the centre and leave it there,
    only the shift (up to 6% of the side, 3.8 pixels) moves its centre of brightness: by over a pixel in 28 to 32 of
    32 images for geometric(0..9). Without the translation layer no image's centre moved by a pixel."""
    from train.pipeline import geometric

    x = np.zeros((32, 64, 64, 1), np.float32)
    x[:, 28:36, 28:36] = 255.0
    out = geometric(6)(tf.constant(x), training=True).numpy()[..., 0]
    grid = np.arange(64, dtype=np.float64)
    mass = out.sum(axis=(1, 2))
    cy = (out.sum(axis=2) * grid).sum(axis=1) / mass
    cx = (out.sum(axis=1) * grid).sum(axis=1) / mass
    moved = np.hypot(cy - 31.5, cx - 31.5)
    assert (moved > 1.0).sum() >= 8, np.sort(moved)
