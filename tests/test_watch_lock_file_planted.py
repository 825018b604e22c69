"""A watch's folder lock lives in /tmp/cxr-edge-locks, a folder every user may write (sticky, as /tmp), under a name
anyone can work out (the folder's device and inode). A link put at that name was followed: the watch's pid replaced
the file it named (its user's answers log, say) (review 73). A FIFO put there is no lock file either."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from edge import watch_lock


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(watch_lock, "_locks", lambda: str(tmp_path / "locks"))
    (tmp_path / "locks").mkdir()
    (tmp_path / "incoming").mkdir()
    return tmp_path / "incoming"


def test_a_link_at_the_lock_files_name_is_not_followed(folder, tmp_path):
    victim = tmp_path / "answers.jsonl"
    victim.write_text('{"file": "a.png"}\n')
    lock = tmp_path / "locks" / watch_lock.lock_name(folder)
    lock.symlink_to(victim)
    assert watch_lock.watched_elsewhere(folder) is None  # nothing said: no lock taken
    assert victim.read_text() == '{"file": "a.png"}\n' and str(lock) not in watch_lock._HELD


def test_a_fifo_at_the_lock_files_name_is_not_waited_on(folder, tmp_path):
    lock = tmp_path / "locks" / watch_lock.lock_name(folder)
    os.mkfifo(lock)
    assert watch_lock.watched_elsewhere(folder) is None and str(lock) not in watch_lock._HELD


def test_the_lock_file_is_made_and_held_with_the_pid(folder, tmp_path):
    lock = tmp_path / "locks" / watch_lock.lock_name(folder)
    try:
        assert watch_lock.watched_elsewhere(folder) is None and str(lock) in watch_lock._HELD
        assert lock.read_text() == str(os.getpid())
    finally:
        watch_lock._HELD.pop(str(lock)).close()
