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
