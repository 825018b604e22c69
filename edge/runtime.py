"""Pick a TFLite interpreter: LiteRT where it exists, tflite-runtime on 32-bit Pis, TF last.

Set ``CXR_EDGE_RUNTIME`` to ``litert``, ``tflite_runtime`` or ``tensorflow`` to force one (the
test suite uses this to prove both device runtimes).
"""

from __future__ import annotations

import importlib
import os
import sys
from contextlib import contextmanager
from typing import Any, Iterator

from edge.interrupts import kept_interrupts
from edge.memory import short_of_memory

# (name, module, how to install it). TensorFlow's Interpreter is tf.lite.Interpreter, an attribute of
# its public API: the module named tensorflow.lite is its source package and has no Interpreter.
RUNTIMES = (
    ("litert", "ai_edge_litert.interpreter", "pip install ai-edge-litert"),
    ("tflite_runtime", "tflite_runtime.interpreter", "pip install 'tflite-runtime==2.14.*' 'numpy<2'"),
    ("tensorflow", "tensorflow", "pip install tensorflow"),
)


# More interpreter threads than this buys nothing on any device, and far more (--threads 100000)
# makes the runtime fail to start them and crash the process (edge-classify refuses them).
MAX_THREADS = 64


def usable_cores() -> int:
    """The cores this process may run on: those it is pinned to (taskset, systemd's CPUAffinity=), else all.
    A Pi pinned to one of its four cores decoded four large films at once, each waiting for the one core,
    with four films' memory held (1.2 GB on a 1 GB board)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


class RuntimeMissing(RuntimeError):
    pass


def interpreter_class() -> tuple[Any, str]:
    """Return (Interpreter class, runtime name), honouring CXR_EDGE_RUNTIME."""
    forced = os.environ.get("CXR_EDGE_RUNTIME", "").strip()
    candidates = [r for r in RUNTIMES if not forced or r[0] == forced]
    if not candidates:
        names = ", ".join(r[0] for r in RUNTIMES)
        raise RuntimeMissing(f"CXR_EDGE_RUNTIME={forced!r} is not one of: {names}")
    unusable: list[str] = []
    for name, module, _ in candidates:
        # a Ctrl-C or SIGTERM while an extension module starts comes out as its ImportError: a stop, never
        # "not installed" (the next runtime was tried: a watch's stop lost, and TensorFlow imported on a device)
        with kept_interrupts() as stopped:
            try:
                with silenced_fd(2):  # TensorFlow's start-up chatter
                    mod = importlib.import_module(module)
            except ImportError as e:
                stopped()
                if short_of_memory(e):  # installed, but its library could not be mapped: not "not installed"
                    raise
                continue
        if why := numpy_mismatch(name, runtime_version(name), _numpy_version()):
            unusable.append(why)
            continue
        return (mod.lite.Interpreter if name == "tensorflow" else mod.Interpreter), name
    if unusable:
        raise RuntimeMissing("; ".join(unusable))
    from edge.install_hint import own_pip  # only on this failure: it imports urllib (20 ms a start on a PC)

    hints = "; or ".join(own_pip(r[2]) for r in candidates)
    if forced:  # another runtime may well be installed: the one asked for is not
        raise RuntimeMissing(f"CXR_EDGE_RUNTIME={forced} asks for the {forced} runtime, which is not installed: {hints}; "
                             "or unset CXR_EDGE_RUNTIME to use the one that is")
    raise RuntimeMissing(f"no TFLite runtime is installed: {hints}")


def _numpy_version() -> str:
    import numpy

    return numpy.__version__


def numpy_mismatch(name: str, version: str, numpy_version: str) -> str | None:
    """Why a runtime cannot run with the NumPy installed, or None. tflite-runtime (2.14, its last
    release) was built against NumPy 1: under NumPy 2 it imports, and then every model fails with
    "<built-in method CreateWrapperFromBuffer ...> returned a result with an exception set", its
    own explanation printed where the runtime's start-up noise goes."""
    if name != "tflite_runtime" or not numpy_version.split(".")[0].isdigit() or int(numpy_version.split(".")[0]) < 2:
        return None
    from edge.install_hint import own_pip

    return own_pip(f"tflite-runtime {version} was built for NumPy 1 and cannot run with the NumPy {numpy_version} "
                   "installed here: pip install 'numpy<2' (or, where it installs, pip install ai-edge-litert)")


def runtime_version(name: str) -> str:
    from importlib import metadata

    dist = {"litert": "ai-edge-litert", "tflite_runtime": "tflite-runtime", "tensorflow": "tensorflow"}[name]
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


@contextmanager
def silenced_fd(fd: int = 2) -> Iterator[None]:
    """Point a file descriptor (stderr by default) at /dev/null inside the block.

    TFLite and TensorFlow write notes ("Created TensorFlow Lite XNNPACK delegate") straight to
    the C-level descriptors, past Python's sys.stderr; real errors still arrive as exceptions.
    """
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
