"""The lock files in /tmp/cxr-edge-locks are removed by their holders as they let go (edge.lock_file): kept, the folder
grew a file per run folder ever written and per folder ever watched (30,000 files on a machine that trained in
temporary folders). Removing a held lock file needs each taker to check, once locked, that the path still names the
file it locked: the race is driven here through fcntl.flock, called between a taker's open and its lock, and the
exclusion by two real processes. No sleeps."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import train.machine_lock as machine_lock
from edge import watch_lock
from train.run_lock import RunFolderBusy, run_folder_lock

fcntl = pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def locks(tmp_path, monkeypatch) -> Path:
    """This test's own lock folder, in place of /tmp/cxr-edge-locks (for this process's locks)."""
    folder = tmp_path / "locks"
    monkeypatch.setattr(machine_lock, "lock_folder_path", lambda: str(folder))
    monkeypatch.setattr(watch_lock, "lock_folder_path", lambda: str(folder))
    return folder


def test_a_run_folders_lock_released_leaves_no_file(tmp_path, locks):
    run = tmp_path / "run"
    with run_folder_lock(run, "cxr-train", create=True):
        assert (locks / machine_lock.machine_lock_name(run)).read_text() == f"cxr-train (process {os.getpid()})"
    assert list(locks.iterdir()) == []
    with run_folder_lock(run, "cxr-convert"):  # taken again, on a new file
        pass
    assert list(locks.iterdir()) == []


def test_a_refused_second_writer_leaves_the_holders_file_alone(tmp_path, locks):
    run = tmp_path / "run"
    with run_folder_lock(run, "cxr-train"):
        with pytest.raises(RunFolderBusy, match=r"is being written by cxr-train \(process \d+\)"):
            with run_folder_lock(run, "cxr-convert"):
                pass
        assert (locks / machine_lock.machine_lock_name(run)).exists()  # the holder's, still naming it
    assert list(locks.iterdir()) == []


def _replaced_between_open_and_lock(monkeypatch, lock: Path, holder: str) -> list[int]:
    """fcntl.flock that, the first time it is given ``lock``'s file, first stands for two other processes: its holder
    lets go, removing it, and a third makes a new one there and locks it (its descriptors, for the test to close)."""
    real, third = fcntl.flock, []

    def flock(f, op):
        fd = f if isinstance(f, int) else f.fileno()
        if not third and lock.exists() and os.path.samestat(os.fstat(fd), lock.stat()):
            lock.unlink()
            third.append(os.open(lock, os.O_RDWR | os.O_CREAT))
            os.write(third[0], holder.encode())
            real(third[0], fcntl.LOCK_EX | fcntl.LOCK_NB)
        return real(f, op)

    monkeypatch.setattr(fcntl, "flock", flock)
    return third


def test_a_run_lock_file_replaced_between_open_and_lock_is_not_taken(tmp_path, locks, monkeypatch):
    """The taker locked the removed file (no one else's lock on it) and went on beside the third, which holds the new
    one: two writers of one run folder."""
    run = tmp_path / "not-yet"  # no folder: the machine's lock is the only one
    lock = machine_lock.lock_folder() / machine_lock.machine_lock_name(run)
    lock.write_text("cxr-train (process 1)")
    third = _replaced_between_open_and_lock(monkeypatch, lock, f"cxr-convert (process {os.getpid()})")  # living
    try:
        with pytest.raises(RunFolderBusy, match=rf"is being written by cxr-convert \(process {os.getpid()}\)"):
            with run_folder_lock(run, "cxr-train"):
                pass
    finally:
        for fd in third:
            os.close(fd)
    assert third


def test_a_run_lock_file_removed_between_open_and_lock_is_made_again_and_taken(tmp_path, locks, monkeypatch):
    run = tmp_path / "not-yet"
    lock = machine_lock.lock_folder() / machine_lock.machine_lock_name(run)
    lock.write_text("cxr-train (process 1)")
    real, removed = fcntl.flock, []

    def flock(f, op):
        if not removed and lock.exists():  # the machine's lock: the folder is not there to hold one of its own
            lock.unlink()  # its last holder let go, removing it, with none after it
            removed.append(lock)
        return real(f, op)

    monkeypatch.setattr(fcntl, "flock", flock)
    with run_folder_lock(run, "cxr-convert"):
        assert lock.read_text() == f"cxr-convert (process {os.getpid()})"  # the file in the folder is the one held
        monkeypatch.setattr(fcntl, "flock", real)
        with pytest.raises(RunFolderBusy, match="is being written by cxr-convert"):
            with run_folder_lock(run, "cxr-train"):
                pass
    assert removed and not lock.exists()



def test_a_lock_file_that_cannot_be_removed_is_let_go_without_a_word(tmp_path, locks, monkeypatch, capsys):
    """Another user's lock file in the sticky /tmp folder (opened read-only) cannot be removed: it stays, unlocked,
    and the next command takes it."""
    import errno

    import edge.lock_file as lock_file

    def refused(path, *args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted", str(path))

    monkeypatch.setattr(lock_file.os, "unlink", refused)
    run = tmp_path / "not-yet"
    with run_folder_lock(run, "cxr-train"):
        pass
    assert [p.name for p in locks.iterdir()] == [machine_lock.machine_lock_name(run)]
    with run_folder_lock(run, "cxr-convert"):
        with pytest.raises(RunFolderBusy, match="is being written by cxr-convert"):
            with run_folder_lock(run, "cxr-train"):
                pass
    assert capsys.readouterr().err == ""


def test_a_lock_file_removed_under_every_try_is_refused_not_gone_on_without(tmp_path, locks, monkeypatch, capsys):
    """Removed under each of TRIES tries, the lock is being taken and let go by other commands all the while: the
    command is refused as busy. It went on without the lock, warned (review 73b), and with no folder yet made no
    in-folder lock stopped a second writer."""
    import edge.lock_file as lock_file

    real, tries = fcntl.flock, []

    def flock(f, op):
        if op & fcntl.LOCK_EX:
            os.unlink(f.name)  # each time, another command took it and let go, removing it, in between
            tries.append(op)
        return real(f, op)

    monkeypatch.setattr(fcntl, "flock", flock)
    ran = []
    with pytest.raises(RunFolderBusy, match="is being written by another cxr-edge command"):
        with run_folder_lock(tmp_path / "not-yet", "cxr-train"):
            ran.append(True)
    assert ran == [] and len(tries) == lock_file.TRIES
    assert "cannot take the lock" not in capsys.readouterr().err


def test_a_blocked_take_of_a_removed_file_tries_again(tmp_path, locks, monkeypatch):
    """A taker blocked on a lock file already removed (held a moment by another taker about to try again) named
    that file's last writer, a process that had let go (review 73b: 243 of 14,500 refusals under contention). It
    tries again, and takes the lock in the folder now."""
    run = tmp_path / "run"
    lock = locks / machine_lock.machine_lock_name(run)
    real, other = fcntl.flock, []

    def flock(f, op):
        fd = f if isinstance(f, int) else f.fileno()
        if not other and lock.exists() and os.path.samestat(os.fstat(fd), lock.stat()):
            other.append(os.open(lock, os.O_RDWR))
            os.write(other[0], b"cxr-train (process 1)")
            real(other[0], fcntl.LOCK_EX | fcntl.LOCK_NB)  # the other taker holds the old file, which is removed
            lock.unlink()
        return real(f, op)

    monkeypatch.setattr(fcntl, "flock", flock)
    ran = []
    try:
        with run_folder_lock(run, "cxr-convert"):
            ran.append(True)
    finally:
        for fd in other:
            os.close(fd)
    assert ran == [True] and len(other) == 1


def test_a_watch_lock_file_replaced_between_open_and_lock_is_not_taken(tmp_path, locks, monkeypatch):
    folder = tmp_path / "incoming"
    folder.mkdir()
    lock = locks / watch_lock.lock_name(folder)
    locks.mkdir()
    lock.write_text("1")
    monkeypatch.setattr(watch_lock, "_HELD", {})
    third = _replaced_between_open_and_lock(monkeypatch, lock, str(os.getpid()))  # a living holder's pid
    try:
        assert watch_lock.watched_elsewhere(folder) == f" (process {os.getpid()})"
    finally:
        for fd in third:
            os.close(fd)
    assert third and watch_lock._HELD == {}


def test_a_watch_lock_file_is_removed_as_the_watch_ends(tmp_path, locks, monkeypatch):
    folder = tmp_path / "incoming"
    folder.mkdir()
    monkeypatch.setattr(watch_lock, "_HELD", {})
    assert watch_lock.watched_elsewhere(folder) is None
    lock = locks / watch_lock.lock_name(folder)
    assert lock.read_text() == str(os.getpid())
    watch_lock.let_go_all()  # what the process's end does (atexit)
    assert list(locks.iterdir()) == [] and watch_lock._HELD == {}


# a holder of RUN's lock (its machine's locks in LOCKS): says "held", lets go when its stdin closes; or, with "once",
# says "held" or "busy" and ends
HOLDER = textwrap.dedent("""
    import sys
    import train.machine_lock as machine_lock
    import train.run_lock as run_lock
    run, locks, how = sys.argv[1:4]
    machine_lock.lock_folder_path = lambda: locks
    try:
        with run_lock.run_folder_lock(run, "cxr-" + how):
            print("held", flush=True)
            if how == "hold":
                sys.stdin.readline()
    except run_lock.RunFolderBusy:
        print("busy", flush=True)
""")


def _process(run: Path, locks: Path, how: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", HOLDER, str(run), str(locks), how], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_two_processes_still_exclude_each_other_and_leave_no_file(tmp_path):
    run, locks = tmp_path / "not-yet", tmp_path / "locks"  # no folder: the machine's lock is the only one
    first = _process(run, locks, "hold")
    try:
        assert first.stdout.readline().strip() == "held"
        second = _process(run, locks, "once")
        assert second.communicate(timeout=120)[0].strip() == "busy"
    finally:
        first.stdin.close()
        assert first.wait(timeout=120) == 0
    assert list(locks.iterdir()) == []
    third = _process(run, locks, "once")  # free again, once the first let go
    assert third.communicate(timeout=120)[0].strip() == "held"
    assert list(locks.iterdir()) == []


def test_a_link_at_a_run_locks_name_is_not_followed(tmp_path, locks, capsys):
    """The run lock opened its file "a+" in a folder every user may write, following a link put at its name: the
    holder's name replaced the file the link named (the watch lock's fix, review 73, shared here)."""
    run, victim = tmp_path / "not-yet", tmp_path / "answers.jsonl"
    victim.write_text('{"file": "a.png"}\n')
    machine_lock.lock_folder()
    (locks / machine_lock.machine_lock_name(run)).symlink_to(victim)
    with run_folder_lock(run, "cxr-train"):
        pass
    assert victim.read_text() == '{"file": "a.png"}\n'
    assert "cxr-train: warning: cannot take the lock in " in capsys.readouterr().err


def test_a_holder_named_by_a_process_that_has_ended_is_not_named(tmp_path, locks):
    """A lock file another user holds read-only keeps the last writer's name: the refusal named a process that had
    ended (review 73b). Its name is dropped where that process is gone; a living one is named."""
    from edge.lock_file import living

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert living(f"cxr-train (process {ended.pid})") == ""
    assert living(f"cxr-train (process {os.getpid()})") == f"cxr-train (process {os.getpid()})"
    assert living("cxr-train (process 4242 on gpu-2)".replace("4242", str(os.getpid()))).startswith("cxr-train")
    run = tmp_path / "run"
    lock = locks / machine_lock.machine_lock_name(run)
    locks.mkdir()
    lock.write_text(f"cxr-train (process {ended.pid})")
    with open(lock, "r") as other:  # its holder, that could not write its own name
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(RunFolderBusy, match="is being written by another cxr-edge command"):
            with run_folder_lock(run, "cxr-convert"):
                pass
