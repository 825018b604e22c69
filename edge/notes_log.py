"""A watch's notes log of its own (standard error to another file than its answers: ``2>> watch.log``, systemd's
``StandardError=append:``) under logrotate, as edge.stdout_file's LogPlace does for the answers log: a rotation that
moves it and creates a new one (``create``, logrotate's default) left every later note, warning and the summary in
the moved file (then in .2, ... at later rotations) while the new log its readers tail stayed empty. The empty file
at its path is taken up (edge.log_reopen), and said there."""

from __future__ import annotations

import os
import sys

from edge.log_reopen import reopened
from edge.stdout_file import name_of, place_now


class NotesPlace:
    """Where a watch's standard error goes, against where it went at the start; not checked where it goes into the
    same file as standard output (``2>&1``: LogPlace takes up the new log for both), or into no regular file (the
    journal, a terminal)."""

    def __init__(self) -> None:
        self.start = name_of(sys.stderr)
        try:
            if self.start is not None and os.path.samestat(os.fstat(sys.stderr.fileno()),
                                                           os.fstat(sys.stdout.fileno())):
                self.start = None
        except (OSError, ValueError, AttributeError):  # no descriptor (a test's capture)
            pass
        self.moved_said: str | None = None  # where the notes were last said to go instead

    def check(self) -> str | None:
        """What to say of the notes log's place now: a note (into the new log) where it was moved or removed and the
        empty file a rotation made at its path is written to now; else a warning once for each place the notes go to
        (a watch is not stopped for its notes: its answers are elsewhere); None where it is where it was."""
        if self.start is None or (place := place_now(sys.stderr)) is None:
            return None
        removed, now, last = place
        if not removed and (now is None or now == self.start):
            return None
        how = "removed" if removed and last in (None, self.start) else f"moved to {last}"
        if reopened(sys.stderr, self.start):
            self.moved_said = None
            return (f"note: standard error's file {self.start} was {how} (a rotation that creates a new log): notes "
                    f"go on into the new {self.start}")
        if self.moved_said == now:
            return None
        self.moved_said = now
        return (f"warning: standard error's file {self.start} was {how}, and no empty log that this watch can write to "
                f"is at its path: notes go " + ("into a deleted file" if removed else f"to {last}") +
                f", not to {self.start}, until the watch is restarted")
