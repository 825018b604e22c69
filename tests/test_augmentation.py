"""Training augmentation (train.pipeline): what it simulates reaches the images."""

from __future__ import annotations

import numpy as np
import pytest


def test_training_augmentation_includes_vendor_processing():
    tf = pytest.importorskip("tensorflow")
    from train.pipeline import photometric

    x = np.zeros((256, 32, 32, 1), np.float32)
    x[:, :, 16:], x[:, :, :16] = 180.0, 80.0
    y = photometric(tf.constant(x), tf.constant([3, 4])).numpy()
    # Far from the edge, only gamma, contrast and noise act; next to it, some images overshoot
    # (brighter than the bright side's far field), which gamma, contrast, blur and noise never do.
    far, near = np.median(y[:, 10:22, 26:30], axis=(1, 2, 3)), y[:, 10:22, 16:18].mean(axis=(1, 2, 3))
    share = float((near > far + 15).mean())
    assert 0.15 < share < 0.6, share


def test_letterbox_bars_come_in_both_shapes_on_about_half_the_images():
    tf = pytest.importorskip("tensorflow")
    from train.pipeline import letterbox

    x = np.full((400, 40, 40, 1), 100.0, np.float32)
    y = letterbox(tf.constant(x), tf.constant([5, 6], tf.int64), p=0.5, most=0.15).numpy()[..., 0]
    blank_rows = (y == 0).all(axis=2).sum(axis=1)  # rows wholly blanked, per image
    blank_cols = (y == 0).all(axis=1).sum(axis=1)
    changed = (y == 0).any(axis=(1, 2))
    assert 0.4 < changed.mean() < 0.6
    # Bars are rows (a landscape film's) or columns (a portrait film's), never both in one image...
    assert ((blank_rows > 0) & (blank_cols > 0)).sum() == 0
    assert 0.35 < (blank_rows > 0).sum() / changed.sum() < 0.65
    # ...each at most 15% of the side at either end, and everything between them untouched.
    assert blank_rows.max() <= 2 * 6 and blank_cols.max() <= 2 * 6
    assert set(np.unique(y)) == {0.0, 100.0}
    for img, r, c in zip(y, blank_rows, blank_cols):
        if r:
            kept = np.flatnonzero((img != 0).any(axis=1))
            assert kept[-1] - kept[0] + 1 == 40 - r and kept[0] <= 6 and 40 - 1 - kept[-1] <= 6
        if c:
            kept = np.flatnonzero((img != 0).any(axis=0))
            assert kept[-1] - kept[0] + 1 == 40 - c


def test_training_augmentation_letterboxes_about_half_the_images():
    tf = pytest.importorskip("tensorflow")
    from train.pipeline import augment_batch, marker_bank

    x = tf.constant(np.full((200, 32, 32, 1), 200.0, np.float32))

    def no_geometry(images, training):  # so that any dark bar comes from the letterbox step
        return images

    y = augment_batch(x, tf.constant([1, 2], tf.int64), no_geometry, tf.constant(marker_bank(32))).numpy()[..., 0]
    barred = (y < 40).all(axis=2).any(axis=1) | (y < 40).all(axis=1).any(axis=1)
    assert 0.35 < barred.mean() < 0.65, barred.mean()


