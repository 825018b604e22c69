"""Two watches of one folder, or a watch and another run writing one log (a systemd unit copied and started twice): the
second watch of a folder is refused, and a run appending to a log a watch writes is warned (edge.watch_lock)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from edge import watch_lock
from tests.test_watch_restarts import _two_polls


def _png(path: Path) -> None:
    Image.fromarray(np.random.default_rng(len(path.name)).integers(0, 255, (64, 64), dtype=np.uint8)).save(path)


def test_a_second_watch_of_a_folder_is_refused_before_it_answers_a_film(model_dir, tmp_path, monkeypatch):
    """Two watches of one folder each answered every film, into one log twice, and neither said a word."""
    from typer.testing import CliRunner

    from edge.cli import app

    _two_polls(monkeypatch)
    folder = tmp_path / "incoming"
    folder.mkdir()
    _png(folder / "a.png")
    model = str(model_dir / "compact" / "model_int8.tflite")
    # the other watch's lock, as another process holds it (flock: another open file of it conflicts in one process too)
    with open(os.path.join(watch_lock._locks(), watch_lock.lock_name(folder)), "a+") as other:
        fcntl.flock(other, fcntl.LOCK_EX)
        other.truncate(0), other.write(str(os.getpid())), other.flush()  # a living holder's pid
        r = CliRunner().invoke(app, [str(tmp_path / "incoming" / ""), "--watch", "--json", "--model", model])
        assert r.exit_code == 2 and r.stdout == "", r.output
        assert (f"error: {folder} is watched already by another edge-classify --watch (process {os.getpid()}): a second watch "
                "answers every film twice; stop one, or watch another folder") in r.stderr
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model])  # the other one stopped
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 1, r.output
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model])  # this process's own, again
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 1, r.output


def test_a_batch_appending_to_a_log_a_watch_writes_says_so(model_dir, tmp_path):
    """`edge-classify FOLDER --json >> answers.jsonl` beside the watch writing that log: its lines go in among the
    watch's, whole, and it is said; a log no watch writes is appended to without a word."""
    folder, log = tmp_path / "films", tmp_path / "answers.jsonl"
    folder.mkdir()
    _png(folder / "a.png")
    model = str(model_dir / "compact" / "model_int8.tflite")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "TF_CPP_MIN_LOG_LEVEL": "3"}

    def batch() -> str:
        with open(log, "a") as out:
            r = subprocess.run([sys.executable, "-m", "edge.cli", str(folder), "--json", "--model", model], stdout=out,
                               stderr=subprocess.PIPE, text=True, env=env, timeout=300)
        assert r.returncode == 0, r.stderr
        return r.stderr

    assert "another edge-classify --watch" not in batch()
    with open(log, "a") as watch:  # the watch's own open log, locked as a watch holds it
        assert watch_lock.log_written_by_a_watch(watch.fileno(), hold=True) is False
        said = batch()
    assert ("warning: another edge-classify --watch appends to standard output's file too: this run's answers go in "
            "among its answers (each line whole)") in said
    assert len(log.read_text().splitlines()) == 2


def test_a_second_watch_into_a_log_a_watch_holds_is_told(tmp_path):
    log = tmp_path / "answers.csv"
    with open(log, "a") as first, open(log, "a") as second:
        assert watch_lock.log_written_by_a_watch(first.fileno(), hold=True) is False
        assert watch_lock.log_written_by_a_watch(second.fileno(), hold=True) is True
        assert watch_lock.log_written_by_a_watch(second.fileno(), hold=False) is True
    with open(log, "a") as third:  # the first closed: its lock went with it
        assert watch_lock.log_written_by_a_watch(third.fileno(), hold=False) is False
