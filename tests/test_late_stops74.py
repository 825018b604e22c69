"""A stop Python drops after a command's last check (raised in a weakref or __del__ callback, kept by
edge.interrupts.keep_lost_stops) is said as the command ends, exit code 130, its finished work left whole: it was
swallowed without a word and the command exited 0 as if never stopped (up to 0.57.0 an "Exception ignored"
traceback at least showed it). Deterministic: the signal is raised for real, inside a weakref callback, at a
chosen late point of a real command run in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.test_watch_term74 import DROP

ROOT = Path(__file__).resolve().parents[1]
LATE_LINE = "error: interrupted; the stop came through only after its work was written"


def dropped_after(module: str, function: str, entry: str) -> str:
    """A `python -c` program that starts ``entry`` (``package.module:function``) with a SIGTERM raised in a weakref
    callback (where Python drops it) just after ``module.function`` returns: past the command's last check."""
    package, start = entry.split(":")
    return DROP + f"""
import importlib

late = importlib.import_module({module!r})
real = getattr(late, {function!r})

def dropping(*args, **kwargs):
    result = real(*args, **kwargs)
    drop()
    return result

setattr(late, {function!r}, dropping)
from {package} import {start}
{start}()
"""


def _run(program: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", program, *args], cwd=ROOT, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)


def test_a_stop_dropped_as_cxr_synth_ends_is_said_and_its_set_left_whole(tmp_path):
    out = tmp_path / "synth"
    done = _run(dropped_after("train.synthetic_set", "drop_other_classes", "train.entry:cxr_synth"),
                str(out), "--count", "2", "--size", "32")
    assert done.returncode == 130, done.stderr
    assert f"cxr-synth: {LATE_LINE}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert "wrote 4 SYNTHETIC images" in done.stdout, done.stdout  # its work was done and said, not undone
    assert sorted(p.name for p in out.glob("*/*.png")) and len(list(out.glob("*/*.png"))) == 4


def test_a_stop_dropped_after_a_batchs_last_answer_is_said_with_every_answer_kept(tiny_run, films):
    model = tiny_run / "model_int8.tflite"
    done = _run(dropped_after("edge.cli", "answer", "edge.entry:edge_classify"),
                *map(str, films[:2]), "--json", "--model", str(model))
    assert done.returncode == 130, done.stderr
    assert f"edge-classify: {LATE_LINE}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(answers) == 2, done.stdout  # every answer written whole before the stop was said


def test_a_command_ending_without_a_dropped_stop_exits_as_before(tmp_path):
    done = _run("from train.entry import cxr_synth\ncxr_synth()", str(tmp_path / "synth"), "--count", "1", "--size", "32")
    assert done.returncode == 0, done.stderr
    assert "interrupted" not in done.stderr, done.stderr


def test_a_stop_acted_on_takes_one_dropped_before_it_along(monkeypatch, capsys):
    """A watch ends by a stop, with its summary and exit 0 (or 1): a stop Python dropped just before that one (between
    two polls' checks) is the same stop, and adds no late line and no exit 130 after the summary."""
    from edge import interrupts

    monkeypatch.setattr(interrupts, "_lost", [])
    try:
        with interrupts.kept_interrupts():
            interrupts._lost.append("<a weakref callback>")  # as keep_lost_stops' hook records one
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert interrupts.said_if_stopped_late("edge-classify", 0) == 0
    assert "interrupted" not in capsys.readouterr().err
