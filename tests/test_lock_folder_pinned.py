"""edge.lock_folder pinned (mutation survivors of session 73): the locks live in /tmp/cxr-edge-locks whatever TMPDIR
says (a batch scheduler's per-job folder gave two jobs two locks for one folder), and a folder made there is open to
every user with the sticky bit, while one already there is left as it is."""

from __future__ import annotations

import os
import stat
import sys
import tempfile

import pytest

from edge.lock_folder import lock_folder_path, made_lock_folder


@pytest.mark.skipif(os.name != "posix" or not os.path.isdir("/tmp"), reason="POSIX with /tmp")
def test_the_locks_are_kept_in_tmp_not_in_a_per_job_tmpdir(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert lock_folder_path() == "/tmp/cxr-edge-locks"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_folder_made_is_open_to_all_and_sticky(tmp_path):
    locks = made_lock_folder(str(tmp_path / "locks"))
    assert locks.is_dir() and stat.S_IMODE(locks.stat().st_mode) == 0o1777


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_folder_already_there_is_left_as_it_is(tmp_path):
    there = tmp_path / "locks"
    there.mkdir()
    os.chmod(there, 0o755)
    assert made_lock_folder(str(there)) == there and stat.S_IMODE(there.stat().st_mode) == 0o755
