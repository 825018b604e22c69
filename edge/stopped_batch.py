"""A batch stopped by Ctrl-C or SIGTERM, said: its summary, how many of its files were answered of how many, and the
first not answered, so that a user knows where to go on. It said only "interrupted; every file already written is
complete, and none is half-written": no count, no summary (a watch prints its own), and words about files for a
command whose answers go to standard output. Exit code 130, as every command's stop.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Optional

import typer

from edge.batch import Result
from edge.cliutil import EXIT_INTERRUPTED, end_terminal_line, fail
from edge.input_order import Placed, in_input_order
from edge.output import said_name


def first_unanswered(paths: list[Path], missing: list[Placed], answered: list[str]) -> tuple[int, Optional[str]]:
    """How many files the batch had to answer (its films and the names that gave none, edge.input_order), and the
    first of them, in the order given, that ``answered`` (the files whose answers were written) does not hold; None
    where every one was. Counted, not taken by position: a film that ran out of memory beside others is answered last
    (edge.batch), and a film given twice is answered twice."""
    order = [str(r.file) for r in in_input_order((Result(str(p)) for p in paths), missing)]
    left = Counter(answered)
    for f in order:
        if left[f]:
            left[f] -= 1
        else:
            return len(order), f
    return len(order), None


def stopped_words(answered: int, of: int, first: Optional[str]) -> str:
    """'interrupted after 1 of 220 files were answered; the other 219 were not, from 'many/b.png' on: give
    edge-classify those again'. The answers written are whole lines, each written at once; one a stop caught in its
    flush to a slow reader is still written as the command ends, and counted where it had reached the stream's buffer
    before (under PYTHONUNBUFFERED its write flushes too, and it may not be): given again, a film is answered twice
    at worst, never skipped."""
    done = f"interrupted after {answered} of {of} file{'' if of == 1 else 's'} {'was' if answered == 1 else 'were'} answered"
    if first is None:  # stopped after the last answer, while it was written: nothing left to do
        return done
    rest = of - answered
    return (f"{done}; {'the other one was' if rest == 1 else f'the other {rest} were'} not, from {said_name(first)} "
            "on (in the order given): give edge-classify those again")


def batch_stopped(total_line: Optional[str], maps_line: Optional[str], answered: int, paths: list[Path],
                  missing: list[Placed], answered_files: list[str]) -> typer.Exit:
    """Say a stopped batch's summary (``total_line``, when it answered any), its maps (``maps_line``, with
    --explain: files it wrote, each whole, edge.atomic) and the stop's line, all on stderr (--json and --csv keep
    standard output to one answer a line, as a finished batch does); return the Exit of code 130 to raise."""
    end_terminal_line()
    of, first = first_unanswered(paths, missing, answered_files)
    if total_line is not None and answered:
        print(f"edge-classify: summary: {total_line}", file=sys.stderr)
    if maps_line is not None:
        print(f"edge-classify: {maps_line}", file=sys.stderr)
    return fail("edge-classify", stopped_words(answered, of, first), EXIT_INTERRUPTED)
