"""What a watch's log reopen (edge.log_reopen.reopened) takes up after a ``create`` rotation moved its log: the empty
regular file logrotate made at the path, never a link put there (answers went into the file it named, under a note
saying they went on into the log), nor, in a folder anyone may write (sticky, as /tmp), another user's file planted
to catch them (review 72z)."""

from __future__ import annotations

import os
import sys

import pytest

from edge.log_reopen import reopened


def _moved_log(tmp_path):
    """A stream writing log.jsonl, the file then moved away as logrotate's create does."""
    log = tmp_path / "log.jsonl"
    stream = open(log, "a")
    stream.write("before\n")
    stream.flush()
    os.rename(log, tmp_path / "log.jsonl.1")
    return stream, log


def _writes_into(stream, text: str) -> None:
    stream.write(text)
    stream.flush()


def test_the_empty_file_create_made_is_taken_up(tmp_path):
    stream, log = _moved_log(tmp_path)
    log.touch()
    with stream:
        assert reopened(stream, str(log))
        _writes_into(stream, "after\n")
    assert log.read_text() == "after\n"


def test_a_link_put_at_the_logs_path_is_not_followed(tmp_path):
    stream, log = _moved_log(tmp_path)
    (tmp_path / "elsewhere").mkdir()
    victim = tmp_path / "elsewhere" / "victim.txt"
    victim.touch()
    log.symlink_to(victim)
    with stream:
        assert not reopened(stream, str(log))
        _writes_into(stream, "after\n")
    assert victim.read_text() == "" and (tmp_path / "log.jsonl.1").read_text() == "before\nafter\n"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() != 0, reason="needs root to give a file to another user")
def test_another_users_file_in_a_folder_anyone_may_write_is_not_taken_up(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    stream, log = _moved_log(shared)
    log.touch()
    os.chown(log, 65534, 65534)  # nobody's, made before the watch's rotation did
    with stream:
        assert not reopened(stream, str(log))
    os.chown(log, os.geteuid(), os.getegid())  # the watch's own user's: taken up
    stream, _ = open(shared / "log.jsonl.1", "a"), None
    with stream:
        assert reopened(stream, str(log))
