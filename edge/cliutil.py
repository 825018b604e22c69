"""What every cxr-edge command does the same way: one clear error line and an exit code.

Its streams, exit codes, the error line itself (fail) and the checks of the folders it writes to are here;
what turns any exception into that one line is edge.error_lines'.
"""

from __future__ import annotations

import ast
import codecs
import errno
import io
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

import typer

from edge.controls import escaped
from edge.entry import command_says_stops, say_stopped_starting, starting, unsaid_start_stop

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C
# 128 + SIGPIPE, as shells report `yes | head`'s yes: a reader that went away (`| head`) is no result of the
# command's own, and 1 means one (cxr-convert's failed gate, cxr-evaluate's unreadable files).
EXIT_PIPE_CLOSED = 141

# Below this much free space a failure is most likely the disk: TensorFlow's converter writes a
# temporary SavedModel of several times the model's size and then fails with unrelated errors.
LOW_SPACE_BYTES = 256 * 2**20


def _escape(e: UnicodeError):
    """surrogateescape where it can (a file name's undecodable bytes go out as they came in),
    else backslashreplace (a name the output's encoding cannot hold, e.g. under a cp1252 locale)."""
    try:
        return codecs.lookup_error("surrogateescape")(e)
    except UnicodeError:
        return codecs.lookup_error("backslashreplace")(e)


codecs.register_error("cxr-edge", _escape)


def reconfigure_streams() -> None:
    """Let any file name reach stdout and stderr instead of ending a batch with UnicodeEncodeError.
    On Windows a redirected stream would use the ANSI code page (cp1252), which holds few of the
    world's names: it is written as UTF-8 instead, as a terminal there already is.

    Started with stderr closed (2>&-), its messages go to /dev/null: descriptor 2 is held open there, or
    the next file opened would take it and TFLite's notes (or an error line) would land in it."""
    if sys.stderr is None:
        try:
            os.fstat(2)
        except OSError:
            fd = os.open(os.devnull, os.O_WRONLY)
            if fd != 2:
                os.dup2(fd, 2)
                os.close(fd)
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    _buffered_stdout()
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            if os.name == "nt" and not stream.isatty():
                stream.reconfigure(encoding="utf-8", errors="cxr-edge")
            else:
                stream.reconfigure(errors="cxr-edge")
    if not isinstance(sys.stderr, BestEffortStream):
        sys.stderr = BestEffortStream(sys.stderr)


def _buffered_stdout() -> None:
    """Standard output through a buffer that writes all of each line or raises. Under
    PYTHONUNBUFFERED=1 (Docker images, service units) or ``python -u`` it writes straight to the
    descriptor, and Python drops the rest of a short write without an error: on a full disk a CSV
    row was cut in half and the command ended with exit code 0."""
    buffer = getattr(sys.stdout, "buffer", None)
    if not isinstance(buffer, io.RawIOBase):
        return
    encoding, errors = sys.stdout.encoding, sys.stdout.errors
    raw = sys.stdout.detach()  # not closed: the old wrapper gives it up
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw), encoding=encoding, errors=errors, line_buffering=True)


class BestEffortStream:
    """Standard error that never ends a command. Its notes, warnings and tallies are for people: a
    reader of them that went away (`2> >(head)`), or a full disk under them, must not stop a batch
    or a watch that is still answering on standard output (it ended a watch at its first tally
    line, with exit code 1 and no word). After the first failed write it is pointed at /dev/null."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except (OSError, ValueError):
            self._give_up()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except (OSError, ValueError):
            self._give_up()

    def _give_up(self) -> None:
        try:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, self._stream.fileno())  # TFLite's own notes go there too
            os.close(fd)
        except (OSError, ValueError, AttributeError):
            pass
        self._stream = open(os.devnull, "w", encoding="utf-8")

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, ...: the stream's own
        return getattr(self._stream, name)


def end_terminal_line() -> None:
    """Start a new line on a terminal's standard output: a Ctrl-C mid-way through a progress bar
    (Keras draws its own with carriage returns) would otherwise glue the message to the bar."""
    try:
        if sys.stdout.isatty():
            sys.stdout.write("\n")
            sys.stdout.flush()
    except (OSError, ValueError):  # closed or gone: nothing to tidy
        pass


def fail(prog: str, message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print ``prog: error: message`` on stderr and return the Exit to raise (no traceback). A path the user
    typed, or a script passed on from `find`, is quoted as given: an ESC sequence in it ran on the terminal
    (erasing the error line itself), so control characters are escaped here, line by line."""
    print(f"{prog}: error: " + "\n".join(escaped(line) for line in message.split("\n")), file=sys.stderr)
    return typer.Exit(code)


