"""The file standard output writes to (`>> answers.jsonl`, `> answers.csv`): what it holds already, and
cutting back what a failed write left of a block, so that a log of answers is never spoiled by half a line."""

from __future__ import annotations

import os
import stat
import sys
from contextlib import contextmanager
from typing import Callable, Iterator

from edge.cliutil import stdout_failed
from edge.log_reopen import reopened


@contextmanager
def written_to_stdout(prog: str, answers: bool = False, then: str | Callable[[OSError], str] = "") -> Iterator[None]:
    """Writes to standard output inside the block that fail (but for a closed pipe: see
    :func:`one_line_errors`) end the command with :func:`stdout_failed`'s line. Where standard
    output is a file (``>> answers.jsonl``), the half line a full disk left of the block's output is cut
    off again: it would spoil the log for every reader, and glue the next run's first answer onto it. ``answers``:
    the block writes whole lines each whole in itself (an answer a line, to a log others may append to): the
    whole lines after the start are kept; else (a card, --info's JSON) the block's output is cut off whole. ``then``:
    what the failure's line adds, or makes it from the error when called (a batch's count of answers not written)."""
    start = file_size(sys.stdout)
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as e:
        if start is not None:
            _cut_back(sys.stdout, start, answers)
        raise stdout_failed(prog, e, then(e) if callable(then) else then) from None


def file_size(stream) -> int | None:
    """The size of the regular file a stream writes to, with nothing left in its buffer; None where it writes to
    no regular file (a pipe, a terminal)."""
    try:
        fd = stream.fileno()
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        stream.flush()
        return os.fstat(fd).st_size
    except (OSError, ValueError, AttributeError):  # no descriptor (a test's capture), or it failed already
        return None


def _read_at(stream, offset: int, n: int) -> bytes | None:
    """Up to ``n`` bytes at ``offset`` of the file a stream writes to; None where it cannot be read."""
    try:
        return os.pread(stream.fileno(), n, offset)
    except (OSError, ValueError, AttributeError):  # `>>` opens it for writing only: read it by its name
        pass
    try:
        fd = stream.fileno()
        path = _path_behind(fd)
        if path is None:
            return None
        # O_NONBLOCK: a FIFO put at the name since is not waited on (samestat then refuses it)
        with open(path, "rb", opener=lambda p, flags: os.open(p, flags | getattr(os, "O_NONBLOCK", 0))) as f:
            if not os.path.samestat(os.fstat(f.fileno()), os.fstat(fd)):
                return None  # the name leads to another file now (the log renamed or replaced since)
            f.seek(offset)
            return f.read(n)
    except (OSError, ValueError, AttributeError):
        return None


def _path_behind(fd: int) -> str | None:
    """A name that opens the file behind ``fd`` again: /proc/self/fd/N (Linux), else the path fcntl's F_GETPATH
    gives (macOS, which has no /proc); None where there is neither (Windows): the file is then trusted."""
    if os.path.isdir("/proc/self/fd"):
        return f"/proc/self/fd/{fd}"
    try:
        import fcntl
    except ImportError:
        return None
    if not hasattr(fcntl, "F_GETPATH"):
        return None
    try:
        return os.fsdecode(fcntl.fcntl(fd, fcntl.F_GETPATH, bytes(1024)).split(b"\0", 1)[0]) or None
    except OSError:
        return None


def name_of(stream) -> str | None:
    """The path of the regular file a stream writes to, as the system names it now (Linux's /proc/self/fd link, with
    " (deleted)" once removed; macOS's F_GETPATH); None where it writes to no regular file, or cannot be told."""
    try:
        fd = stream.fileno()
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        path = _path_behind(fd)
        return os.readlink(path) if path is not None and path.startswith("/proc/") else path
    except (OSError, ValueError, AttributeError):
        return None


def place_now(stream) -> tuple[bool, str | None, str | None] | None:
    """(removed, the name the file a stream writes to has now, that name less ' (deleted)') of a log a rotation may
    have moved or removed; None where it cannot be told (no descriptor)."""
    try:
        removed = os.fstat(stream.fileno()).st_nlink == 0
    except (OSError, ValueError, AttributeError):
        return None
    now = name_of(stream)
    return removed, now, now.removesuffix(" (deleted)") if now else None