def test_amplitude_mixing_moves_exposure_towards_a_batch_mate_and_keeps_the_structure():
    tf = pytest.importorskip("tensorflow")
    from train.pipeline import amplitude_mix

    rng = np.random.default_rng(0)
    pattern = rng.normal(0, 10, (2, 32, 32, 1)).astype(np.float32)
    x = np.concatenate([pattern[:1] + 80.0, pattern[1:] + 170.0])  # a dark and a bright film
    off = amplitude_mix(tf.constant(x), tf.constant([1, 2], tf.int64), p=0.0, most=1.0).numpy()
    np.testing.assert_allclose(off, x, atol=1e-3)
    y = amplitude_mix(tf.constant(x), tf.constant([1, 2], tf.int64), p=1.0, most=1.0).numpy()
    means = y.mean(axis=(1, 2, 3))
    # Each film's mean brightness (the spectrum's zero-frequency amplitude) moves towards the other's...
    assert 80.0 < means[0] < 170.0 and 80.0 < means[1] < 170.0
    assert abs(means[0] - 80.0) + abs(means[1] - 170.0) > 5.0
    # ...while the phase keeps each film's own pattern, not its batch-mate's.
    for i in (0, 1):
        own = np.corrcoef(y[i].ravel(), pattern[i].ravel())[0, 1]
        other = np.corrcoef(y[i].ravel(), pattern[1 - i].ravel())[0, 1]
        assert own > 0.6 and abs(other) < 0.2, (own, other)
    # A batch of one film mixes with itself: nothing changes.
    same = amplitude_mix(tf.constant(x[:1]), tf.constant([1, 2], tf.int64), p=1.0, most=1.0).numpy()
    np.testing.assert_allclose(same, x[:1], atol=1e-2)


def test_amplitude_mixing_of_the_fine_scales_only_leaves_exposure_alone():
    tf = pytest.importorskip("tensorflow")
    from train.pipeline import amplitude_mix

    rng = np.random.default_rng(1)
    ramp = np.linspace(60, 120, 32, dtype=np.float32)[None, :, None, None]
    smooth = ramp + rng.normal(0, 1, (1, 32, 32, 1)).astype(np.float32)  # faint grain: phases everywhere
    x = np.concatenate([smooth, 140.0 + rng.normal(0, 20, (1, 32, 32, 1)).astype(np.float32)])
    y = amplitude_mix(tf.constant(x), tf.constant([3, 4], tf.int64), p=1.0, most=1.0, lowest=0.25).numpy()
    np.testing.assert_allclose(y.mean(axis=(1, 2, 3)), x.mean(axis=(1, 2, 3)), atol=1.0)
    # The smooth film takes on grain, the grainy one loses some: fine-scale energy moves between them.
    grain = lambda a: np.abs(np.diff(a[..., 0], axis=1)).mean()  # noqa: E731
    assert grain(y[0]) > 2 * grain(x[0]) and grain(y[1]) < 0.9 * grain(x[1])


def test_training_batches_are_the_same_for_the_same_seed():
    """The same seed must give the same augmented batches, so that a run can be repeated exactly
    (the geometric layers' stateful draws once went to batches in thread order)."""
    pytest.importorskip("tensorflow")
    import keras

    from train.pipeline import make_dataset

    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 255, (256, 48, 48, 1), dtype=np.uint8), rng.integers(0, 2, 256)

    def batches(seed):
        keras.utils.set_random_seed(seed)
        return [b.numpy() for b, _ in make_dataset(x, y, 16, training=True, seed=seed).take(16)]

    first, again, other = batches(0), batches(0), batches(1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not any(np.array_equal(a, b) for a, b in zip(first, other))


def test_validation_batches_are_not_augmented():
    """Validation films were augmented like training ones: val_loss, and so early stopping, the kept
    epoch and the temperature, were measured on randomly altered films."""
    pytest.importorskip("tensorflow")
    from train.pipeline import make_dataset

    x = np.random.default_rng(0).integers(0, 256, (8, 32, 32, 1), dtype=np.uint8)
    y = np.arange(8) % 2
    got = np.concatenate([b[0].numpy() for b in make_dataset(x, y, 4, training=False, seed=1, augment=True)])
    assert np.array_equal(got, x.astype(np.float32))


def test_augmented_pixels_stay_in_the_device_range():
    """Contrast, gamma and noise pushed pixels below 0 and above 255: the model trained on inputs the
    device never sends."""
    tf = pytest.importorskip("tensorflow")
    from train.pipeline import photometric

    x = np.tile(np.array([0.0, 255.0], np.float32), (16, 32, 16, 1)).reshape(16, 32, 32, 1)  # black and white columns
    out = photometric(tf.constant(x), tf.constant([3, 4], tf.int64)).numpy()
    assert out.min() >= 0.0 and out.max() <= 255.0
