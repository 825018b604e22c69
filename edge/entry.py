"""The console scripts' first code: Ctrl-C and SIGTERM said in one line from the first moment.

A command's modules (Typer, NumPy, a TFLite runtime; TensorFlow's helpers for cxr-train) take half a second
or more to import, on a Raspberry Pi several, and the command's own handlers came with them: a Ctrl-C
right after Enter printed a 30-line traceback, a SIGTERM killed the process with 143 and no line. So the
console scripts start here, where nothing heavy is imported before the handler is in place."""

from __future__ import annotations

import importlib
import signal
import sys
from contextlib import contextmanager
from collections.abc import Iterator

from edge.interrupts import keep_lost_stops  # the standard library's lighter modules only
from edge.memory import short_of_memory  # imports nothing: asked before NumPy could load

EXIT_INTERRUPTED = 130  # edge.cliutil's, which is not imported yet
EXIT_USAGE = 2


def _stop(signum, frame):
    raise KeyboardInterrupt


def start(prog: str, module: str, function: str) -> None:
    """Import ``module`` and call its ``function`` (a command's run_app), with SIGTERM taken as Ctrl-C from the
    start, and a stop while it imports said in one line, exit code 130. A signal ignored where the command was
    started (SIGTERM under nohup-like wrappers, SIGINT in a background job) stays ignored. A stop that Python drops
    meanwhile (raised in a callback of its import machinery) is kept for the command's next check (edge.interrupts)."""
    keep_lost_stops()
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _stop)
    try:
        with starting(prog):
            main = getattr(importlib.import_module(module), function)
            importlib.import_module("edge.cliutil")  # what main imports first
    except (MemoryError, ImportError, OSError) as e:
        if not short_of_memory(e):
            raise
        if sys.stderr is not None:
            print(f"{prog}: error: not enough memory to start ({_first_line(e)}); nothing was read or written: is a "
                  "memory limit set (ulimit -v, systemd's LimitAS= or MemoryMax=), or is other software using the "
                  "memory? OPENBLAS_NUM_THREADS=1 lowers what NumPy takes at its start", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    main()


@contextmanager
def starting(prog: str) -> Iterator[None]:
    """A stop while a command still starts (its modules imported, before its one_line_errors) said in one line,
    exit code 130: start's, and a command's own imports of its heavy modules (NumPy, TensorFlow's helpers) in
    its function, which Typer's KeyboardInterrupt turned into exit 130 and no word."""
    try:
        yield
    except KeyboardInterrupt:
        say_stopped_starting(prog)
        raise SystemExit(EXIT_INTERRUPTED) from None


def say_stopped_starting(prog: str) -> None:
    """The one line of a stop while a command starts (starting's, and run_app's for the stops Typer takes)."""
    if sys.stderr is not None:  # started with 2>&-: nothing to say it on
        print(f"{prog}: interrupted while starting; nothing was written", file=sys.stderr)


_said_by_command = [False]  # a command's one_line_errors has begun: its stops are its own to say


def command_says_stops(begun: bool = True) -> None:
    """Called as a command's one_line_errors begins: a stop from here is the command's to say (or, with --debug, to
    leave to Typer's exit 130), no start-up stop for run_app to say. run_app calls it with False as it starts."""
    _said_by_command[0] = begun


def unsaid_start_stop(e: SystemExit) -> bool:
    """Whether ``e`` is Typer's exit 130 for a stop it caught before the command's one_line_errors began: while Click
    read the options, --version looked for the runtime, or the command imported its modules (edge-classify's
    edge.model: 80 ms). Typer says nothing for it (its Exit raised from the KeyboardInterrupt), so run_app says it."""
    typers = e.__context__
    return (e.code == EXIT_INTERRUPTED and not _said_by_command[0] and typers is not None
            and isinstance(typers.__cause__, KeyboardInterrupt))


def _first_line(e: BaseException) -> str:
    lines = [line for line in str(e).splitlines() if "failed to map segment" in line or "allocate" in line]
    line = (lines or str(e).splitlines() or [""])[0].strip().removeprefix("Original error was: ")  # NumPy's words
    return line or type(e).__name__


def watch_notes_appended(argv: list[str]) -> None:
    """Have a watch's notes log appended to from the process's first line: systemd's ``StandardError=file:`` (and
    the shell's ``2<>``) open it without O_APPEND at offset 0, so what was said before edge.cli made standard error
    appending (an option's error, Click's usage lines, a stop while starting) was written over the head of the log's
    earlier notes. A regular file only; nothing where ``--watch`` is not given (a batch's ``2>`` starts its own)."""
    if "--watch" not in argv[1:]:
        return
    try:
        import fcntl
        import os
        import stat

        if stat.S_ISREG(os.fstat(2).st_mode) and not (flags := fcntl.fcntl(2, fcntl.F_GETFL)) & os.O_APPEND:
            fcntl.fcntl(2, fcntl.F_SETFL, flags | os.O_APPEND)
    except (ImportError, OSError):  # closed (2>&-), or Windows
        pass


def edge_classify() -> None:
    watch_notes_appended(sys.argv)
    start("edge-classify", "edge.cli", "run")
