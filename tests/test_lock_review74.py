"""edge.lock_file's open where its lock file cannot be written (review 74): on a read-only /tmp (a Pi's root file
system remounted read-only after SD-card errors) the lock a watch or a training took before is still held, and is
still seen, through a read-only open; where there is no lock file to read, the warning names the write's refusal
('Read-only file system', 'Permission denied'), not 'No such file or directory'. The refusals are played (a test
cannot remount /tmp); flock itself is real, the holder another open of the file, named by this process's pid."""

from __future__ import annotations

import builtins
import errno
import os
from pathlib import Path

import pytest

import train.machine_lock as machine_lock
from edge import lock_file, watch_lock
from train.run_lock import RunFolderBusy, run_folder_lock

fcntl = pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")


def _refuse_writes(monkeypatch, error: int, why: str) -> None:
    """lock_file's opens for writing refused with ``error``, as a read-only file system (EROFS) or a folder and file
    of another user (EACCES) refuse them; root may write anything, so the refusal is played."""

    def opened(path, mode="r", *args, **kwargs):
        if "a" in mode or "w" in mode:
            raise OSError(error, why, str(path)) if error != errno.EACCES else PermissionError(error, why, str(path))
        return builtins.open(path, mode, *args, **kwargs)

    monkeypatch.setattr(lock_file, "open", opened, raising=False)


@pytest.fixture
def locks(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "locks"
    folder.mkdir()
    monkeypatch.setattr(machine_lock, "lock_folder_path", lambda: str(folder))
    monkeypatch.setattr(watch_lock, "lock_folder_path", lambda: str(folder))
    monkeypatch.setattr(watch_lock, "_HELD", {})
    return folder


def _held(lock: Path, name: str):
    """The lock file at ``lock`` held, as its holder (another process, taken before /tmp went read-only) holds it."""
    lock.write_text(name)
    f = open(lock)
    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return f


def test_a_watch_holding_its_lock_on_a_read_only_tmp_refuses_a_second_watch(tmp_path, locks, monkeypatch):
    """Up to 0.57.0 the refused write (EROFS) ended the check: the second watch answered every film again."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    holder = _held(locks / watch_lock.lock_name(incoming), str(os.getpid()))
    try:
        _refuse_writes(monkeypatch, errno.EROFS, "Read-only file system")
        assert watch_lock.watched_elsewhere(incoming) == f" (process {os.getpid()})"
        assert watch_lock._HELD == {}
    finally:
        holder.close()


def test_a_run_lock_held_on_a_read_only_tmp_refuses_a_second_writer(tmp_path, locks, monkeypatch, capsys):
    run = tmp_path / "not-yet"  # no folder: the machine's lock is the only one
    holder = _held(locks / machine_lock.machine_lock_name(run), f"cxr-train (process {os.getpid()})")
    try:
        _refuse_writes(monkeypatch, errno.EROFS, "Read-only file system")
        with pytest.raises(RunFolderBusy, match=rf"is being written by cxr-train \(process {os.getpid()}\)"):
            with run_folder_lock(run, "cxr-convert"):
                pass
    finally:
        holder.close()
    assert "cannot take the lock" not in capsys.readouterr().err


def test_a_free_lock_file_on_a_read_only_tmp_is_taken_and_left_in_place(tmp_path, locks, monkeypatch, capsys):
    """A killed command's file: taken read-only (its holder not named), and left, as it cannot be removed."""
    run = tmp_path / "not-yet"
    lock = locks / machine_lock.machine_lock_name(run)
    lock.write_text(f"cxr-train (process {os.getpid()})")
    _refuse_writes(monkeypatch, errno.EROFS, "Read-only file system")

    def unlink(path):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(lock_file.os, "unlink", unlink)
    with run_folder_lock(run, "cxr-convert"):
        with pytest.raises(RunFolderBusy):
            with run_folder_lock(run, "cxr-evaluate"):
                pass
    assert lock.exists() and capsys.readouterr().err == ""


@pytest.mark.parametrize("error, why", [(errno.EROFS, "Read-only file system"), (errno.EACCES, "Permission denied")])
def test_no_lock_file_to_read_warns_of_the_write_refused(tmp_path, locks, monkeypatch, capsys, error, why):
    """A read-only /tmp, or a locks' folder of another user that this one may not write to, with no lock file in it:
    up to 0.57.0 a folder it could not write to was said to be 'No such file or directory'."""
    _refuse_writes(monkeypatch, error, why)
    with run_folder_lock(tmp_path / "not-yet", "cxr-train"):
        pass
    err = capsys.readouterr().err
    assert f"cannot take the lock in {locks} ({why})" in err and "No such file" not in err
    with pytest.raises(OSError) as raised:
        lock_file.taken(str(locks / "x.lock"), fcntl)
    assert raised.value.errno == error
