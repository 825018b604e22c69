"""A batch stopped by Ctrl-C (edge.stopped_batch): its summary, how many of its files were answered of how many, and
the first not answered, on stderr; exit code 130. It said only 'interrupted; every file already written is complete,
and none is half-written'. A real edge-classify process, sent SIGINT once its first answer is read; real tiny model."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edge.batch import Result
from edge.stopped_batch import batch_stopped, first_unanswered, stopped_words

ROOT = Path(__file__).resolve().parents[1]
FILMS = 1000  # more --json answers than a pipe holds: the batch waits on its reader, and cannot end before the stop


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("many")
    rng = np.random.default_rng(7)
    ramp = np.linspace(40, 210, 64)[None, :] + np.linspace(0, 30, 64)[:, None]
    for i in range(FILMS):
        pixels = np.clip(ramp + rng.normal(0, 20, (64, 64)), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"film{i:04d}.png")
    return folder


def _as_at_a_terminal() -> None:
    """A child's Ctrl-C as at a terminal: a suite started as a background job (CI's `.ci/run &`) inherits SIGINT
    ignored, and a Python started so never raises KeyboardInterrupt (tests/test_interrupts.py; CI caught it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stopped(model: Path, folder: Path, *args: str) -> tuple[int, list[str], str]:
    """edge-classify FOLDER --json, sent SIGINT once its first answer is read: its exit code, answers and stderr.
    Block-buffered (no PYTHONUNBUFFERED): each answer leaves as written_to_stdout flushes it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(folder), "--threads", "1", "--json",
                             "--model", str(model), *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_as_at_a_terminal)
    try:
        first = proc.stdout.readline()
        assert first.startswith("{"), first
        proc.send_signal(signal.SIGINT)
        answers = [first, *proc.stdout.read().splitlines()]
        err = proc.stderr.read()
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, answers, err


def test_a_stopped_batch_says_how_many_it_answered_and_where_it_stopped(model, many):
    code, answers, err = _stopped(model, many)
    assert code == 130, (code, err)
    assert "Traceback" not in err and "every file already written" not in err, err
    n = len(answers)
    assert 1 <= n < FILMS
    films = sorted(str(p) for p in many.iterdir())
    assert [json.loads(a)["file"] for a in answers] == films[:n]  # whole lines, in order
    line = next(ln for ln in err.splitlines() if ln.startswith("edge-classify: error: interrupted"))
    assert re.match(rf"edge-classify: error: interrupted after {n} of {FILMS} files (was|were) answered; the other "
                    rf"{FILMS - n} were not, from {re.escape(films[n])} on", line), line
    summary = [ln for ln in err.splitlines() if ln.startswith("edge-classify: summary: ")]
    assert len(summary) == 1 and summary[0].startswith(f"edge-classify: summary: {n} file"), err
    assert err.splitlines()[-1] == line  # the stop's line last, as every command's error line


def test_the_first_unanswered_file_is_counted_in_the_order_given_not_by_position():
    missing = [(1, Result("gone.png", error="no such file or folder"))]
    assert first_unanswered([Path("a.png"), Path("b.png")], missing, ["a.png", "gone.png"]) == (3, "b.png")
    assert first_unanswered([Path("a.png"), Path("b.png")], missing, ["a.png"]) == (3, "gone.png")
    # a film that ran out of memory beside others is answered last: the one it left is the first not answered
    assert first_unanswered([Path("a.png"), Path("b.png"), Path("c.png")], [], ["b.png", "c.png"]) == (3, "a.png")
    assert first_unanswered([Path("a.png")], [], ["a.png"]) == (1, None)
    # a film given twice is answered twice: once answered, its second place is the first not answered
    assert first_unanswered([Path("a.png"), Path("a.png")], [], ["a.png"]) == (2, "a.png")
    assert first_unanswered([Path("a.png"), Path("a.png")], [], ["a.png", "a.png"]) == (2, None)


def test_the_stop_line_says_answers_not_files_written():
    assert stopped_words(1, 220, "many/b.png") == ("interrupted after 1 of 220 files was answered; the other 219 were "
                                                   "not, from many/b.png on (in the order given): give edge-classify "
                                                   "those again")
    assert stopped_words(1, 2, "b.png").endswith("the other one was not, from b.png on (in the order given): give "
                                                 "edge-classify those again")
    assert stopped_words(3, 3, None) == "interrupted after 3 of 3 files were answered"


def test_a_stopped_batch_says_its_summary_maps_and_stop_on_stderr_and_exits_130(capsys):
    paths = [Path("a.png"), Path("b.png"), Path("c.png")]
    stop = batch_stopped("2 files: 2 COVID", "2 maps written to maps/", 2, paths, [], ["a.png", "b.png"])
    assert stop.exit_code == 130
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines() == [
        "edge-classify: summary: 2 files: 2 COVID", "edge-classify: 2 maps written to maps/",
        "edge-classify: error: interrupted after 2 of 3 files were answered; the other one was not, from c.png on (in "
        "the order given): give edge-classify those again"]


@pytest.mark.parametrize("total, answered", [(None, 1), ("0 files", 0)])
def test_a_stopped_batch_says_no_summary_without_one_or_without_answers(capsys, total, answered):
    stop = batch_stopped(total, None, answered, [Path("a.png"), Path("b.png")], [], ["a.png"][:answered])
    assert stop.exit_code == 130
    _, err = capsys.readouterr()
    assert len(err.splitlines()) == 1 and err.startswith("edge-classify: error: interrupted after"), err


def test_a_stop_before_any_film_speaks_of_answers_not_files(model):
    """Stopped while it read paths on stdin, it said 'every file already written is complete': it had written none,
    and writes none but --explain's maps."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.Popen([sys.executable, "-m", "edge.cli", "-", "--model", str(model)], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_as_at_a_terminal)
    try:
        while "not a medical device" not in (ln := proc.stderr.readline()):  # loaded: stdin is read next
            assert ln, "edge-classify ended before reading stdin"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and out == "", (proc.returncode, err)
    assert err.splitlines()[-1] == "edge-classify: error: interrupted; no answer or map is left half-written", err
