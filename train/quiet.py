"""Keep TensorFlow's start-up chatter (CUDA probing, oneDNN notes) off the user's terminal.

TensorFlow 2.21 logs through absl before any setting is read, so the only reliable way is to
point file descriptor 2 at /dev/null while it is imported. Errors still surface as exceptions.
"""

from __future__ import annotations

import os
import sys

from edge.runtime import silenced_fd

__all__ = ["load_tensorflow", "silenced_fd"]

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def load_tensorflow() -> None:
    """Import TensorFlow and Keras once, quietly; later imports are free and silent."""
    if "tensorflow" in sys.modules:
        return
    try:
        with silenced_fd(2):
            import tensorflow  # noqa: F401
            import keras  # noqa: F401
    except ImportError:
        prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "cxr-edge"
        print(f"{prog}: error: this command needs TensorFlow: pip install 'cxr-edge[train]' (the device part, "
              "edge-classify, does not)", file=sys.stderr)
        raise SystemExit(2) from None  # a usage error, as the README's exit codes say
