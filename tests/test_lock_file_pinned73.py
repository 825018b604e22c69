"""edge.lock_file pinned case by case (mutation survivors LK of session 73): a FIFO met through the read-only open
(another user's lock file) is no lock, and is closed; the open never waits on a FIFO; a lock that cannot be taken
closes what it opened; a holder lets go without removing a file another command made at its lock's name since."""

from __future__ import annotations

import builtins
import errno
import os

import pytest

from edge import lock_file

fcntl = pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")


@pytest.fixture
def opened(monkeypatch) -> list:
    """Every file lock_file opens, the lock file taken as another user's: no write access ('a+' refused), so it is
    opened read-only, as it is where another user made it (root may write anything, so the refusal is played)."""
    files: list = []

    def as_another_user(path, mode="r", *args, **kwargs):
        if "a" in mode or "w" in mode:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        f = builtins.open(path, mode, *args, **kwargs)
        files.append(f)
        return f

    monkeypatch.setattr(lock_file, "open", as_another_user, raising=False)
    return files


def test_a_fifo_opened_read_only_is_no_lock_file_and_is_closed(tmp_path, opened):
    lock = tmp_path / "x.lock"
    os.mkfifo(lock)
    writer = os.open(lock, os.O_RDWR)  # a writer: the read-only open then never waits, O_NONBLOCK or not
    try:
        with pytest.raises(OSError, match="is no regular file"):
            lock_file.taken(str(lock), fcntl)
    finally:
        os.close(writer)
    assert len(opened) == 1 and opened[0].closed


def test_the_open_never_waits_on_a_fifo(tmp_path):
    """O_NONBLOCK: a FIFO opened read-only waits for a writer, for ever (this pins the flag, rather than hang)."""
    fd = lock_file._not_followed(str(tmp_path / "x.lock"), os.O_RDONLY | os.O_CREAT)
    try:
        assert fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK
    finally:
        os.close(fd)


class _NoLocks:
    """fcntl on a file system without locks: flock fails (ENOLCK)."""
    LOCK_EX, LOCK_NB, LOCK_UN = fcntl.LOCK_EX, fcntl.LOCK_NB, fcntl.LOCK_UN

    @staticmethod
    def flock(f, how):
        raise OSError(errno.ENOLCK, "No locks available")


def test_a_lock_that_cannot_be_taken_closes_its_file(tmp_path, monkeypatch):
    files: list = []
    real = lock_file._opened

    def recorded(path):
        files.append(real(path))
        return files[-1]

    monkeypatch.setattr(lock_file, "_opened", recorded)
    with pytest.raises(OSError, match="No locks available"):
        lock_file.taken(str(tmp_path / "x.lock"), _NoLocks)
    assert len(files) == 1 and files[0].closed


def test_letting_go_leaves_a_file_another_command_made_at_its_name(tmp_path):
    """Its own file removed meanwhile (by hand, say) and another command's lock made at the name: that one is kept."""
    lock = tmp_path / "x.lock"
    f, held = lock_file.taken(str(lock), fcntl)
    assert held
    os.unlink(lock)
    lock.write_text("cxr-convert (process 4242)")
    lock_file.let_go(str(lock), f, fcntl)
    f.close()
    assert lock.read_text() == "cxr-convert (process 4242)"


def test_letting_go_removes_its_file_before_it_unlocks_it(tmp_path):
    """Unlocked first, a taker waiting on it could lock it before it is removed, and hold a lock on a file no longer
    in the folder beside a third command that makes a new one: the file is gone by the time it is unlocked."""
    lock = tmp_path / "x.lock"
    f, held = lock_file.taken(str(lock), fcntl)
    assert held
    seen: list = []

    class Watched:
        LOCK_EX, LOCK_NB, LOCK_UN = fcntl.LOCK_EX, fcntl.LOCK_NB, fcntl.LOCK_UN

        @staticmethod
        def flock(fd, how):
            seen.append((how, lock.exists()))
            fcntl.flock(fd, how)

    g = open(lock)
    lock_file.let_go(str(lock), f, Watched)
    assert seen == [(fcntl.LOCK_UN, False)] and not lock.exists()
    fcntl.flock(g, fcntl.LOCK_EX | fcntl.LOCK_NB)  # unlocked: another descriptor takes it at once
    g.close()
    f.close()
