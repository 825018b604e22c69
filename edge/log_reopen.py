"""A watch's log moved away under it by a rotation that creates a new one (logrotate's default, ``create``): the
empty file now at the log's path is opened in its place, as daemons reopen their logs, so that answers go on into
the log its readers (and the unit's --skip-answered) read, not into answers.jsonl.1, then .2, ... unsaid."""

from __future__ import annotations

import os
import stat


def reopened(stream, path: str) -> bool:
    """Whether ``stream`` (standard output) now writes to the file at ``path``, opened for appending in place of the
    one it wrote to: only a regular file, empty (what ``create`` made: a file of other content may hold another
    format or other columns), that can be written. Standard error goes there too where it went into the same file
    (``2>&1``). False where there is none or it cannot be opened (a ``create`` mode the watch's user cannot write):
    the caller says where the answers go instead."""
    try:
        # O_NONBLOCK: a FIFO put at the name is not waited on (refused below); no O_CREAT: nothing made where none is
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != 0:
            return False
        out = stream.fileno()
        stream.flush()
        old = os.fstat(out)
        try:
            errors_too = os.path.samestat(os.fstat(2), old)
        except OSError:
            errors_too = False
        os.set_blocking(fd, True)
        os.dup2(fd, out)
        if errors_too:
            os.dup2(fd, 2)
        return True
    except (OSError, ValueError, AttributeError):
        return False
    finally:
        os.close(fd)
