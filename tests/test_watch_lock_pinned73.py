"""edge.watch_lock.watched_elsewhere and let_go_all pinned case by case (mutation group WL of session 73): a folder
this process already watches is no other watch; an earlier holder's longer pid is replaced, not appended to; the
release is registered for the process's end once; a forked child lets go of nothing; a release that fails still
closes and forgets; a folder gone is said nothing of."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from edge import watch_lock

pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr(watch_lock, "_locks", lambda: str(tmp_path / "locks"))
    monkeypatch.setattr(watch_lock, "_HELD", {})
    (tmp_path / "locks").mkdir()
    (tmp_path / "incoming").mkdir()
    return tmp_path / "incoming"


def _lock(folder: Path) -> Path:
    return folder.parent / "locks" / watch_lock.lock_name(folder)


def test_a_folder_watched_again_by_this_process_is_no_other_watch(folder):
    try:
        assert watch_lock.watched_elsewhere(folder) is None and watch_lock.watched_elsewhere(folder) is None
        assert list(watch_lock._HELD) == [str(_lock(folder))]
    finally:
        watch_lock.let_go_all()


def test_an_earlier_holders_pid_is_replaced(folder):
    _lock(folder).write_text("1234567890")  # a killed watch's file, unlocked
    try:
        assert watch_lock.watched_elsewhere(folder) is None and _lock(folder).read_text() == str(os.getpid())
    finally:
        watch_lock.let_go_all()


def test_the_release_is_registered_once_for_this_process(folder, tmp_path, monkeypatch):
    registered: list = []
    monkeypatch.setattr(watch_lock, "_AT_EXIT", False)
    monkeypatch.setattr(watch_lock.atexit, "register", lambda *a: registered.append(a))
    other = tmp_path / "other"
    other.mkdir()
    try:
        assert watch_lock.watched_elsewhere(folder) is None and watch_lock.watched_elsewhere(other) is None
    finally:
        watch_lock.let_go_all()
    assert registered == [(watch_lock.let_go_all, os.getpid())]


def test_a_forked_child_lets_go_of_nothing(folder):
    assert watch_lock.watched_elsewhere(folder) is None
    watch_lock.let_go_all(os.getpid() + 1)  # atexit in a forked child: its parent's locks
    assert _lock(folder).exists() and str(_lock(folder)) in watch_lock._HELD
    watch_lock.let_go_all(os.getpid())
    assert not _lock(folder).exists() and watch_lock._HELD == {}


def test_a_release_that_fails_still_closes_and_forgets(folder, monkeypatch):
    assert watch_lock.watched_elsewhere(folder) is None
    held = list(watch_lock._HELD.values())

    class NoLocks:
        LOCK_UN = watch_lock.fcntl.LOCK_UN

        @staticmethod
        def flock(f, how):
            raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(watch_lock, "fcntl", NoLocks)
    watch_lock.let_go_all()
    assert held and all(f.closed for f in held) and watch_lock._HELD == {}


def test_a_folder_gone_and_a_held_lock_closed_after_reading_its_holder(folder, monkeypatch):
    assert watch_lock.watched_elsewhere(folder.parent / "gone") is None
    _lock(folder).write_text(str(os.getpid()))  # a living holder's pid (one gone is not named)
    opened: list = []
    real = watch_lock.taken

    def busy(path, fcntl):
        f, _ = real(path, fcntl)
        fcntl.flock(f, fcntl.LOCK_UN)
        opened.append(f)
        return f, False  # as where another watch holds it

    monkeypatch.setattr(watch_lock, "taken", busy)
    assert watch_lock.watched_elsewhere(folder) == f" (process {os.getpid()})"
    assert opened[0].closed and watch_lock._HELD == {}
