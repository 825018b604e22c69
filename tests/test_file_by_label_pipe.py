"""``python -m train.file_by_label SHEET | head -3`` ends quietly: the reader of its summary gone, it printed a
BrokenPipeError traceback after filing every film, as if it had failed (edge-classify's pattern: edge.cliutil)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from edge.cliutil import EXIT_PIPE_CLOSED

ROOT = Path(__file__).resolve().parents[1]


def test_a_reader_gone_ends_the_command_quietly_with_its_films_filed(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    for i in range(4):
        Image.fromarray(np.full((8, 8), 40 * i, np.uint8)).save(export / f"{i}.png")
    (export / "labels.csv").write_text("filename,label\n" + "".join(f"{i}.png,{'A' if i % 2 else 'B'}\n" for i in range(4))
                                       + "gone.png,A\nunlabelled.png,\n")
    p = subprocess.Popen([sys.executable, "-m", "train.file_by_label", str(export / "labels.csv")], cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    p.stdout.close()  # the reader gone before a line was written: as `| head -3` once it has its lines
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == EXIT_PIPE_CLOSED
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert sorted(set(os.listdir(tmp_path / "export_by_class")) - {".filed.csv"}) == ["A", "B"]  # filed before the summary was printed
