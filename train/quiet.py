"""Keep TensorFlow's start-up chatter (CUDA probing, oneDNN notes) off the user's terminal.

TensorFlow 2.21 logs through absl before any setting is read, so the only reliable way is to
point file descriptor 2 at /dev/null while it is imported. Errors still surface as exceptions.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


@contextmanager
def silenced_fd(fd: int = 2) -> Iterator[None]:
    """Redirect a file descriptor (stderr by default) to /dev/null inside the block."""
    stream = sys.stderr if fd == 2 else sys.stdout
    stream.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        stream.flush()
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def load_tensorflow() -> None:
    """Import TensorFlow and Keras once, quietly; later imports are free and silent."""
    if "tensorflow" in sys.modules:
        return
    try:
        with silenced_fd(2):
            import tensorflow  # noqa: F401
            import keras  # noqa: F401
    except ImportError:
        raise SystemExit(
            "this command needs TensorFlow: pip install 'cxr-edge[train]' (the device part, edge-classify, does not)"
        ) from None
