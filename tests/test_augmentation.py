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
