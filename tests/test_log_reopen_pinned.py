"""edge.log_reopen.reopened's new log is written appending (a mutation survivor of session 73): a line another
writer put in the new log (logrotate's postrotate note, a second process sharing the log) stays, the watch's answers
going after it, not over it from the file's start."""

from __future__ import annotations

import os
import sys

import pytest

from edge.log_reopen import reopened


def test_the_new_log_is_appended_to_not_written_over(tmp_path):
    log = tmp_path / "log.jsonl"
    stream = open(log, "a")
    stream.write("before\n")
    stream.flush()
    os.rename(log, tmp_path / "log.jsonl.1")
    log.touch()
    with stream:
        assert reopened(stream, str(log))
        with open(log, "a") as other:
            other.write("another writer's line\n")
        stream.write("after\n")
        stream.flush()
    assert log.read_text() == "another writer's line\nafter\n"


def _moved(tmp_path):
    log = tmp_path / "log.jsonl"
    stream = open(log, "a")
    os.rename(log, tmp_path / "log.jsonl.1")
    return stream, log


def test_a_fifo_put_at_the_logs_path_is_not_taken_up_even_with_a_reader(tmp_path):
    stream, log = _moved(tmp_path)
    os.mkfifo(log)
    reader = os.open(log, os.O_RDONLY | os.O_NONBLOCK)  # someone listening: the open for writing would succeed
    try:
        with stream:
            assert not reopened(stream, str(log))
    finally:
        os.close(reader)


def test_a_log_not_empty_is_not_taken_up(tmp_path):
    stream, log = _moved(tmp_path)
    log.write_text("another format's line\n")
    with stream:
        assert not reopened(stream, str(log))
        stream.write("after\n")
    assert log.read_text() == "another format's line\n" and (tmp_path / "log.jsonl.1").read_text() == "after\n"


def test_what_was_written_before_the_reopen_stays_in_the_moved_log(tmp_path):
    stream, log = _moved(tmp_path)
    log.touch()
    with stream:
        stream.write("buffered before\n")  # not flushed yet: written before the rotation was seen
        assert reopened(stream, str(log))
        stream.write("after\n")
    assert (tmp_path / "log.jsonl.1").read_text() == "buffered before\n" and log.read_text() == "after\n"


needs_root = pytest.mark.skipif(sys.platform == "win32" or os.geteuid() != 0, reason="needs root to give files away")


def _taken_up(tmp_path, folder_mode: int, folder_owner: int, file_owner: int) -> bool:
    shared = tmp_path / "shared"
    shared.mkdir()
    stream, log = _moved(shared)
    log.touch()
    os.chown(log, file_owner, file_owner)
    os.chown(shared, folder_owner, folder_owner)
    os.chmod(shared, folder_mode)
    with stream:
        return reopened(stream, str(log))


@needs_root
def test_in_a_sticky_folder_anyone_may_write_the_folder_owners_file_is_taken_up(tmp_path):
    assert _taken_up(tmp_path, 0o1777, 65534, 65534)  # logrotate's create naming the folder's owner


@needs_root
def test_in_a_sticky_folder_anyone_may_write_the_watch_users_own_file_is_taken_up(tmp_path):
    assert _taken_up(tmp_path, 0o1777, 65534, os.geteuid())


@needs_root
def test_only_a_folder_both_open_to_all_and_sticky_is_judged_so(tmp_path):
    assert _taken_up(tmp_path, 0o777, os.geteuid(), 65534)  # no sticky bit: no /tmp, the log's own folder


def _with_fd2_on(path, body) -> None:
    """Run ``body`` with descriptor 2 (standard error) writing to ``path``, then put it back."""
    saved = os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.dup2(fd, 2)
        body()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)


def test_standard_error_sent_into_the_same_log_follows_it_and_one_sent_elsewhere_stays(tmp_path):
    stream, log = _moved(tmp_path)
    log.touch()

    def both():  # `>> log 2>&1`
        assert reopened(stream, str(tmp_path / "log.jsonl"))
        os.write(2, b"a note\n")

    with stream:
        _with_fd2_on(tmp_path / "log.jsonl.1", both)
    assert log.read_text() == "a note\n"

    (tmp_path / "other").mkdir()
    stream, log = _moved(tmp_path / "other")  # `>> log 2>> notes`
    log.touch()

    def apart():
        assert reopened(stream, str(log))
        os.write(2, b"a note\n")

    with stream:
        _with_fd2_on(tmp_path / "notes", apart)
    assert (tmp_path / "notes").read_text() == "a note\n" and log.read_text() == ""