def disk_hint(folders: Iterable[str | Path] = (), low: int = LOW_SPACE_BYTES) -> str:
    """'; only 3 MiB free in /tmp: is the disk full?' for the first folder the command writes to
    (the temporary folder included) with less than ``low`` bytes free, else ''."""
    for folder in [*folders, tempfile.gettempdir()]:
        p = Path(folder).absolute()
        try:  # exists() raises for a name too long: that error, not this one, is the command's to say
            while not p.exists() and p != p.parent:
                p = p.parent
            usage = shutil.disk_usage(p)
        except OSError:
            continue
        if usage.total == 0:  # /proc, /sys: no disk to be full
            continue
        if usage.free < low:
            return f"; only {usage.free / 2**20:.0f} MiB free in {p}: is the disk full?"
    return ""


def folder_problem(path: str | Path) -> str | None:
    """Why ``path`` cannot be (made) a folder to write into ('X is a file', 'X is not writable'), or
    None. Checked once before a batch, so that a wrong output folder is one error, not one per image."""
    p = Path(path)
    while not os.path.lexists(p) and p != p.parent:  # the part of the path that exists decides
        p = p.parent
    from edge.output import said_name  # a newline in the path forged a line of the error

    named = said_name(str(p))
    if not p.is_dir():
        return f"{named} is a file" if p.is_file() else f"{named} is not a folder"
    if _read_only(p):  # not full, however little room it has: say what it is
        return f"{named} is on a read-only file system"
    if not os.access(p, os.W_OK | os.X_OK):
        return f"{named} is not writable"
    try:  # permissions do not tell everything: root may 'write' to /proc, where nothing can be made
        os.rmdir(tempfile.mkdtemp(prefix=".cxr-write-check-", dir=p))
    except OSError as e:
        return f"nothing can be written in {named} ({e.strerror or e})"
    return None


