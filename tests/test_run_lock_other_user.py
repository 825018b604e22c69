"""Two writers whose run folder's lock file is another user's (a killed command's, root's, mode 0644), each on its
own host (its own /tmp, so the machine's lock does not see the other): both opened it read-only and took a shared
lock, and both went ahead writing one run folder. Real processes as a real other user (uid 65534); skipped where
none can be run (tests/unprivileged.py says why)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from tests.unprivileged import another_user_prefix
from train.run_lock import LOCK_NAME

pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")

ROOT = Path(__file__).resolve().parents[1]
KILLED = "cxr-train (process 4242 on elsewhere)"  # what the killed root command left in its lock file

# a writer on host LOCKS (its machine's locks there): prints {"went_on": ..., "said": ...}, and where it went on and
# HOLD is set, "held" and holds the lock until its stdin closes
WRITER = textwrap.dedent("""
    import json, sys
    import train.machine_lock as machine_lock
    import train.run_lock as run_lock
    run, locks, hold = sys.argv[1:4]
    machine_lock.lock_folder_path = lambda: locks
    try:
        with run_lock.run_folder_lock(run, "cxr-train"):
            print(json.dumps({"went_on": True, "said": ""}), flush=True)
            if hold == "hold":
                sys.stdin.readline()
    except run_lock.RunFolderBusy as e:
        print(json.dumps({"went_on": False, "said": str(e)}), flush=True)
""")


def _writer(prefix: list[str], run: Path, locks: Path, hold: bool) -> subprocess.Popen:
    return subprocess.Popen([*prefix, sys.executable, "-c", WRITER, str(run), str(locks), "hold" if hold else "once"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _said(p: subprocess.Popen) -> dict:
    line = p.stdout.readline()
    assert line, p.stderr.read()
    return json.loads(line)


def test_two_writers_whose_lock_file_is_another_users_go_one_at_a_time():
    prefix = another_user_prefix()
    with tempfile.TemporaryDirectory(prefix="cxr-lock-") as d:  # not tmp_path: root's, closed to other users
        base = Path(d)
        base.chmod(0o755)
        run, host_a, host_b = base / "run", base / "tmp-a", base / "tmp-b"
        for folder in (run, host_a, host_b):
            folder.mkdir()
            folder.chmod(0o777)  # the other user may write here: only the lock file is not its own
        lock = run / LOCK_NAME
        lock.write_text(KILLED)
        lock.chmod(0o644)
        first = _writer(prefix, run, host_a, hold=True)
        try:
            assert _said(first) == {"went_on": True, "said": ""}
            second = _writer(prefix, run, host_b, hold=False)
            said = _said(second)
            assert second.wait(timeout=60) == 0
            assert not said["went_on"], "a second writer went ahead into a run folder another was writing"
            # neither could write its name into root's file: the killed command's name there is not the holder's
            assert "run is being written by another cxr-edge command: two at once would mix" in said["said"], said
            assert "4242" not in said["said"]
            assert lock.read_text() == KILLED and lock.stat().st_uid == 0  # root's, unchanged: it could not write it
        finally:
            first.stdin.close()
            assert first.wait(timeout=60) == 0
        assert not lock.exists()  # removed by its holder as it let go (the folder is its to write)
        again = _writer(prefix, run, host_b, hold=False)  # free once the first is done
        assert _said(again) == {"went_on": True, "said": ""}
        assert again.wait(timeout=60) == 0


@pytest.mark.parametrize("writable", [False, True])
def test_shared_only_where_the_file_system_refuses_an_exclusive_lock_on_a_read_only_descriptor(tmp_path, writable):
    """NFS refuses an exclusive flock through a read-only descriptor (EBADF): there, and only there, the folder's lock is
    shared (and a holder's exclusive lock still refuses it); a writable descriptor refused one has no lock (the
    machine's alone holds)."""
    import errno
    import fcntl
    from types import SimpleNamespace

    import train.folder_lock as folder_lock

    taken = []

    def as_nfs(fd, op):
        if op & fcntl.LOCK_EX:
            raise OSError(errno.EBADF, "Bad file descriptor")
        taken.append(op)
        fcntl.flock(fd, op)

    nfs = SimpleNamespace(flock=as_nfs, LOCK_EX=fcntl.LOCK_EX, LOCK_SH=fcntl.LOCK_SH, LOCK_NB=fcntl.LOCK_NB)
    (tmp_path / "lock").write_text("")
    fd = os.open(tmp_path / "lock", os.O_RDWR if writable else os.O_RDONLY)
    try:
        if writable:
            with pytest.raises(OSError, match="Bad file descriptor"):
                folder_lock._lock_exclusive(fd, writable, nfs)
            assert taken == []
        else:
            folder_lock._lock_exclusive(fd, writable, nfs)
            assert taken == [fcntl.LOCK_SH | fcntl.LOCK_NB]
    finally:
        os.close(fd)
