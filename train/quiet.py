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
    """Import TensorFlow and Keras once, quietly; later imports are free and silent.

    Its failures are told apart, since fd 2 is silenced while they happen: absent (the [train]
    extra is not installed), present but broken (a missing shared library, a wrong numpy), and a
    Ctrl-C during the few seconds of the import."""
    if "tensorflow" in sys.modules:
        return
    prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "cxr-edge"
    try:
        with silenced_fd(2):
            import tensorflow
            import keras  # noqa: F401
        # Its Python warnings ('5 out of the last 5 calls ... triggered tf.function retracing') are
        # advice to TensorFlow's programmers, not to ours: errors still arrive as exceptions.
        tensorflow.get_logger().setLevel("ERROR")
    except KeyboardInterrupt:
        print(f"{prog}: interrupted while loading TensorFlow; nothing was written", file=sys.stderr)
        raise SystemExit(130) from None
    except ImportError as e:
        from edge.install_hint import install_hint

        absent = isinstance(e, ModuleNotFoundError) and (e.name or "").split(".")[0] in ("tensorflow", "keras")
        print(f"{prog}: error: " + (f"this command needs TensorFlow: {install_hint('train')} (the device "
                                    "part, edge-classify, does not)" if absent else
                                    f"TensorFlow is installed but could not be imported: {e}"), file=sys.stderr)
        raise SystemExit(2) from None  # a usage error, as the README's exit codes say


def require_matplotlib() -> None:
    """Refuse at once where matplotlib (the [train] extra) is missing: cxr-train's curves and
    cxr-convert's report are drawn at the end, and a device-only install with TensorFlow added by
    hand lost a whole training or conversion there to 'unexpected ModuleNotFoundError'."""
    prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "cxr-edge"
    try:
        import matplotlib  # noqa: F401
    except ImportError as e:
        from edge.install_hint import install_hint

        print(f"{prog}: error: this command draws its plots with matplotlib, which cannot be imported ({e}): "
              f"{install_hint('train')}", file=sys.stderr)
        raise SystemExit(2) from None
