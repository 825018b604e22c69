"""A watch's log under logrotate: a log the shell opened with `>` (or systemd's StandardOutput=file:), not `>>`, cut
by copytruncate while the watch writes to it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest


def _film(path: Path, seed: int) -> None:
    from PIL import Image

    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (96, 80), dtype=np.uint8)).save(path)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_log_opened_with_truncate_and_cut_by_copytruncate_gets_no_hole_of_nul_bytes(model_dir, tmp_path, fmt):
    """`edge-classify incoming --watch > answers.csv` (O_TRUNC, no O_APPEND): after logrotate's copytruncate cut the
    log to nothing, the next answer was written at the watch's old offset, behind as many NUL bytes as the log held
    before, and a CSV's header after them: every reader of the live log took its first line for garbage."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "a.png", 0)
    log = tmp_path / f"answers.{fmt}"

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 60
        while text not in log.read_bytes().decode("utf-8", "replace") and time.monotonic() < deadline:
            time.sleep(0.1)

    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)  # the shell's `>`
    try:
        proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(incoming), "--watch", f"--{fmt}", "--interval",
                                 "0.1", "--model", str(model_dir / "compact" / "model_int8.tflite")], stdout=out,
                                stderr=subprocess.PIPE, text=True)
        try:
            wait_for("a.png")
            shutil.copy(log, tmp_path / f"answers.{fmt}.1")  # logrotate copytruncate: copied, then cut to nothing
            os.truncate(log, 0)
            _film(incoming / "b.png", 1)
            wait_for("b.png")
        finally:
            proc.send_signal(signal.SIGTERM)
            err = proc.communicate(timeout=60)[1]
    finally:
        os.close(out)
    data = log.read_bytes()
    assert b"\0" not in data, data[:80]
    lines = data.decode().splitlines()
    if fmt == "csv":
        assert lines[0].startswith("file,label,probability,") and len(lines) == 2, lines
    else:
        import json

        assert [json.loads(line)["file"] for line in lines] == [str(incoming / "b.png")]
    assert "a.png" in (tmp_path / f"answers.{fmt}.1").read_text() and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_log_moved_by_a_create_rotation_is_reopened_at_its_path(model_dir, tmp_path, fmt):
    """logrotate's default (create, rotate 12, no compress) moved the log to answers.jsonl.1 and made an empty one: the
    watch wrote on into the moved file, then (the next week's rotation moved .1 to .2) into .2, unsaid, while the new
    log stayed empty and the unit's --skip-answered answers.jsonl.1 read none of them. Now the new log is taken up at
    each rotation, and a --csv one gets its header first."""
    import csv
    import json

    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "a.png", 0)
    log = tmp_path / f"answers.{fmt}"
    one, two = Path(f"{log}.1"), Path(f"{log}.2")

    def wait_for(path: Path, text: str) -> None:
        deadline = time.monotonic() + 60
        while not (path.exists() and text in path.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)

    with open(log, "a") as out:
        proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(incoming), "--watch", f"--{fmt}", "--interval",
                                 "0.1", "--model", str(model_dir / "compact" / "model_int8.tflite")], stdout=out,
                                stderr=subprocess.PIPE, text=True)
    try:
        wait_for(log, "a.png")
        log.rename(one)  # week 1: moved, and a new log created
        log.touch()
        _film(incoming / "b.png", 1)
        wait_for(log, "b.png")
        one.rename(two)  # week 2: .1 to .2, the log to .1, a new log
        log.rename(one)
        log.touch()
        _film(incoming / "c.png", 2)
        wait_for(log, "c.png")
    finally:
        proc.send_signal(signal.SIGTERM)
        err = proc.communicate(timeout=60)[1]

    def files(path: Path) -> list[str]:
        text = path.read_text()
        if fmt == "json":
            return [Path(json.loads(line)["file"]).name for line in text.splitlines()]
        assert text.startswith("file,label,probability,"), text[:80]
        return [Path(row["file"]).name for row in csv.DictReader(text.splitlines())]

    assert [files(p) for p in (two, one, log)] == [["a.png"], ["b.png"], ["c.png"]]
    assert err.count(f"note: standard output's file {log} was moved to {one} (a rotation that creates a new log): "
                     f"answers go on into the new {log}") == 2 and proc.returncode == 0, err


