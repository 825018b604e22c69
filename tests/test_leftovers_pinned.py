"""edge.leftovers pinned where a change would remove a live writer's file, keep a killed writer's model copies on a
full disk for good, or take a file of the user's for a leftover (found by hand mutation testing: each test here
failed with one small change to the name patterns, temporary_for, _locked, _young, _writer_alive, _pid_alive or
clear_leftovers in place)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from edge import leftovers
from edge.leftovers import LIVE, clear_leftovers, temporary_for

HEX = "0123456789abcdef"


@pytest.fixture(scope="module")
def dead() -> int:
    """The pid of a process that has ended."""
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True).stdout)


def _old(path, seconds: float = 60) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t), follow_symlinks=False)


def test_a_killed_writers_files_and_stages_are_removed_and_counted_with_their_bytes(tmp_path, dead):
    (tmp_path / f".model.{HEX}.p{dead}.tmp.tflite").write_bytes(b"x" * 10)
    stage = tmp_path / f".staging-{HEX}.p{dead}"
    (stage / "maps").mkdir(parents=True)
    (stage / "maps" / "a.png").write_bytes(b"y" * 5)
    (tmp_path / f".{HEX}.p{dead}.born").write_bytes(b"z" * 2)
    (tmp_path / "model.tflite").write_bytes(b"mine")
    assert clear_leftovers(tmp_path, (".",)) == (3, 17)
    assert [p.name for p in tmp_path.iterdir()] == ["model.tflite"]


def test_a_name_like_a_leftovers_that_no_writer_gives_is_kept(tmp_path):
    for name in (f".x.{HEX}.tmp\n", f".staging-{HEX}.p1x", f".staging-{HEX}\n"):
        (tmp_path / name).write_bytes(b"")
        _old(tmp_path / name)
    assert clear_leftovers(tmp_path, (".",)) == (0, 0)


def test_a_leftover_of_an_older_writer_without_a_pid_goes_once_it_is_old(tmp_path):
    young, old = tmp_path / f".a.{HEX}.tmp", tmp_path / f".b.{HEX}.tmp.png"
    young.write_bytes(b"")
    old.write_bytes(b"")
    _old(old)
    assert clear_leftovers(tmp_path, (".",)) == (1, 0) and young.exists() and not old.exists()


def test_a_born_name_of_this_process_goes_unless_this_process_writes_it(tmp_path):
    live, gone = f".{HEX}.p{os.getpid()}.born", f".{HEX[::-1]}.p{os.getpid()}.born"
    for name in (live, gone):
        (tmp_path / name).write_bytes(b"")
    LIVE.add(live)
    try:
        clear_leftovers(tmp_path, (".",))
    finally:
        LIVE.discard(live)
    assert [p.name for p in tmp_path.iterdir()] == [live]


def test_a_born_name_of_a_live_process_is_kept_whatever_its_age(tmp_path):
    born = tmp_path / f".{HEX}.p{os.getppid()}.born"
    born.write_bytes(b"")
    _old(born, 3600)
    assert clear_leftovers(tmp_path, (".",)) == (0, 0)


@pytest.mark.skipif(leftovers.fcntl is None, reason="no locks (Windows)")
def test_a_file_a_live_writer_holds_a_shared_lock_on_is_kept(tmp_path, dead):
    """The writer's lock is shared (edge.atomic._hold): the cleanup's test of it must be an exclusive one."""
    import fcntl

    held = tmp_path / f".model.{HEX}.p{dead}.tmp.tflite"
    held.write_bytes(b"")
    fd = os.open(held, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        assert clear_leftovers(tmp_path, (".",)) == (0, 0)
    finally:
        os.close(fd)
    assert clear_leftovers(tmp_path, (".",)) == (1, 0)


def test_a_stage_holding_old_files_a_failed_move_left_is_kept(tmp_path, dead):
    kept = tmp_path / f".staging-{HEX}.p{dead}" / ".replaced"
    kept.mkdir(parents=True)
    (kept / "report.md").write_text("old")
    assert clear_leftovers(tmp_path, (".",)) == (0, 0)


def test_only_the_temporary_files_of_the_file_named_are_taken(tmp_path, dead):
    mine, theirs = tmp_path / f".model.{HEX}.p{dead}.tmp.tflite", tmp_path / f".other.{HEX}.p{dead}.tmp.tflite"
    mine.write_bytes(b"")
    theirs.write_bytes(b"")
    assert clear_leftovers(tmp_path, (".",), of="model.tflite") == (1, 0) and theirs.exists()


def test_a_link_named_like_a_stage_is_removed_not_the_folder_it_points_to(tmp_path, dead):
    target = tmp_path / "users"
    target.mkdir()
    (target / "keep.txt").write_text("x")
    (tmp_path / "run").mkdir()
    link = tmp_path / "run" / f".staging-{HEX}.p{dead}"
    link.symlink_to(target, target_is_directory=True)
    clear_leftovers(tmp_path / "run", (".",))
    assert not os.path.lexists(link) and (target / "keep.txt").exists()


def test_temporary_for_names_the_file_a_temporary_one_was_to_become():
    assert temporary_for(f".scan\n1.{HEX}.p42.tmp.png") == "scan\n1.png"
    assert temporary_for(f".model.{HEX}.tmp") == "model"
    assert temporary_for("model.tflite") is None


def test_a_killed_writers_temporary_map_of_a_film_named_with_a_newline_is_removed(tmp_path, dead):
    (tmp_path / f".scan\n1.{HEX}.p{dead}.tmp.png").write_bytes(b"")
    assert clear_leftovers(tmp_path, (".",)) == (1, 0)


def test_where_no_lock_can_be_tested_a_live_writers_pid_keeps_its_file_whatever_its_age(tmp_path):
    """A name that cannot be opened to test its lock (here a link to nothing): its pid, a live process's, keeps it."""
    link = tmp_path / f".model.{HEX}.p{os.getppid()}.tmp.tflite"
    link.symlink_to(tmp_path / "gone")
    _old(link, 3600)
    assert clear_leftovers(tmp_path, (".",)) == (0, 0) and os.path.lexists(link)
