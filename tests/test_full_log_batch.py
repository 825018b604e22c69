"""A batch whose answers cannot be written (`edge-classify in --model M >> full/log.txt` on a full disk) says how
many answers were written, which film's was not, that the films after it were not classified, and the way on: it
said only "cannot write the answers to standard output: no space left on device". Exit code 2 as before."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import pytest

from edge.unwritten_batch import not_written

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_batch_to_a_full_disk_says_what_was_lost_and_what_to_do(tiny_run):
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    films = [str(f) for f in sorted((data / "COVID").glob("*.png"))[:3]]
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "edge.cli", *films, "--model", str(tiny_run / "model_int8.tflite")],
                           cwd=ROOT, stdout=full, stderr=subprocess.PIPE, text=True, timeout=300)
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 2
    assert p.stderr.splitlines()[-1] == (
        f"edge-classify: error: cannot write the answers to standard output: no space left on device; 0 of 3 answers "
        f"were written; the answer to {films[0]} was not, and the 2 files after it (in the order given) were not "
        "classified (a batch stops at its first answer not written): free some space on its disk (or send the answers "
        f"to another log), then give edge-classify {films[0]} and those after it again")


def test_answers_written_before_the_failure_are_counted_and_the_last_film_has_none_after_it():
    full = OSError(errno.ENOSPC, "No space left on device")
    paths = [Path("a.png"), Path("b.png"), Path("c.png")]
    assert not_written(full, paths, [], ["a.png"]) == (
        "; 1 of 3 answers was written; the answer to b.png was not, and the file after it (in the order given) was "
        "not classified (a batch stops at its first answer not written): free some space on its disk (or send the "
        "answers to another log), then give edge-classify b.png and those after it again")
    assert not_written(full, paths, [], ["a.png", "b.png"]).endswith(
        "the answer to c.png was not: free some space on its disk (or send the answers to another log), then give "
        "edge-classify c.png again")
    assert not_written(full, paths, [], ["a.png", "b.png", "c.png"]) == ""  # every answer out: nothing to add


def test_an_error_that_is_no_full_disk_is_not_sent_to_free_space():
    too_large = OSError(errno.EFBIG, "File too large")  # ulimit -f
    said = not_written(too_large, [Path("a.png"), Path("b.png")], [], ["a.png"])
    assert "free some space" not in said
    assert said.endswith("the answer to b.png was not: once standard output can be written, then give edge-classify "
                         "b.png again")


def test_a_single_film_is_not_counted_only_given_the_way_on():
    full = OSError(errno.ENOSPC, "No space left on device")
    assert not_written(full, [Path("a.png")], [], []) == (
        ": free some space on its disk (or send the answers to another log), then give edge-classify a.png again")
