"""A batch's answers in the order its inputs were given: the error of a name that gave no film (no such file, a
folder without images, one that cannot be read) goes where that name was given, among the films' answers, not
before all of them. A program that reads --json or --csv beside its own list of inputs (paste, zip) saw every
error first, and the answers of the films given before it one row off; a person reading the CSV did too.

The answers still stream: an error waits only for the answers of the films given before it, never for the rest.
"""

from __future__ import annotations

from collections import deque
from itertools import accumulate
from typing import Iterable, Iterator

from edge.batch import Result

# An error Result and where it goes: after that many of the films to classify (0: before the first).
Placed = tuple[int, Result]


def in_input_order(answers: Iterable[Result], errors: list[Placed]) -> Iterator[Result]:
    """``answers`` (edge.batch.classify_files', one per film, in order) with each of ``errors`` put after as many
    answers as its position says. A film that ran out of memory beside others is answered last (edge.batch): the
    errors after it then come one answer early, as its own answer comes late."""
    waiting = deque(sorted(errors, key=lambda e: e[0]))  # stable: errors given in a row keep their order
    done = 0
    while waiting and waiting[0][0] <= done:
        yield waiting.popleft()[1]
    for r in answers:
        yield r
        done += 1
        while waiting and waiting[0][0] <= done:  # before the next film is waited for: its decode may take a while
            yield waiting.popleft()[1]
    yield from (r for _, r in waiting)


def after_repeats_left_out(errors: list[Placed], firsts: list[bool]) -> list[Placed]:
    """``errors``, each placed after that many of the films given, placed instead among those answered (``firsts``:
    whether each film given is answered, edge.inputs.first_names: a film named again is answered once)."""
    answered_before = [0, *accumulate(firsts)]  # [i]: how many of the first i films given are answered
    return [(answered_before[at], r) for at, r in errors]
