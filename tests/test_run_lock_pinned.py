"""Pinned cases of train.run_lock, one per hand mutant that the existing tests let live: the lock folder made open to
every user, a writer told by either of its two locks (this machine's, or the folder's own from another host), what a
killed writer left cleared under the folder's lock alone, the holder's name written whole. The holder is a second
process that takes the lock, says so on its stdout, and lets go when its stdin closes: no sleeps."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import train.machine_lock as machine_lock
import train.run_lock as run_lock
from train.run_lock import RunFolderBusy, run_folder_lock, writer_of

pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")

ROOT = Path(__file__).resolve().parents[1]


def _holder(folder: Path, prog: str, locks: Path | None = None, create: bool = False) -> subprocess.Popen:
    """A second process holding ``folder``'s lock as ``prog`` (its machine's locks in ``locks``: another host's)."""
    code = textwrap.dedent(f"""
        import sys
        import train.machine_lock as machine_lock
        import train.run_lock as run_lock
        if {str(locks) if locks else None!r}:
            machine_lock.lock_folder_path = lambda: {str(locks)!r}
        with run_lock.run_folder_lock({str(folder)!r}, {prog!r}, create={create!r}):
            print("held", flush=True)
            sys.stdin.readline()
    """)
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.stdout.readline().strip() == "held"
    return p


def _let_go(p: subprocess.Popen) -> None:
    p.stdin.close()
    assert p.wait() == 0


def test_the_lock_folder_is_made_open_to_every_user_where_it_is_not_there(tmp_path, monkeypatch):
    monkeypatch.setattr(machine_lock, "lock_folder_path", lambda: str(tmp_path / "locks"))
    made = machine_lock.lock_folder()
    assert made == tmp_path / "locks" and made.is_dir()
    assert made.stat().st_mode & 0o7777 == 0o1777  # sticky: each user's lock file stays its maker's


def test_a_writer_holding_both_locks_is_named_and_refuses_a_second(tmp_path):
    run = tmp_path / "run"
    p = _holder(run, "cxr-train", create=True)
    try:
        assert writer_of(run) == f"cxr-train (process {p.pid})"  # the machine's lock, read first
        with pytest.raises(RunFolderBusy, match=rf"is being written by cxr-train \(process {p.pid}\): two at once"):
            with run_folder_lock(run, "cxr-convert"):
                pass
    finally:
        _let_go(p)
    assert writer_of(run) is None and not (run / run_lock.LOCK_NAME).exists()  # removed on release


def test_a_writer_on_another_host_is_told_by_the_folders_own_lock(tmp_path):
    """Another machine's /tmp holds its machine lock: only the lock file in the folder tells of it."""
    import socket

    run = tmp_path / "run"
    run.mkdir()
    p = _holder(run, "cxr-train", locks=tmp_path / "elsewhere-tmp")
    try:
        assert writer_of(run) == f"cxr-train (process {p.pid} on {socket.gethostname()})"
        assert "cxr-train" in run_lock.being_written(run)
    finally:
        _let_go(p)
    assert writer_of(run) is None


def test_a_writer_of_a_folder_not_made_yet_is_told_by_the_machines_lock(tmp_path):
    run = tmp_path / "not-yet"
    p = _holder(run, "cxr-convert")  # no folder, so no lock file in it: the machine's lock alone
    try:
        assert not run.exists()
        assert writer_of(run) == f"cxr-convert (process {p.pid})"
    finally:
        _let_go(p)


def test_what_a_killed_writer_left_is_cleared_under_the_folders_lock_alone(tmp_path, monkeypatch, capsys):
    """Where this machine's lock cannot be taken (said in a warning), the folder's own lock still keeps others out:
    a killed writer's stage is cleared all the same."""
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setattr(machine_lock, "lock_folder_path", lambda: str(tmp_path / "a-file" / "locks"))
    run = tmp_path / "run"
    stage = run / ".staging-0123456789abcdef"
    stage.mkdir(parents=True)
    (stage / "model_int8.tflite").write_bytes(b"x" * 3000)
    old = stage.stat().st_mtime - 3600  # a writer's that may not have locked it yet is left while young
    os.utime(stage, (old, old))
    with run_folder_lock(run, "cxr-convert"):
        assert not stage.exists()
    err = capsys.readouterr().err
    assert "warning: cannot take the lock in" in err
    assert "note: removed 1 temporary file or staging folder (0.0 MB) left in" in err


def test_a_holder_whose_lock_file_names_no_one_is_another_cxr_edge_command(tmp_path):
    """A full disk left the folder's lock file empty (the lock holds without its holder's name): the second writer
    was told it is 'being written by : ...'."""
    run = tmp_path / "run"
    run.mkdir()
    code = textwrap.dedent(f"""
        import fcntl, os, sys
        fd = os.open({str(run / run_lock.LOCK_NAME)!r}, os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        print("held", flush=True)
        sys.stdin.readline()
    """)
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    try:
        assert writer_of(run) == "another cxr-edge command"
        with pytest.raises(RunFolderBusy, match=r"is being written by another cxr-edge command: two at once would mix"):
            with run_folder_lock(run, "cxr-convert"):
                pass
    finally:
        _let_go(p)


