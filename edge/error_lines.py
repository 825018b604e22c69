"""An error as one line a user reads: a command's last (one_line_errors), or one about an item (error_in_words).

A message our own code wrote for the user (a ValueError raised by edge/, train/ or convert/, an OSError in plain
words) is said as it is; a bug's error, numpy's or the standard library's, is named by its type, so that it is not
read as a statement about the user's data; --debug lets it end with its traceback instead.
"""

from __future__ import annotations

import errno
import os
import re
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

import typer

from edge.entry import command_says_stops
from edge.cliutil import EXIT_INTERRUPTED, EXIT_PIPE_CLOSED, _loop, _plain, disk_hint, end_terminal_line, fail
from edge.runtime import RuntimeMissing

OUR_CODE = tuple(Path(__file__).resolve().parent.parent / name for name in ("edge", "train", "convert"))


def _raised_by_us(e: BaseException) -> bool:
    """Whether ``e`` was raised by a raise statement of cxr-edge's own code (edge/, train/, convert/), whose
    ValueErrors are messages written for the user; one raised inside numpy or the standard library is a bug's,
    which printed as it is read as a statement about the user's data: in their Python code, or in their C code
    called from a line of ours that raises nothing itself (`a + b`: operands that could not be broadcast)."""
    frames = traceback.extract_tb(e.__traceback__)
    if not frames:
        return True
    last = frames[-1]
    if not any(Path(last.filename).resolve().is_relative_to(d) for d in OUR_CODE):
        return False
    # no source to read (a .pyc alone): as it was; a raise statement, also after "if bad:" on one line
    return not last.line or re.match(r"(raise\b|.*:\s*raise\b)", last.line) is not None


def error_in_words(e: BaseException) -> str:
    """An error as a line about one item says it (a map not written): short of memory as "out of memory", an
    OSError in plain words (_plain), a ValueError of our own code as its message; anything else with its type
    (a KeyError's message is its key only, a MemoryError's nothing at all)."""
    from edge.memory import short_of_memory

    if short_of_memory(e):
        return "out of memory"
    if isinstance(e, OSError) or isinstance(e, ValueError) and _raised_by_us(e):
        return _plain(e)
    first = next(iter(str(e).strip().splitlines()), "")
    return f"{type(e).__name__}: {first}" if first else type(e).__name__


def _shown_with_traceback(e: BaseException) -> BaseException:
    """``e``, marked as re-raised by --debug: run_app then lets it end with its traceback, where it took
    any OSError for one writing standard output ('cannot write the answers to standard output')."""
    e.cxr_edge_debug = True
    return e


@contextmanager
def one_line_errors(prog: str, debug: bool, expected: tuple[type[BaseException], ...] = (ValueError, OSError),
                    writes_to: Iterable[str | Path] = (), on_interrupt: str = "",
                    interrupted: str = "every file already written is complete, and none is half-written") -> Iterator[None]:
    """Turn an exception into one ``prog: error: ...`` line and exit code 2, unless ``debug``.

    ``expected`` errors (bad data, a wrong model file, an unreadable or unwritable path) carry a
    message written for the user and are printed as they are (a ValueError where our own code raised
    it: numpy's or the standard library's is a bug's, named as below). Anything else (a library failing
    deep inside, e.g. TensorFlow's converter on a full disk) is named by its type, with a note
    when a folder the command writes to is nearly full. Outputs are written atomically, so an
    error leaves the previous files as they were. ``interrupted``: what the Ctrl-C line says was kept (files, for a
    command that writes them; edge-classify's answers go to standard output); ``on_interrupt`` adds to it (how to go on).
    """
    folders = list(writes_to)
    try:
        command_says_stops()  # a stop from here is said below (run_app's start-up line is not for it)
        yield
    except typer.Exit:
        raise
    except BrokenPipeError:
        # The reader went away (`edge-classify scans/ | head`): stop quietly, as Unix tools do. Point
        # stdout at /dev/null so that Python's final flush does not complain about the pipe again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(EXIT_PIPE_CLOSED)
    except KeyboardInterrupt:
        if debug:
            raise
        end_terminal_line()
        raise fail(prog, f"interrupted; {interrupted}{on_interrupt}",
                   EXIT_INTERRUPTED)
    except (*expected, RuntimeMissing) as e:  # no usable TFLite runtime: its message says what to install
        if isinstance(e, ValueError) and not _raised_by_us(e):  # numpy's or the standard library's: a bug's, not ours
            if debug:
                raise _shown_with_traceback(e)
            first = next(iter(str(e).strip().splitlines()), "")
            raise fail(prog, f"unexpected {type(e).__name__}: {first}{disk_hint(folders)} (--debug shows the traceback)") \
                from None
        if debug:
            raise _shown_with_traceback(e)
        # a read-only file system or a refused permission is no full disk, however little room it has
        full = (isinstance(e, OSError) and not isinstance(e, PermissionError)
                and e.errno not in (errno.EROFS, errno.EACCES, errno.EPERM))
        raise fail(prog, f"{_plain(e)}{disk_hint(folders) if full else ''}")
    except Exception as e:  # noqa: BLE001 - the last line of defence against a traceback
        if debug:
            raise _shown_with_traceback(e)
        if loop := _loop(e):
            raise fail(prog, loop) from None
        first = next(iter(str(e).strip().splitlines()), "")  # TensorFlow's messages run to many lines
        from edge.memory import short_of_memory

        if short_of_memory(e):  # the runtime's library, say
            raise fail(prog, f"not enough memory ({first or 'MemoryError'}): is a memory limit set (ulimit -v, systemd's "
                             "LimitAS= or MemoryMax=), or is other software using the memory?") from None
        raise fail(prog, f"unexpected {type(e).__name__}: {first}{disk_hint(folders)} (--debug shows the traceback)")
