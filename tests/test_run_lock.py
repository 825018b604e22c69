"""One writer at a time per run folder: a second cxr-train or cxr-convert is refused at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from train.run_lock import RunFolderBusy, run_folder_lock

pytest.importorskip("fcntl", reason="advisory locks (fcntl) are POSIX-only")


def test_a_run_folder_being_written_refuses_a_second_writer(tmp_path):
    from convert.cli import convert_app
    from train.cli import train_app

    run = tmp_path / "run"
    with run_folder_lock(tmp_path / "." / "run", "cxr-train"):  # another spelling of the same folder
        with pytest.raises(RunFolderBusy, match=r"is being written by cxr-train \(process \d+\): two at once"):
            with run_folder_lock(run, "cxr-convert"):
                pass
        r = CliRunner().invoke(convert_app, [str(run)])
        assert r.exit_code == 2 and "is being written by cxr-train" in r.output
        r = CliRunner().invoke(train_app, ["--out", str(run), "--epochs", "1"])
        assert r.exit_code == 2 and "is being written by cxr-train" in r.output
    assert not run.exists()  # nothing made for a refused writer
    with run_folder_lock(run, "cxr-convert"):  # free again once the first is done
        pass


def test_the_lock_is_the_same_whatever_the_temporary_folder(tmp_path, monkeypatch):
    """A batch scheduler gives each job its own TMPDIR (SLURM): the lock lived there, and two jobs wrote
    one run folder at once."""
    import tempfile

    run = tmp_path / "run"
    with run_folder_lock(run, "cxr-train"):
        monkeypatch.setenv("TMPDIR", str(tmp_path))
        monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile reads TMPDIR again
        assert tempfile.gettempdir() == str(tmp_path)
        with pytest.raises(RunFolderBusy, match="is being written by cxr-train"):
            with run_folder_lock(run, "cxr-convert"):
                pass


def test_what_a_killed_writer_left_is_removed_by_the_next_one(tmp_path, capsys):
    """kill -9 (or the OOM killer) during cxr-convert left a hidden .staging-<hex> folder of whole model
    copies, and cache/.train.<hex>.tmp.npy, which no later run removed."""
    pytest.importorskip("fcntl", reason="a live writer is told by the lock it holds (POSIX)")
    from train.run_lock import run_folder_lock

    run = tmp_path / "run"
    stage = run / ".staging-0123456789abcdef"
    stage.mkdir(parents=True)
    (stage / "model_int8.tflite").write_bytes(b"x" * 3000)
    (run / "cache").mkdir()
    (run / "cache" / ".train.fedcba9876543210.tmp.npy").write_bytes(b"y" * 1000)
    kept = [run / ".hidden-notes.txt", run / "cache" / "train.npy", run / ".staging-notmine"]
    for p in kept:
        p.write_bytes(b"z")
    # a cxr-evaluate writing its report into the run folder (its default) has a live stage there: not ours
    live = run / "site-report" / ".staging-aaaaaaaaaaaaaaaa"
    live.mkdir(parents=True)
    # a stage holding old files a failed move could not put back, which its error named: the user's
    saved = run / ".staging-bbbbbbbbbbbbbbbb" / ".replaced"
    saved.mkdir(parents=True)
    # a cxr-evaluate --save-model run/model_site.tflite still writing (its pid in the name) is left; a dead one's goes
    # (another container's writer may have this process's pid: the lock it holds on what it writes tells)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    running = run / f".model_site.0123456789abcdef.p{os.getpid()}.tmp.tflite"
    running_stage = run / f".staging-0123456789abcdee.p{os.getpid()}"
    gone = [run / f".model_site.0123456789abcded.p{dead.pid}.tmp.tflite", run / f".staging-0123456789abcdec.p{dead.pid}",
            # a killed run's own pid again (in a container every run is pid 1), but no file this process is writing
            run / f".model.0123456789abcdeb.p{os.getpid()}.tmp.keras"]
    running.write_bytes(b"w")
    running_stage.mkdir()
    writer = subprocess.Popen([sys.executable, "-c", "import fcntl, os, sys, time\n"
                               "for p in sys.argv[1:]:\n    fcntl.flock(os.open(p, os.O_RDONLY), fcntl.LOCK_SH)\n"
                               "print('held', flush=True)\ntime.sleep(60)", str(running), str(running_stage)],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline().strip() == "held"
    gone[0].write_bytes(b"d")
    gone[1].mkdir()
    gone[2].write_bytes(b"k")
    # just made by a writer killed at once: a live writer locks its file before it takes such a name (atomic._born),
    # so a young one unlocked is a dead writer's all the same (a rerun within 30 s of a kill -9 kept them for good)
    young = run / f".model_site.0123456789abcdea.p{dead.pid}.tmp.tflite"
    young.write_bytes(b"n")
    # one made by a writer killed before it locked and named it (edge.atomic._born): its pid is gone
    born = run / f".0123456789abcdea.p{dead.pid}.born"
    born.write_bytes(b"b")
    # one of a writer older than 0.27 (no pid in its name, no lock): only its age can tell
    young_unnamed = run / ".model_site.0123456789abcde9.tmp.tflite"
    young_unnamed.write_bytes(b"n")
    old = time.time() - 120  # what a killed writer left is found later: older than edge.leftovers.YOUNG_S
    for p in [stage, run / "cache" / ".train.fedcba9876543210.tmp.npy", *gone, running, running_stage]:
        os.utime(p, (old, old))
    kept += [live, saved, running, running_stage, young_unnamed]
    gone += [young, born]
    try:
        with run_folder_lock(run, "cxr-convert"):
            pass
    finally:
        writer.kill()
        writer.wait()
    assert not stage.exists() and not (run / "cache" / ".train.fedcba9876543210.tmp.npy").exists()
    assert all(p.exists() for p in kept) and not any(p.exists() for p in gone)
    assert "removed 7 temporary files or staging folders (0.0 MB) left in" in capsys.readouterr().err
    with run_folder_lock(run, "cxr-convert"):  # the writer has gone since, its files left behind: they go now
        pass
    assert "removed 2 temporary files" in capsys.readouterr().err and not running.exists()
    with run_folder_lock(run, "cxr-convert"):
        pass
    assert capsys.readouterr().err == ""


def test_a_file_this_process_is_writing_is_kept(tmp_path):
    from edge.atomic import atomic_path
    from edge.leftovers import clear_leftovers

    with atomic_path(tmp_path / "model.keras") as tmp:
        tmp.write_bytes(b"live")
        assert clear_leftovers(tmp_path) == (0, 0) and tmp.exists()
    assert (tmp_path / "model.keras").read_bytes() == b"live"


def test_a_killed_maps_leftover_goes_whatever_its_films_name_and_no_other_file_does(tmp_path):
    """A map's temporary file is named after its film: a film named "scan\n1.png" gave ".scan\n1.<hex>.p<pid>.tmp.png",
    which the leftover pattern ('.' stopping at a newline) never matched, so a killed --explain's map stayed for good;
    and '$' matched before a last newline, so a file whose name only ended like a temporary one was removed."""
    from edge.leftovers import clear_leftovers, temporary_for

    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()  # a pid whose writer is gone
    leftover = f".scan\n1.0123456789abcdef.p{dead.pid}.tmp.png"
    not_ours = f".notes.0123456789abcdef.p{dead.pid}.tmp\n"
    for name in (leftover, not_ours):
        (tmp_path / name).write_bytes(b"x")
    assert temporary_for(leftover) == "scan\n1.png"
    assert clear_leftovers(tmp_path, (".",)) == (1, 1)
    assert sorted(os.listdir(tmp_path)) == [not_ours]


def test_a_killed_reports_stage_goes_when_the_next_report_is_written_there(tmp_path):
    """A killed cxr-evaluate left its .staging-<hex>.p<pid> folder (its whole report and maps) in its report
    folder, which no run lock cleans: it survived the next cxr-convert and the next cxr-evaluate there."""
    pytest.importorskip("fcntl", reason="a live writer is told by the lock it holds (POSIX)")
    from edge.atomic import staged_folder

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "site-report"
    left = out / f".staging-0123456789abcdef.p{dead.pid}"
    (left / "maps").mkdir(parents=True)
    (left / "report.md").write_text("half")
    # made a moment ago by a writer killed at once: a live one's stage is locked before it takes such a name
    fresh = out / f".staging-0123456789abcdee.p{dead.pid}"
    fresh.mkdir()
    unnamed = out / ".staging-0123456789abcded"  # a writer older than 0.27 (no pid, no lock): young, so kept
    unnamed.mkdir()
    old = time.time() - 120
    os.utime(left, (old, old))
    with staged_folder(out) as stage:
        (stage / "report.md").write_text("whole")
    assert not left.exists() and not fresh.exists() and unnamed.exists()
    assert (out / "report.md").read_text() == "whole"


def test_a_run_folder_reached_through_a_link_is_the_same_lock(tmp_path):
    """`cxr-convert runs/latest` (a link) while `cxr-train --replace --out runs/real` writes the folder it points to:
    a lock keyed on the path as typed let both go ahead and mix their files in one run folder."""
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "latest").symlink_to(real, target_is_directory=True)
    with run_folder_lock(real, "cxr-train"):
        with pytest.raises(RunFolderBusy, match="is being written by cxr-train"):
            with run_folder_lock(tmp_path / "latest", "cxr-convert"):
                pass


def test_another_users_lock_file_still_locks(tmp_path, monkeypatch):
    """The lock file of the first user is not writable by a second (umask 022): the second's open failed and it
    went on without a lock, so two commands wrote one run folder at once. flock needs no write access."""
    import builtins

    import edge.lock_file as lock_file

    def as_another_user(path, mode="r", *args, **kwargs):
        if "a" in mode or "w" in mode:
            raise PermissionError(13, "Permission denied", str(path))
        return builtins.open(path, mode, *args, **kwargs)

    run = tmp_path / "run"
    with run_folder_lock(run, "cxr-train"):
        monkeypatch.setattr(lock_file, "open", as_another_user, raising=False)  # where the lock file is opened
        with pytest.raises(RunFolderBusy, match="is being written by cxr-train"):
            with run_folder_lock(run, "cxr-convert"):
                pass
    with run_folder_lock(run, "cxr-convert"):  # free: taken through a read-only descriptor
        pass


def test_a_lock_that_cannot_be_taken_is_said_not_skipped_silently(tmp_path, monkeypatch, capsys):
    """Where the lock file could not be opened (a read-only /tmp, out of inodes, another user's lock folder the
    chmod failed on), the lock was skipped without a word: two cxr-convert into one run folder both ran and both
    said "report: ...". The command goes on, and says that it is unguarded."""
    import edge.lock_file as lock_file
    import train.machine_lock as machine_lock

    def unopenable(path, mode="r", *args, **kwargs):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(lock_file, "open", unopenable, raising=False)  # where the lock file is opened
    ran = []
    with run_folder_lock(tmp_path / "run", "cxr-convert"):
        ran.append(True)
    assert ran == [True]
    err = capsys.readouterr().err
    assert err.startswith("cxr-convert: warning: cannot take the lock in ") and err.count("\n") == 1, err
    assert (f"{machine_lock.LOCKS} (No space left on device): another cxr-train, cxr-convert, cxr-evaluate or cxr-compare "
            f"writing {tmp_path / 'run'} at the same time would not be stopped\n") in err, err


def test_a_platform_without_locks_says_so_once_rather_than_nothing(tmp_path, monkeypatch, capsys):
    """Windows has no fcntl: the lock was a silent no-op, and two cxr-synth (or cxr-train) into one folder both said
    "done" with their files mixed. Nothing stops them there still, but the user is told, once a command."""
    import train.run_lock as run_lock

    monkeypatch.setitem(sys.modules, "fcntl", None)  # import fcntl raises ImportError, as on Windows
    monkeypatch.setattr(run_lock, "_SAID_NO_LOCK", False, raising=False)
    ran = []
    with run_folder_lock(tmp_path / "run", "cxr-train", create=True):
        with run_folder_lock(tmp_path / "run" / "teacher", "cxr-train", create=True):  # the default recipe's second
            ran.append(True)
    assert ran == [True]
    err = capsys.readouterr().err
    assert err == (f"cxr-train: warning: no folder lock on this platform (no fcntl, as on Windows): nothing stops a "
                   f"second cxr-edge command writing into {tmp_path / 'run'} at the same time, and two at once would "
                   "mix their files; run one at a time\n")


def test_the_default_recipes_teacher_folder_is_locked_while_it_is_written_and_read(tmp_path):
    """`cxr-convert RUN/teacher` ran beside `cxr-train --out RUN --replace` (the lock was on RUN only): RUN/teacher
    ended with the old teacher's .tflite files and report beside the new teacher's model.keras and run.json."""
    from train.run import TrainSettings, run_training

    run = tmp_path / "run"
    with run_folder_lock(run / "teacher", "cxr-convert"):
        with pytest.raises(RunFolderBusy, match=r"run/teacher is being written by cxr-convert \(process \d+\)"):
            run_training(TrainSettings(data="synthetic", out=run, image_size=48, epochs=1, synthetic_count=8,
                                       batch_size=8, teacher_members=2, progress=False))
    assert not run.exists()  # refused before anything was written


def _as_host(monkeypatch, tmp_path, name):
    """Stand for another machine (or a container with its own /tmp): a lock folder of its own."""
    import train.machine_lock as machine_lock

    locks = tmp_path / f"tmp-of-{name}"
    locks.mkdir(exist_ok=True)
    monkeypatch.setattr(machine_lock, "lock_folder", lambda: locks)


def test_a_run_folder_written_from_another_host_refuses_a_second_writer(tmp_path, monkeypatch):
    """Two cxr-train on one run folder through two mounts (a share mounted on two hosts, containers with their own
    /tmp) took two locks in two /tmp folders: both said "done", and the folder held files of both runs."""
    from train.cli import train_app

    share = tmp_path / "share"
    share.mkdir()
    (tmp_path / "mnt").symlink_to(share, target_is_directory=True)  # the same folder by another path, as a mount is
    run, there = share / "run", tmp_path / "mnt" / "run"
    _as_host(monkeypatch, tmp_path, "a")
    with run_folder_lock(run, "cxr-train", create=True):  # a new --out: made, to hold the lock inside it
        assert run.is_dir()
        _as_host(monkeypatch, tmp_path, "b")
        with pytest.raises(RunFolderBusy, match=r"run is being written by cxr-train \(process \d+ on [^)]+\): two at once"):
            with run_folder_lock(there, "cxr-convert"):
                pass
        r = CliRunner().invoke(train_app, ["--out", str(there), "--epochs", "1"])
        assert r.exit_code == 2 and "is being written by cxr-train" in r.output, r.output
    assert not run.exists()  # made by the lock and left empty: removed again, lock file and all
    run.mkdir()
    with run_folder_lock(there, "cxr-convert"):  # free again once the first is done
        _as_host(monkeypatch, tmp_path, "a")
        with pytest.raises(RunFolderBusy, match="is being written by cxr-convert"):
            with run_folder_lock(run, "cxr-train"):
                pass
    assert list(run.iterdir()) == []  # no lock file left to show up among the run's files
    with run_folder_lock(run, "cxr-train"):
        pass


def test_a_lock_file_removed_by_its_last_holder_is_not_the_one_held(tmp_path, monkeypatch):
    """The folder's lock file is removed on release: a writer that opened it just before and locked it just after
    held a lock on a file no longer in the folder, beside a third command's lock on the new one: both wrote."""
    import fcntl

    import train.run_lock as run_lock

    run = tmp_path / "run"
    run.mkdir()
    lock = run / run_lock.LOCK_NAME
    lock.write_text("cxr-train (process 1 on elsewhere)")
    real, third = fcntl.flock, []

    def released_meanwhile(fd, op):
        if isinstance(fd, int) and not third and os.path.samestat(os.fstat(fd), lock.stat()):
            lock.unlink()  # its holder lets go, removing it; a third command makes and locks a new one
            third.append(os.open(lock, os.O_RDWR | os.O_CREAT))
            os.write(third[0], b"cxr-convert (process 2 on elsewhere)")
            real(third[0], fcntl.LOCK_EX | fcntl.LOCK_NB)
        return real(fd, op)

    monkeypatch.setattr(fcntl, "flock", released_meanwhile)
    try:
        with pytest.raises(RunFolderBusy, match=r"is being written by cxr-convert \(process 2 on elsewhere\)"):
            with run_folder_lock(run, "cxr-train"):
                pass
    finally:
        for fd in third:
            os.close(fd)
    assert third


