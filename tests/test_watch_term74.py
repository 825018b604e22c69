"""A watch stopped by SIGTERM (a service manager's stop, `timeout`) before its first poll exits 130, as every command
stopped while it starts does; the documented systemd unit must take that exit code as a clean stop, or a
`systemctl stop` just after `systemctl start` (the model still loading: seconds on a Pi) leaves the unit failed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
fcntl = pytest.importorskip("fcntl")


def _unit_success_codes() -> set[str]:
    """The exit codes docs/commands.md's systemd unit counts as a clean end: 0, and its SuccessExitStatus= lines'."""
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    unit = text.split("#### A systemd unit", 1)[1].split("```ini", 1)[1].split("```", 1)[0]
    codes = {"0"}
    for line in unit.splitlines():
        if m := re.match(r"\s*SuccessExitStatus=(.*)", line):
            codes.update(m.group(1).split())
    return codes


def _full_pipe() -> tuple[int, int]:
    """A pipe whose buffer is full: a process given its write end blocks at its first write until it is read."""
    r, w = os.pipe()
    fcntl.fcntl(w, getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)
    os.set_blocking(w, False)
    try:
        while True:
            os.write(w, b"x" * 512)
    except BlockingIOError:
        pass
    os.set_blocking(w, True)
    return r, w


def _blocked_in_write(pid: int, limit_s: float = 60) -> None:
    """Wait until ``pid`` sleeps in a pipe write (its /proc wchan), or ``limit_s``: it cannot get past that write."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        try:
            if "pipe_write" in Path(f"/proc/{pid}/wchan").read_text():
                return
        except OSError:
            pass
        time.sleep(0.05)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pipe's size and /proc's wchan are Linux's")
def test_a_watch_stopped_while_it_starts_exits_with_a_code_the_documented_unit_counts_clean(tiny_run, tmp_path):
    """Deterministic: the watch's standard error is a full pipe, so it stops at its first note, before its first poll;
    SIGTERM then lands in its start-up. Up to 0.57.0 the unit had SuccessExitStatus=1 alone: systemd counts only exit
    code 0 and a death by SIGTERM as clean, so its 130 left cxr-watch 'failed (Result: exit-code)'."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    r, w = _full_pipe()
    with open(tmp_path / "answers.jsonl", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-c", "from edge.entry import edge_classify; edge_classify()",
                                 str(folder), "--watch", "--json", "--model", str(tiny_run / "model_int8.tflite")],
                                cwd=ROOT, stdout=log, stderr=w, stdin=subprocess.DEVNULL)
    os.close(w)
    try:
        _blocked_in_write(proc.pid)
        proc.send_signal(signal.SIGTERM)
        with os.fdopen(r, "rb") as said:
            err = said.read().lstrip(b"x").decode("utf-8", "replace")
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    assert "edge-classify: error: interrupted; no answer or map is left half-written" in err, err
    assert "summary:" not in err and "Traceback" not in err, err
    assert (tmp_path / "answers.jsonl").read_bytes() == b""
    assert str(proc.returncode) in _unit_success_codes(), "a stop while the watch starts would leave the unit failed"
    assert "1" in _unit_success_codes()  # a stop of a watch in which some film failed


# As a SIGTERM landing in importlib's module-lock callback while edge.entry imports edge.cli: a real SIGTERM, raised
# in a weakref callback, where Python prints "Exception ignored" and drops the KeyboardInterrupt its handler raises.
# drop(), in the child: a real SIGTERM raised in a weakref callback, where Python drops the KeyboardInterrupt
DROP = """
import signal, sys, weakref

def drop():
    class Held:
        pass
    held = Held()
    ref = weakref.ref(held, lambda r: signal.raise_signal(signal.SIGTERM))  # noqa: F841 (alive as held goes)
    del held
"""


def dropped_while_importing(module: str, entry: str) -> str:
    """A `python -c` program that starts ``entry`` (``package.module:function``) with a SIGTERM dropped so while
    ``module`` is imported."""
    package, function = entry.split(":")
    return DROP + f"""
class Dropped:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            sys.meta_path.remove(self)
            drop()
        return None

sys.meta_path.insert(0, Dropped())
from {package} import {function}
{function}()
"""


_DROPPED_WHILE_STARTING = dropped_while_importing("edge.cli", "edge.entry:edge_classify")


def test_a_sigterm_python_drops_while_the_watch_starts_still_stops_it(tiny_run, tmp_path):
    """Measured (1 of 100 stops 0.5-3 s into a watch's start): the stop was printed as an 'Exception ignored ...
    KeyboardInterrupt' traceback and lost; the watch ran on, `timeout` waited for ever, and a service manager's stop
    went unheard until its SIGKILL. Now the stop is kept and acted on at the next check (loading the runtime)."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    with open(tmp_path / "answers.jsonl", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-c", _DROPPED_WHILE_STARTING, str(folder), "--watch", "--json",
                                 "--model", str(tiny_run / "model_int8.tflite")],
                                cwd=ROOT, stdout=log, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"the watch ran on after its SIGTERM was dropped: {err}")
    assert proc.returncode == 130, err
    assert "edge-classify: error: interrupted; no answer or map is left half-written" in err, err
    assert "Exception ignored" not in err and "Traceback" not in err and "summary:" not in err, err
