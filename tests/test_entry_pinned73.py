"""edge.entry.watch_notes_appended pinned case by case (mutation survivors EN of session 73), in a child process whose
standard error is opened as systemd's StandardError=file: opens it (no O_APPEND, at offset 0): with --watch, what it
says goes after the earlier notes; without it (a batch's own log), as opened; a pipe is left as it is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("fcntl", reason="POSIX-only: file status flags")

ROOT = Path(__file__).resolve().parents[1]
SAY = ("import fcntl, os, sys; from edge.entry import watch_notes_appended; watch_notes_appended(sys.argv); "
       "os.write(2, b'said\\n'); print(bool(fcntl.fcntl(2, fcntl.F_GETFL) & os.O_APPEND))")


def _said(args: list[str], stderr) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", SAY, *args], stderr=stderr, stdout=subprocess.PIPE, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


@pytest.mark.parametrize("args, kept", [(["--watch"], True), (["--model", "m", "--watch"], True), ([], False),
                                        (["--watchx"], False)])
def test_a_watchs_notes_go_after_the_earlier_ones(tmp_path, args, kept):
    notes = tmp_path / "watch.log"
    notes.write_text("an earlier watch's note\n")
    err = os.open(notes, os.O_WRONLY)
    try:
        p = _said(args, err)
    finally:
        os.close(err)
    assert p.stdout == f"{kept}\n"
    assert notes.read_text() == ("an earlier watch's note\nsaid\n" if kept else "said\nrlier watch's note\n")


def test_the_program_name_is_no_option(tmp_path):
    notes = tmp_path / "watch.log"
    notes.write_text("earlier\n")
    err = os.open(notes, os.O_WRONLY)
    try:
        p = subprocess.run([sys.executable, "-c", SAY.replace("(sys.argv)", "(['--watch'])")], stderr=err,
                           stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                           timeout=120)
    finally:
        os.close(err)
    assert p.stdout == "False\n" and notes.read_text() == "said\ner\n"


def test_a_pipe_is_left_as_it_is():
    p = _said(["--watch"], subprocess.PIPE)
    assert p.stdout == "False\n" and p.stderr == "said\n"
