"""A batch whose answers could not be written (`edge-classify in --model M >> log.txt` on a full disk), said with
what became of its films and the way on. It said only "cannot write the answers to standard output: no space left
on device": not how many answers were lost, nor that the films after the failed one were never classified (a
batch stops at its first answer not written), nor what to do. Exit code 2, as before."""

from __future__ import annotations

import errno
from pathlib import Path

from edge.input_order import Placed
from edge.output import said_name
from edge.stopped_batch import first_unanswered

_NO_ROOM = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


def not_written(e: OSError, paths: list[Path], missing: list[Placed], written: list[str]) -> str:
    """What the failure's line adds for a batch of ``paths`` (and the names that gave none, ``missing``) whose answers
    to ``written`` reached standard output: '; 2 of 5 answers were written; the answer to c.png was not, and the 2
    files after it (in the order given) were not classified (...): free some space ..., then give edge-classify
    c.png and those after it again'. Answers are written in the order given (edge.input_order), so those not
    written are the rest of it."""
    of, first = first_unanswered(paths, missing, written)
    if first is None:  # every answer was out: the failure came after the last (a closing flush)
        return ""
    way = ("free some space on its disk (or send the answers to another log)" if e.errno in _NO_ROOM
           else "once standard output can be written")
    if of == 1:  # a single film: nothing to count
        return f": {way}, then give edge-classify {said_name(first)} again"
    done = len(written)
    after = of - done - 1
    rest = (f", and {'the file' if after == 1 else f'the {after} files'} after it (in the order given) "
            f"{'was' if after == 1 else 'were'} not classified (a batch stops at its first answer not written)"
            if after else "")
    again = f"{said_name(first)}{' and those after it' if after else ''}"
    return (f"; {done} of {of} answers {'was' if done == 1 else 'were'} written; the answer to "
            f"{said_name(first)} was not{rest}: {way}, then give edge-classify {again} again")
