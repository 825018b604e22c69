"""Two watches writing one log after a ``create`` rotation (review 73): a watch started on the new log (the first one
still wrote into the moved file, so no lock was held on the new one and nothing was said), then the first watch took
the new log up (edge.log_reopen) and retook no lock that counted: the lock it found held was dropped unsaid, and both
answered into one log. The lock is the one on standard output's file alone: a notes log taken up holds none."""

from __future__ import annotations

import fcntl
import os

import pytest

from edge.log_reopen import reopened
from edge.stdout_file import LogPlace


def _rotated(tmp_path):
    """A stream appending to answers.jsonl, whose lock it holds (a watch), the log then moved and a new one created."""
    log = tmp_path / "answers.jsonl"
    out = open(log, "a")
    fcntl.flock(out, fcntl.LOCK_EX | fcntl.LOCK_NB)
    out.write("{}\n")
    out.flush()
    os.rename(log, tmp_path / "answers.jsonl.1")
    log.touch()
    return out, log


def test_a_new_log_another_watch_was_started_on_is_warned_when_taken_up(tmp_path):
    out, log = _rotated(tmp_path)
    place = LogPlace(out)
    place.start = str(log)  # as it was named at the watch's start
    with out, open(log, "a") as second:
        fcntl.flock(second, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the second watch, started on the new log
        said, stop = place.check()
        assert not stop and said.startswith(f"warning: standard output's file {log} was moved to {log}.1"), said
        assert "another edge-classify --watch appends to too" in said, said
        out.write("{}\n")
        out.flush()
    assert log.read_text() == "{}\n"  # taken up all the same: the new log is the one its readers read


def test_a_new_log_no_other_watch_writes_is_taken_up_with_its_lock(tmp_path):
    out, log = _rotated(tmp_path)
    place = LogPlace(out)
    place.start = str(log)
    with out:
        said, stop = place.check()
        assert not stop and said == (f"note: standard output's file {log} was moved to {log}.1 (a rotation that "
                                     f"creates a new log): answers go on into the new {log}")
        with open(log, "a") as second, pytest.raises(BlockingIOError):  # a watch started on it now is told (held)
            fcntl.flock(second, fcntl.LOCK_EX | fcntl.LOCK_NB)


def test_a_notes_log_taken_up_holds_no_answers_log_lock(tmp_path):
    """reopened took standard output's lock on whatever it took up, a notes log (``2>> watch.log``) too."""
    notes = tmp_path / "watch.log"
    err = open(notes, "a")
    os.rename(notes, tmp_path / "watch.log.1")
    notes.touch()
    with err:
        assert reopened(err, str(notes))
        with open(notes, "a") as other:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: a notes log is no watch's answers log
