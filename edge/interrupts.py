"""Ctrl-C and SIGTERM as one thing, and never lost.

Every command takes SIGTERM (a service manager's stop, `timeout`, `docker stop`) as Ctrl-C: a
KeyboardInterrupt, said in one line, with nothing half-written left. Inside TensorFlow a
KeyboardInterrupt can be raised in a garbage-collector or weakref callback, where Python prints
"Exception ignored" (to a silenced stderr, in the converter) and drops it: the work then ran to
the end and exited 0. ``kept_interrupts`` remembers the signal so that the work can ask again."""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager
from typing import Callable, Iterator


_lost: list[str] = []  # stops Python dropped ("Exception ignored in ..."), not yet acted on (kept_interrupts)


def keep_lost_stops() -> None:
    """Have a Ctrl-C or SIGTERM that Python drops remembered, for kept_interrupts to act on: one landing in a
    callback (importlib's module-lock weakref callback while a command imports its modules) was printed as an
    "Exception ignored" traceback and lost, and a watch stopped so while it started ran on, its service manager's stop
    unheard until SIGKILL. Its traceback is not printed: the stop is said when it is acted on. Installed once."""
    previous = sys.unraisablehook
    if getattr(previous, "keeps_lost_stops", False):
        return

    def hook(unraisable) -> None:
        if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
            _lost.append(repr(unraisable.object))
            return
        previous(unraisable)

    hook.keeps_lost_stops = True
    sys.unraisablehook = hook


def said_if_stopped_late(prog: str, code: int | None) -> int | None:
    """130 after one line on stderr where a stop Python dropped (keep_lost_stops) is still pending as a command ends
    with its work done (``code`` 0, or 1 where some film failed or the gate did not pass); ``code`` otherwise. One
    dropped after the command's last check (late in a batch, in cxr-train's last steps, as cxr-convert or
    cxr-evaluate wrote its report) was swallowed without a word and the command exited as if never stopped (up to
    0.57.0 it printed an "Exception ignored" traceback). Its work is not undone: what it wrote is whole, and the line
    says so. Call it once the command's output is flushed and stops are ignored (ignore_stops)."""
    if not _lost or code not in (0, 1, None):  # an error, a stop or a gone reader already said is left as it was
        return code
    _lost.clear()
    if sys.stderr is not None:  # started with 2>&-: the exit code says it
        print(f"{prog}: error: interrupted; the stop came through only after its work was written: what it wrote and "
              "said above is complete", file=sys.stderr)
    return 130  # edge.cliutil's EXIT_INTERRUPTED: not imported here (Typer)


def forget_dropped_stops() -> None:
    """Drop the stops Python dropped that a stop acted on stands for (a watch's end, which takes its summary and exit
    0): said_if_stopped_late would say them after it, a second stop of one user's asking."""
    _lost.clear()


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Inside: SIGTERM (a service manager's stop) raises KeyboardInterrupt, as Ctrl-C does, so
    both end a watch the same way, with its summary. A SIGTERM ignored where the command started stays
    ignored, as edge.entry.start and kept_interrupts leave it: run_app's stopped such a command all the same."""
    def stop(signum, frame):
        raise KeyboardInterrupt

    if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        yield
        return
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def ignore_stops() -> None:
    """Ctrl-C and SIGTERM ignored from here on: for a command whose result is decided and said. Its last
    flush (to a slow reader), the cleanup of the stopped work and TensorFlow's teardown take up to two
    seconds more; a stop there printed a traceback or killed the process with 143 and no line, though
    everything was written. A Python handler cannot cover it: Python resets every signal it handles to
    the default as it shuts down, before the teardown; an ignored signal it leaves ignored. Kill -9
    still ends the process, and a reader that goes away ends a blocked flush."""
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)


@contextmanager
def kept_interrupts() -> Iterator[Callable[[], None]]:
    """Inside: Ctrl-C and SIGTERM raise KeyboardInterrupt at once, as usual, and are remembered;
    the yielded ``check()`` raises it again where it was lost. Call it before anything is kept (a
    staged report moved into place). An error raised after a signal leaves as the KeyboardInterrupt it
    stands for: TensorFlow sometimes turns a Ctrl-C in its first epoch into another exception, which
    was said as an "unexpected RuntimeError", exit 2, where a stop says "interrupted", exit 130. A signal ignored where the command started (SIGINT in a
    background job) stays ignored; off the main thread nothing changes. A stop Python dropped before it began
    (keep_lost_stops) is raised at its start."""
    asked: list[int] = []

    def check() -> None:
        if asked or _lost:
            _lost.clear()  # acted on once
            raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield check
        return

    check()  # a stop dropped before (while the command started: edge.entry) is acted on now

    def stop(signum, frame):
        asked.append(signum)
        raise KeyboardInterrupt

    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig, handler in previous.items():
        if handler not in (signal.SIG_IGN, None):
            signal.signal(sig, stop)
    try:
        yield check
    except KeyboardInterrupt:
        forget_dropped_stops()  # acted on, a dropped one with it: a watch's summary and exit 0 are not followed by a late stop's line
        raise
    except Exception:
        if asked:  # a stop a library turned into another error (TensorFlow: a pybind11 MISMATCH, a SystemError) is a stop
            _lost.clear()
            raise KeyboardInterrupt from None
        raise
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)


@contextmanager
def hangup_said(prog: str, line: str) -> Iterator[None]:
    """Inside: SIGHUP (a logrotate postrotate's ``kill -HUP``, the end of an ssh session) ends the process as before,
    killed by the signal (exit status 129 in a shell, the signal to a service manager), but after ``prog: line`` on
    stderr: it ended a watch without a word, and the journal showed a restart no line explained. A SIGHUP ignored
    where the command started (nohup) stays ignored; off the main thread, and where there is no SIGHUP (Windows),
    nothing changes."""
    hup = getattr(signal, "SIGHUP", None)
    if hup is None or threading.current_thread() is not threading.main_thread() or signal.getsignal(hup) != signal.SIG_DFL:
        yield
        return

    def hang_up(signum, frame):
        try:
            os.write(2, f"{prog}: {line}\n".encode("utf-8", "replace"))
        except OSError:  # stderr gone with the session: the signal still ends it
            pass
        signal.signal(hup, signal.SIG_DFL)
        os.kill(os.getpid(), hup)

    signal.signal(hup, hang_up)
    try:
        yield
    finally:
        signal.signal(hup, signal.SIG_DFL)
