"""The self-test of the model files cxr-edge 0.1.0 converted: ``selftest.npz``, its reference inputs already
preprocessed (uint8, the model's input shape) beside the probabilities the converting machine's runtime gave them.

From 0.2.0 on cxr-convert embeds encoded PNGs instead (``selftest.json``, edge.members.SELFTEST), so that the check
covers the device's decoder and preprocessing as well. A 0.1.0 file's arrays still check this device's interpreter
against the converting machine's: after an update of edge-classify such a file ran no self-test before its films, and
``--selftest`` said it carried none. Read with NumPy alone, never unpickled.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Container

import numpy as np

from edge.members import SELFTEST

NPZ = "selftest.npz"
CHECKS = "classify only: the inputs were stored preprocessed (a file of cxr-edge 0.1.0), not decoded here"


def has_selftest(files: Container[str]) -> bool:
    """Whether a model file's members hold a self-test this cxr-edge runs, of either kind."""
    return SELFTEST in files or NPZ in files


def npz_reference(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(uint8 inputs (N, H, W, C), expected probabilities (N, classes)) of a ``selftest.npz``; ValueError
    where it cannot be read or does not hold one row of probabilities for each input (a damaged file)."""
    try:
        loaded = np.load(io.BytesIO(data), allow_pickle=False)
        if not hasattr(loaded, "files"):  # a lone .npy array, not the archive of two that 0.1.0 wrote
            raise ValueError("not an .npz archive")
        with loaded:
            inputs, want = np.asarray(loaded["inputs"]), np.asarray(loaded["probabilities"], dtype=np.float64)
    except (OSError, EOFError, KeyError, ValueError, TypeError, zipfile.BadZipFile, zlib.error) as e:
        raise ValueError(f"{NPZ} cannot be read ({type(e).__name__}: {e})") from None
    if inputs.dtype != np.uint8 or inputs.ndim != 4 or want.ndim != 2 or len(inputs) != len(want) or not len(want):
        raise ValueError(f"{NPZ} holds inputs of {inputs.dtype} {inputs.shape} and probabilities {want.shape}, "
                         "not a uint8 batch with one row of probabilities for each input")
    return inputs, want