def test_a_folder_the_lock_made_is_its_own_under_any_spelling_while_held(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with run_folder_lock("runs/new", "cxr-train", create=True):
        assert run_lock.made_by_lock("runs/new") and run_lock.made_by_lock(tmp_path / "runs" / "new")
        assert run_lock.made_by_lock(tmp_path / "runs")  # and the parent it made for it
    assert not run_lock.made_by_lock("runs/new") and not (tmp_path / "runs").exists()  # made, empty: removed
    (tmp_path / "there").mkdir()
    with run_folder_lock("there", "cxr-train", create=True):
        assert not run_lock.made_by_lock("there")


def test_a_folder_not_made_yet_is_one_lock_through_a_linked_parent(tmp_path):
    """Before the folder is there only this machine's lock guards it: keyed on its resolved path, or a link to its
    parent gave a second cxr-train a lock of its own."""
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    with run_folder_lock(tmp_path / "real" / "run", "cxr-train"):
        with pytest.raises(RunFolderBusy, match="is being written by cxr-train"):
            with run_folder_lock(tmp_path / "link" / "run", "cxr-convert"):
                pass


def test_the_holders_name_replaces_a_longer_one_a_past_holder_left(tmp_path, monkeypatch):
    monkeypatch.setattr(machine_lock, "lock_folder_path", lambda: str(tmp_path / "locks"))
    run = tmp_path / "not-yet"
    left = machine_lock.lock_folder() / machine_lock.machine_lock_name(run)
    left.write_text("cxr-evaluate (process 4294967295) and a long tail")
    with run_folder_lock(run, "cxr-train"):
        assert writer_of(run) == f"cxr-train (process {os.getpid()})"  # a probe's descriptor: another lock


def test_nothing_is_cleared_where_neither_lock_could_be_taken(tmp_path, monkeypatch, capsys):
    """No lock held keeps no other writer out: what looks left by a killed one may be a live writer's."""
    import errno

    (tmp_path / "a-file").write_text("x")
    monkeypatch.setattr(machine_lock, "lock_folder_path", lambda: str(tmp_path / "a-file" / "locks"))
    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if str(path).endswith(run_lock.LOCK_NAME):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    stage = tmp_path / "run" / ".staging-0123456789abcdef"
    stage.mkdir(parents=True)
    old = stage.stat().st_mtime - 3600
    os.utime(stage, (old, old))
    with run_folder_lock(tmp_path / "run", "cxr-convert"):
        assert stage.exists()
    assert "removed" not in capsys.readouterr().err


def _on_the_folders_lock_file(run: Path, then) -> object:
    """fcntl.flock that calls ``then`` the first time it is given the folder's lock file."""
    import fcntl

    real, done = fcntl.flock, []

    def flock(fd, op):
        lock = run / run_lock.LOCK_NAME
        if isinstance(fd, int) and not done and lock.exists() and os.path.samestat(os.fstat(fd), lock.stat()):
            done.append(True)
            return then(real, fd, op, lock)
        return real(fd, op)
    return flock


def test_a_lock_file_its_last_holder_removed_with_none_after_it_is_made_again(tmp_path, monkeypatch):
    import fcntl

    run = tmp_path / "run"
    run.mkdir()

    def removed_meanwhile(real, fd, op, lock):
        lock.unlink()  # its last holder let go, removing it, between this open and this lock
        return real(fd, op)

    monkeypatch.setattr(fcntl, "flock", _on_the_folders_lock_file(run, removed_meanwhile))
    with run_folder_lock(run, "cxr-train"):
        assert (run / run_lock.LOCK_NAME).read_text().startswith(f"cxr-train (process {os.getpid()} on ")


def test_a_file_system_without_locks_goes_on_under_the_machines_lock(tmp_path, monkeypatch, capsys):
    import errno
    import fcntl

    run = tmp_path / "run"
    run.mkdir()

    def no_locks(real, fd, op, lock):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", _on_the_folders_lock_file(run, no_locks))
    with run_folder_lock(run, "cxr-train"):
        with pytest.raises(RunFolderBusy):  # the machine's lock holds
            with run_folder_lock(run, "cxr-convert"):
                pass
    assert capsys.readouterr().err == ""


def test_a_killed_holders_longer_name_is_replaced_whole_in_the_folders_lock_file(tmp_path):
    import socket

    run = tmp_path / "run"
    run.mkdir()
    (run / run_lock.LOCK_NAME).write_text("cxr-evaluate (process 4294967295 on a-much-longer-host-name.example)")
    with run_folder_lock(run, "cxr-train"):
        assert (run / run_lock.LOCK_NAME).read_text() == f"cxr-train (process {os.getpid()} on {socket.gethostname()})"


def test_an_empty_stage_a_killed_writer_left_is_said_as_removed(tmp_path, capsys):
    stage = tmp_path / "run" / ".staging-0123456789abcdef"
    stage.mkdir(parents=True)  # killed before it wrote a byte: removed all the same, and said
    old = stage.stat().st_mtime - 3600
    os.utime(stage, (old, old))
    with run_folder_lock(tmp_path / "run", "cxr-convert"):
        assert not stage.exists()
    assert "note: removed 1 temporary file or staging folder (0.0 MB) left in" in capsys.readouterr().err


def test_a_writer_holding_a_shared_lock_on_another_users_lock_file_is_named(tmp_path):
    """A writer on another host (its own /tmp) whose folder lock file a killed command of another user left takes a
    shared lock through a read-only descriptor (_locked_inside): the probe took a shared lock beside it, named no
    one, and cxr-evaluate said the retrain had stopped, "run its cxr-train command again", while it was running."""
    run = tmp_path / "run"
    run.mkdir()
    (run / run_lock.LOCK_NAME).write_text("cxr-train (process 4242 on elsewhere)")  # it cannot write its own name
    code = textwrap.dedent(f"""
        import fcntl, os, sys
        fd = os.open({str(run / run_lock.LOCK_NAME)!r}, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        print("held", flush=True)
        sys.stdin.readline()
    """)
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "held"
    try:
        assert writer_of(run) == "cxr-train (process 4242 on elsewhere)"
        assert "is being written by cxr-train" in run_lock.being_written(run)
    finally:
        _let_go(p)
    assert writer_of(run) is None
