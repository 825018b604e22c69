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
        # O_NOFOLLOW: a create rotation makes a regular file; a link put there leads elsewhere (the answers went into
        # the file it named, under a note saying they went on into the log)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != 0 or _planted(path, st):
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
        return True  # the old log's lock went with it: standard output's caller (LogPlace) takes the new one's
    except (OSError, ValueError, AttributeError):
        return False
    finally:
        os.close(fd)


def _planted(path: str, st: os.stat_result) -> bool:
    """Whether the file at ``path`` may be another user's, put there to catch the answers: in a folder anyone may
    write (sticky, as /tmp), a file owned by neither this process's user nor the folder's owner. logrotate's
    ``create MODE OWNER GROUP`` in the log's own folder is taken up whoever it names."""
    try:
        folder = os.stat(os.path.dirname(os.path.abspath(path)))
    except OSError:
        return True
    open_to_all = folder.st_mode & stat.S_IWOTH and folder.st_mode & stat.S_ISVTX
    return bool(open_to_all) and st.st_uid not in (getattr(os, "geteuid", lambda: -1)(), folder.st_uid)