def _read_only(p: Path) -> bool:
    try:
        return bool(os.statvfs(p).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs (Windows): the permission check says it
        return False


def broken_link(path: str | Path) -> str | None:
    """'X is a symbolic link that loops' (or 'that leads nowhere'), for a path that is a link no command
    can follow; None for any other path. Python 3.11's resolve() raises a RuntimeError on a loop,
    mkdir a FileExistsError: neither says what is wrong."""
    from edge.output import said_name  # a newline in the path forged a line of the error

    try:
        os.stat(path)
        return None
    except OSError as e:
        if e.errno == errno.ELOOP:
            return f"{said_name(str(path))} is a symbolic link that loops (too many levels of symbolic links)"
        if os.path.islink(path):
            return f"{said_name(str(path))} is a symbolic link to {said_name(os.readlink(path))}, which does not exist"
        return None


def _loop(e: BaseException) -> str | None:
    """A RuntimeError of pathlib's resolve() on a symlink loop, in words; None for any other error."""
    m = re.fullmatch(r"Symlink loop from (.+)", str(e)) if isinstance(e, RuntimeError) else None
    if not m:
        return None
    try:
        path = ast.literal_eval(m.group(1))  # the path's repr: '...', or "..." where it holds a quote
    except (ValueError, SyntaxError):
        path = m.group(1)
    said = broken_link(path) or f"{path}: a symbolic link loop (too many levels of symbolic links)"
    from edge.names import as_text

    return as_text(said).replace("\r", "\\r").replace("\n", "\\n")  # one line, valid text, whatever the name


def _plain(e: BaseException) -> str:
    """An OSError as a user reads it: "X is a file; a folder is needed there" rather than
    "[Errno 17] File exists: 'X'" (mkdir of a path that is a file), "X: No space left on device"
    rather than "[Errno 28] ..."; messages of our own as they are."""
    if not isinstance(e, OSError) or e.filename is None or not e.strerror or str(e) != \
            f"[Errno {e.errno}] {e.strerror}: {e.filename!r}":  # a message of ours already
        return str(e)
    if isinstance(e, FileExistsError) and (link := broken_link(e.filename)):
        return link
    if isinstance(e, (FileExistsError, NotADirectoryError)) and Path(e.filename).exists():
        return f"{e.filename} is a file; a folder is needed there"
    if isinstance(e, NotADirectoryError):  # a file in the way higher up the path
        return f"{e.filename}: a part of this path is a file, not a folder"
    return f"{e.filename}: {e.strerror}"


def stdout_failed(prog: str, e: OSError, then: str = "", what: str = "the answers") -> typer.Exit:
    """Say that the answers could not be written to standard output (`> /dev/full`, a full disk,
    `ulimit -f`), in words, and return the Exit (code 2) to raise. Standard output is then pointed
    at /dev/null, so that Python's last flush does not fail again with a traceback. ``then``: what the line adds
    (what becomes of the answers not written); ``what``: what was not written (--help's: 'the help')."""
    reason = e.strerror or str(e)
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # a stream without a descriptor (a test's capture): nothing to flush later
        pass
    return fail(prog, f"cannot write {what} to standard output: {reason[:1].lower()}{reason[1:]}{then}")


def run_app(prog: str, app: Callable[[], Any]) -> None:
    """Run a command's typer app as its console script: streams set up (reconfigure_streams), and
    standard output that cannot be written (`> /dev/full`) one line and exit code 2 rather than a
    traceback, or an exit code a script would misread (cxr-convert's 1 is a failed gate)."""
    with starting(prog):  # a stop in these lines was a traceback
        from edge.help_output import asks_for_help, fit_help_to_terminal, help_unprintable
        from edge.interrupts import ignore_stops, keep_lost_stops, said_if_stopped_late, sigterm_as_interrupt
        command_says_stops(False)  # until the command's one_line_errors begins, a stop is said here
        keep_lost_stops()  # as edge.entry.start does: `python -m edge.cli` starts here
        reconfigure_streams()
        fit_help_to_terminal()
        if problem := help_unprintable():  # Click would print it nowhere and exit 0
            raise SystemExit(fail(prog, problem).exit_code)
    code = EXIT_OK
    try:
        try:
            with sigterm_as_interrupt():  # a service manager's stop or `timeout` ends it as Ctrl-C does: said, tidied
                app()
        except SystemExit as e:  # typer ends every command so; the last output is flushed below
            ignore_stops()  # before e, and the stopped work it holds, is let go: see ignore_stops
            # click's exit 1 where a reader went away outside one_line_errors is a gone reader's 141
            code = EXIT_PIPE_CLOSED if type(sys.stdout).__name__ == "PacifyFlushWrapper" else e.code
            if unsaid_start_stop(e):  # Click reading the options, the command's imports: Typer's 130 said nothing
                say_stopped_starting(prog)
        except KeyboardInterrupt as e:  # while Typer built the command, before its own handling: was a traceback
            ignore_stops()
            if e.__context__ is not None:  # as the command ended (its SystemExit): no start, left as it was
                raise
            say_stopped_starting(prog)
            code = EXIT_INTERRUPTED
        if sys.stdout is not None:  # started with >&-: the command said so and chose its exit code
            sys.stdout.flush()
        code = said_if_stopped_late(prog, code)  # a stop Python dropped after the command's last check: said, 130
    except RuntimeError as e:  # a symlink loop met before a command's one_line_errors (a default output folder)
        if not (loop := _loop(e)):
            raise
        raise SystemExit(fail(prog, loop).exit_code) from None
    except BrokenPipeError:  # the reader went away: quietly, as one_line_errors does; a code already decided stays
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = code or EXIT_PIPE_CLOSED
    except OSError as e:  # outside every command's one_line_errors: its closing lines on standard output
        if getattr(e, "cxr_edge_debug", False):  # re-raised by --debug for its traceback: not standard output's
            raise
        if e.filename is not None:  # a path's error before a command's one_line_errors (a name too long): not stdout's
            raise SystemExit(fail(prog, _plain(e)).exit_code) from None
        what = "the help" if asks_for_help() else "the answers"
        raise SystemExit(stdout_failed(prog, e, what=what).exit_code) from None
    finally:
        ignore_stops()
    raise SystemExit(code)