def _watch(model_dir, incoming: Path, answers: Path, notes) -> subprocess.Popen:
    with open(answers, "a") as out:  # `>> answers.jsonl`
        return subprocess.Popen([sys.executable, "-m", "edge.cli", str(incoming), "--watch", "--json", "--interval",
                                 "0.1", "--model", str(model_dir / "compact" / "model_int8.tflite")], stdout=out,
                                stderr=notes, text=True)


def _wait_for(path: Path, text: str) -> None:
    deadline = time.monotonic() + 60
    while not (path.exists() and text in path.read_bytes().decode("utf-8", "replace")) and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_notes_log_of_its_own_moved_by_a_create_rotation_is_reopened_at_its_path(model_dir, tmp_path):
    """`--watch >> answers.jsonl 2>> watch.log` (or StandardError=append:), both rotated with logrotate's default
    (create): the answers went on into the new answers.jsonl, but every later note, warning and the summary into the
    moved watch.log.1 (then .2), while the watch.log its readers tail stayed empty."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "a.png", 0)
    answers, notes = tmp_path / "answers.jsonl", tmp_path / "watch.log"
    one, two = Path(f"{notes}.1"), Path(f"{notes}.2")
    with open(notes, "a") as err:
        proc = _watch(model_dir, incoming, answers, err)
    try:
        _wait_for(answers, "a.png")
        notes.rename(one)  # week 1: moved, and a new log created
        notes.touch()
        _film(incoming / "b.png", 1)
        _wait_for(answers, "b.png")
        _wait_for(notes, "note: standard error's file")
        one.rename(two)  # week 2: .1 to .2, the log to .1, a new log
        notes.rename(one)
        notes.touch()
        _film(incoming / "c.png", 2)
        _wait_for(answers, "c.png")
        _wait_for(notes, "note: standard error's file")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    said = {p.name: p.read_text() for p in (two, one, notes)}
    assert "watching" in said[two.name] and "summary:" not in said[two.name] + said[one.name], said
    for p in (one, notes):
        assert said[p.name].startswith(f"edge-classify: note: standard error's file {notes} was moved to {one} (a "
                                       f"rotation that creates a new log): notes go on into the new {notes}\n"), said
    assert "summary: 3 " in said[notes.name] and "Traceback" not in "".join(said.values()) and proc.returncode == 0, said


def test_a_notes_log_opened_with_truncate_and_cut_by_copytruncate_gets_no_hole_of_nul_bytes(model_dir, tmp_path):
    """`--watch >> answers.jsonl 2> watch.log` (or StandardError=file:), rotated with copytruncate: the next note (the
    summary at a stop) was written at the watch's old offset, behind as many NUL bytes as the notes log held before."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "a.png", 0)
    answers, notes = tmp_path / "answers.jsonl", tmp_path / "watch.log"
    err = os.open(notes, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)  # the shell's `2>`
    try:
        proc = _watch(model_dir, incoming, answers, err)
        try:
            _wait_for(answers, "a.png")
            _wait_for(notes, "watching")
            shutil.copy(notes, f"{notes}.1")  # logrotate copytruncate: copied, then cut to nothing
            os.truncate(notes, 0)
            _film(incoming / "b.png", 1)
            _wait_for(answers, "b.png")
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    finally:
        os.close(err)
    data = notes.read_bytes()
    assert b"\0" not in data and data.decode().startswith("edge-classify: summary: 2 "), data[:80]
    assert "watching" in Path(f"{notes}.1").read_text() and proc.returncode == 0
