"""edge-classify's exit code 2 is also a full disk, and --help and the docs say so.

A batch or a watch whose answers could not be written (the log's disk full) exits 2, which --help called
'usage or model error' and commands.md 'model/usage': a hospital's script that restarts on a wrong model file only
would look at the model, not at the disk."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORDS = "2 usage or model error, or answers that cannot be written (a full disk)"


def test_help_says_that_2_is_also_answers_not_written():
    p = subprocess.run([sys.executable, "-m", "edge.cli", "--help"], cwd=ROOT, capture_output=True, text=True,
                       timeout=120, env={"COLUMNS": "400", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr
    assert WORDS in " ".join(p.stdout.split())


def test_the_command_reference_says_it_too():
    text = (ROOT / "docs" / "commands.md").read_text()
    assert "Exit codes: 0, 1 some files failed, 2 model/usage, or answers that cannot be written" in text
    assert "2 model/usage or answers not written (full disk)" in (ROOT / "README.md").read_text()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_does_exit_2(tiny_run, tmp_path):
    """What the words describe: answers to a full disk end the batch with exit code 2."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    film = sorted((data / "COVID").glob("*.png"))[0]
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "edge.cli", str(film), "--model",
                            str(tiny_run / "model_int8.tflite")], cwd=ROOT, stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=120)
    assert "Traceback" not in p.stderr, p.stderr
    assert p.returncode == 2 and "cannot write the answers to standard output: no space left on device" in p.stderr
