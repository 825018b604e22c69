"""Ctrl-C and SIGTERM as one thing, and never lost.

Every command takes SIGTERM (a service manager's stop, `timeout`, `docker stop`) as Ctrl-C: a
KeyboardInterrupt, said in one line, with nothing half-written left. Inside TensorFlow a
KeyboardInterrupt can be raised in a garbage-collector or weakref callback, where Python prints
"Exception ignored" (to a silenced stderr, in the converter) and drops it: the work then ran to
the end and exited 0. ``kept_interrupts`` remembers the signal so that the work can ask again."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Callable, Iterator


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Inside: SIGTERM (a service manager's stop) raises KeyboardInterrupt, as Ctrl-C does, so
    both end a watch the same way, with its summary."""
    def stop(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def kept_interrupts() -> Iterator[Callable[[], None]]:
    """Inside: Ctrl-C and SIGTERM raise KeyboardInterrupt at once, as usual, and are remembered;
    the yielded ``check()`` raises it again where it was lost. Call it before anything is kept (a
    staged report moved into place). An error raised after a signal leaves as the KeyboardInterrupt it
    stands for: TensorFlow sometimes turns a Ctrl-C in its first epoch into another exception, which
    was said as an "unexpected RuntimeError", exit 2, where a stop says "interrupted", exit 130. A signal ignored where the command started (SIGINT in a
    background job) stays ignored; off the main thread nothing changes."""
    asked: list[int] = []

    def check() -> None:
        if asked:
            raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield check
        return

    def stop(signum, frame):
        asked.append(signum)
        raise KeyboardInterrupt

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig, handler in previous.items():
        if handler not in (signal.SIG_IGN, None):
            signal.signal(sig, stop)
    try:
        yield check
    except Exception:
        if asked:  # a stop a library turned into another error (TensorFlow: a pybind11 MISMATCH, a SystemError) is a stop
            raise KeyboardInterrupt from None
        raise
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)
