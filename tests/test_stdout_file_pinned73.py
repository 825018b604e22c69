"""edge.stdout_file._taken_alone pinned (mutation survivors SF of session 73): the new log a rotation made is taken
for the watch's life, so a watch started on it later is told of this one; a stream with no descriptor (a test's
capture) is taken as alone, nothing said; a log another holds is not."""

from __future__ import annotations

import io

import pytest

from edge.stdout_file import _taken_alone
from edge.watch_lock import log_written_by_a_watch

pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")


def test_the_new_log_is_taken_and_held(tmp_path):
    log = tmp_path / "answers.jsonl"
    with open(log, "a") as mine, open(log, "a") as later:
        assert _taken_alone(mine)
        assert log_written_by_a_watch(later.fileno(), hold=False)  # a later watch, or a batch, is told
        assert not _taken_alone(later)


def test_a_stream_without_a_descriptor_is_alone():
    assert _taken_alone(io.StringIO())