def test_a_folder_where_no_lock_file_can_be_made_goes_on_with_the_machines_lock(tmp_path, monkeypatch, capsys):
    """A read-only run folder (a converted run shared read-only), a file system without locks: the command goes on
    under the machine's lock, without a word and without a file left in the folder."""
    import errno

    import train.run_lock as run_lock

    real_open = os.open

    def read_only(path, flags, *args, **kwargs):
        if str(path).endswith(run_lock.LOCK_NAME):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args, **kwargs)

    run = tmp_path / "run"
    monkeypatch.setattr(os, "open", read_only)
    with run_folder_lock(run, "cxr-train", create=True):  # a new --out on it: made, still written
        assert run.is_dir()
        with pytest.raises(RunFolderBusy):  # the machine's lock holds
            with run_folder_lock(run, "cxr-convert"):
                pass
    assert capsys.readouterr().err == ""


def test_a_refused_run_leaves_no_folder_though_the_lock_made_it(tmp_path, monkeypatch):
    """cxr-train's lock makes a new --out to hold its lock file: the run, refused after generating its synthetic set,
    took the folder for one that was there before, and left it behind with the generated films."""
    import train.run as run_module
    from train.data import DataError
    from train.run import TrainSettings, run_training

    def refused_after_generating(s, n_teacher):
        (Path(s.out) / "synthetic-data" / "COVID").mkdir(parents=True)
        (Path(s.out) / "synthetic-data" / "COVID" / "synthetic-COVID-0000.png").write_bytes(b"png")
        raise DataError("refused")

    monkeypatch.setattr(run_module, "_recipe", refused_after_generating)
    out = tmp_path / "runs" / "new"
    with pytest.raises(DataError):
        with run_folder_lock(out, "cxr-train", create=True):  # as cxr-train takes it
            run_training(TrainSettings(data="synthetic", out=out, image_size=48, epochs=1, synthetic_count=8,
                                       batch_size=8, progress=False))
    assert not (tmp_path / "runs").exists()
