"""edge-classify --watch where its answers cannot go where they should (session 66's leads): a standard output it
cannot write is refused at the start, a pipe whose reader went away ends an idle watch, and a film of a folder watched
twice (in, and a link to in/study) is skipped under the name this watch gives it. Real tiny model, real processes."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import numpy as np
import pytest

from edge.answer_paths import as_watched
from edge.answered import Answer
from edge.stdout_file import not_writable, reader_gone
from edge.watch import Watcher

ROOT = Path(__file__).resolve().parents[1]


def _film(path: Path, seed: int = 0) -> None:
    from PIL import Image

    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (96, 80), dtype=np.uint8)).save(path)


def _watch_args(folder: Path, model_dir: Path) -> list[str]:
    return [sys.executable, "-m", "edge.cli", str(folder), "--watch", "--json", "--interval", "0.1",
            "--model", str(model_dir / "compact" / "model_int8.tflite")]


@pytest.mark.parametrize("held", ["", '{"file": "old.png", "label": "Normal"}\n'])
def test_a_watch_whose_standard_output_is_opened_for_reading_only_refuses_at_the_start(model_dir, tmp_path, held):
    """`edge-classify in --watch --json 1< answers.jsonl`: on an empty log the watch said it was watching, waited for a
    film (hours on a quiet folder), classified it, and only then stopped on "bad file descriptor"; on a log holding
    answers it was told to use StandardOutput=append: or >> as if it would write over them. Refused before the watch
    starts, saying what is wrong."""
    incoming = tmp_path / "in"
    incoming.mkdir()
    _film(incoming / "a.png")
    log = tmp_path / "answers.jsonl"
    log.write_text(held)
    out = os.open(log, os.O_RDONLY)
    try:
        p = subprocess.run(_watch_args(incoming, model_dir) + ["--skip-answered", str(log)], stdout=out,
                           stderr=subprocess.PIPE, text=True, timeout=60, cwd=ROOT)
    finally:
        os.close(out)
    assert p.returncode == 2, p.stderr
    assert p.stderr.strip().splitlines()[-1] == (
        "edge-classify: error: standard output is opened for reading only (the shell's 1< rather than >>): no answer "
        "could be written; give it a file opened for appending (>> answers.jsonl)")
    assert "watching" not in p.stderr and "Traceback" not in p.stderr
    assert log.read_text() == held


def test_a_standard_output_on_a_file_system_remounted_read_only_is_said(tmp_path, monkeypatch):
    """ext4 remounts itself read-only on a disk error: the file stays open for writing, and every write fails."""
    flags = namedtuple("flags", "f_flag")
    with open(tmp_path / "answers.jsonl", "a") as log, open(tmp_path / "answers.jsonl") as reading:
        assert not_writable(log) is None and "reading only" in not_writable(reading)
        monkeypatch.setattr(os, "fstatvfs", lambda fd: flags(os.ST_RDONLY))
        assert "on a read-only file system" in not_writable(log)
        read_end, write_end = os.pipe()
        with os.fdopen(write_end, "w") as pipe:  # a pipe is on no disk: never said to be on a read-only one
            assert not_writable(pipe) is None
            assert not reader_gone(pipe)
            os.close(read_end)
            assert reader_gone(pipe) and not reader_gone(log)


def test_a_watch_piped_into_head_stops_once_head_has_its_line(model_dir, tmp_path):
    """`edge-classify in --watch --json | head -1`: head took the answer and went, and the watch, idle, watched on for
    ever (its next answer's write would have been the first to fail: a film classified for no one). It now stops at
    its next poll, with the closed-output line and exit code 2; what head got is the whole answer."""
    incoming = tmp_path / "in"
    incoming.mkdir()
    _film(incoming / "a.png")
    out, err = tmp_path / "first.jsonl", tmp_path / "err.txt"
    line = (f"timeout 20 {shlex.join(_watch_args(incoming, model_dir))} 2>{shlex.quote(str(err))} "
            f"| head -1 >{shlex.quote(str(out))}; echo ${{PIPESTATUS[0]}}")
    p = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=60, cwd=ROOT)
    said = err.read_text()
    assert p.stdout.strip() == "2", said  # the old watch: 124, killed by timeout
    assert said.strip().splitlines()[-1] == (
        "edge-classify: error: standard output was closed (its reader went away) after 1 answer: the watch stops; "
        "films that arrive now would be answered to no one") and "Traceback" not in said
    (answer,) = out.read_text().splitlines()
    assert json.loads(answer)["file"] == str(incoming / "a.png")


def test_a_film_of_a_folder_watched_also_through_a_link_is_skipped_under_the_links_name(tmp_path, monkeypatch):
    """Without --recursive, `in` and `study` (a link to in/study) are two watched folders: study's films are named
    study/x.png. An earlier watch of in and in/study logged in/study/x.png; --skip-answered matched that folder to the
    first watched folder holding it (in), spelled it in/study again, and the film was answered again on every restart."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in" / "study").mkdir(parents=True)
    _film(tmp_path / "in" / "study" / "x.png")
    os.symlink(tmp_path / "in" / "study", tmp_path / "study")
    watcher = Watcher([Path("in"), Path("study")], say=lambda m: None)
    assert watcher.poll() == [] and watcher.poll() == [os.path.join("study", "x.png")]
    logged = Answer(100.0, (1, 2, 3))
    got = as_watched({os.path.join("in", "study", "x.png"): logged}, [str(f) for f in watcher.folders])
    assert got[os.path.join("study", "x.png")] is logged
    # given the other way round the link comes first: the same name
    got = as_watched({os.path.join("in", "study", "x.png"): logged}, ["study", "in"])
    assert got[os.path.join("study", "x.png")] is logged