class LogPlace:
    """Where a watch's log is, against where it was at the start. A rotation that moves the log and creates a new one
    (logrotate's default, ``create``) leaves the watch writing into the moved file; the next rotation (or ``maxage``)
    removes it, and every later answer went into a deleted file, lost, with exit code 0 and a normal summary."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.start = name_of(stream)  # None: no regular file (a pipe, the journal), or no way to tell: not checked
        self.moved_said: str | None = None  # where the answers were last said to go instead

    def check(self) -> tuple[str, bool] | None:
        """What to say of the log's place now: a note where the log was moved and the empty file a rotation made at
        its path is written to now (edge.log_reopen); else, where it cannot be, a warning once for each place the
        answers go to, or (removed: True, every time) that the watch must stop; None where it is where it was."""
        if self.start is None or (place := place_now(self.stream)) is None:
            return None
        removed, now, last = place
        if (removed or (now is not None and now != self.start)) and reopened(self.stream, self.start):
            self.moved_said = None
            moved = "removed" if removed else f"moved to {now}"
            if not _taken_alone(self.stream):
                return (f"warning: standard output's file {self.start} was {moved} (a rotation that creates a new log): "
                        f"answers go on into the new {self.start}, which another edge-classify --watch appends to "
                        "too (started on it since): this watch's answers go in among its answers (each line whole); "
                        "give each watch its own log where that is not meant", False)
            return (f"note: standard output's file {self.start} was {moved} (a rotation that creates a new log): "
                    f"answers go on into the new {self.start}", False)
        if removed:
            return (f"standard output's file {self.start} was removed" + (f" (moved to {last} first)" if last and last !=
                                                                           self.start else "") +
                    ": a rotation without copytruncate? its answers would go into a deleted file that no one reads, and "
                    "no empty log could be opened at its path: the watch stops (a restart opens the log again; give "
                    "logrotate's create the watch's user as owner, so that the new log is taken up)", True)
        if now is not None and now != self.start and self.moved_said != now:
            self.moved_said = now
            return (f"warning: standard output's file {self.start} was moved to {now} (a rotation without copytruncate?), "
                    f"and no empty log that this watch can write to is at its path: answers go to {now}, not to "
                    f"{self.start}, until the watch is restarted; a rotation that removes it stops the watch", False)
        return None


def _taken_alone(stream) -> bool:
    """Take this watch's lock on the new log a rotation made, as on the log it was started on (edge.watch_lock): the
    old log's went with its descriptor. False where another watch holds it: one started on the new log after the
    rotation, which was told of no other watch (this one held the old log's lock then), and this one took it up
    without a word, so two watches answered into one log unsaid."""
    from edge.watch_lock import log_written_by_a_watch

    try:
        return not log_written_by_a_watch(stream.fileno(), hold=True)
    except (OSError, ValueError, AttributeError):  # no descriptor (a test's capture)
        return True


def file_start(stream, limit: int = 1 << 16) -> bytes | None:
    """The first ``limit`` bytes of the regular file a stream writes to (where a CSV log's header
    is); None where it cannot be read."""
    if file_size(stream) is None:
        return None
    return _read_at(stream, 0, limit)


def written_over(stream) -> str | None:
    """Why answers must not be written to the file a stream writes to: a descriptor opened without O_APPEND
    (systemd's ``StandardOutput=file:``, which writes "from offset 0", or the shell's ``1<>``) whose offset is
    before the end of a file already holding something writes over its start: a restarted watch over the answers
    of earlier runs, its "end the cut last line" newline over the first byte, and after a copytruncate at its old
    offset, past a run of NUL bytes. None where it appends (or there is nothing to write over, or no fcntl: Windows)."""
    size = file_size(stream)
    if not size:
        return None
    try:
        import fcntl
    except ImportError:
        return None
    try:
        fd = stream.fileno()
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND or os.lseek(fd, 0, os.SEEK_CUR) >= size:
            return None
    except (OSError, ValueError, AttributeError):
        return None
    return ("standard output's file is not opened for appending (systemd's StandardOutput=file: rather than append:, "
            "or the shell's 1<>): answers would be written over the log's start; use StandardOutput=append: (systemd) "
            "or >>")


def appending(stream) -> None:
    """Have the regular file a watch writes its answers to appended to, where its descriptor was opened without
    O_APPEND (the shell's ``>``, systemd's ``StandardOutput=file:`` on an empty log; written_over refused one before
    its end). Each write went at the descriptor's own offset: after logrotate's ``copytruncate`` cut the log to
    nothing, the next answer landed where the old end was, behind a hole of NUL bytes as long as the answers rotated
    away, which readers of the live log took for a corrupt first line (a CSV's header among them). With O_APPEND
    every write goes at the end the file has then, as ``>>`` and ``StandardOutput=append:`` write. Nothing is done
    elsewhere (a pipe, the journal, no fcntl: Windows)."""
    try:
        import fcntl

        fd = stream.fileno()
        if stat.S_ISREG(os.fstat(fd).st_mode):
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
            if not flags & os.O_APPEND:
                fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_APPEND)
    except (ImportError, OSError, ValueError, AttributeError):  # no descriptor (a test's capture), or Windows
        pass


def not_writable(stream) -> str | None:
    """Why no answer could be written to standard output at all, said before the first film: a descriptor opened for
    reading only (the shell's ``1<``), or a regular file on a file system mounted read-only since it was opened (a
    card's errors remount ext4 so). A watch learnt it only at its first answer, hours later on a quiet folder, as
    "bad file descriptor", after its start line had said it was watching. None where it can be written (or cannot
    be told: no fcntl, Windows)."""
    try:
        import fcntl

        fd = stream.fileno()
        if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
            return ("standard output is opened for reading only (the shell's 1< rather than >>): no answer could be "
                    "written; give it a file opened for appending (>> answers.jsonl)")
        if stat.S_ISREG(os.fstat(fd).st_mode) and os.fstatvfs(fd).f_flag & os.ST_RDONLY:
            return ("standard output's file is on a read-only file system (remounted read-only since it was opened: "
                    "a disk error?): no answer could be written; check the disk, or give a file elsewhere")
    except (ImportError, OSError, ValueError, AttributeError):  # no descriptor (a test's capture), or Windows
        return None
    return None


def reader_gone(stream) -> bool:
    """Whether a stream writes to a pipe whose reader has gone (``edge-classify --watch in | head -1`` after its line,
    a service's ``| logger`` that died). A watch learnt it only at its next answer's write: idle, it watched on for
    ever with no one reading, and the film that then arrived was classified, its answer lost. One poll(2) on the pipe,
    which says POLLERR once no reader holds it; False where it is no pipe, or cannot be told."""
    try:
        import select

        fd = stream.fileno()
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return False
        poller = select.poll()
        poller.register(fd, select.POLLOUT)  # POLLERR and POLLHUP are said whatever is asked
        return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))
    except (ImportError, OSError, ValueError, AttributeError):  # no poll (Windows), no descriptor (a test's capture)
        return False


def appended_to(stream) -> int:
    """Bytes already in the regular file a stream appends to (``>> answers.csv``: a restarted watch
    must not write its CSV header again), 0 elsewhere. A file that an earlier run left ending in half
    a line (a power cut) gets a newline first, so this run's first answer starts a line of its own."""
    size = file_size(stream)
    if not size:
        return 0
    last = _read_at(stream, size - 1, 1)  # None: no such reading here, left as it is
    if last is not None and last != b"\n":
        stream.write("\n")
        stream.flush()
    return size


def _cut_back(stream, start: int, whole_lines: bool) -> None:
    """Cut off what a failed write left after ``start`` (where the block began): with ``whole_lines``, only the
    half line at the end, since another writer appending to the same log (a second watch, a batch run's ``>>``)
    may have added its own answers since, and cutting back to ``start`` took them too; else all of it (half a
    card or JSON document is none). Descriptors opened by the shell (`>`, `>>`) allow it."""
    try:
        fd = stream.fileno()
        end = os.fstat(fd).st_size
        if end <= start:
            return
        tail = _read_at(stream, start, end - start) if whole_lines else None
        keep = start if tail is None else start + tail.rfind(b"\n") + 1  # unreadable: the block's output, as before
        if end > keep:
            os.ftruncate(fd, keep)
    except (OSError, ValueError):  # the file system refuses even this: the half line stays
        pass
