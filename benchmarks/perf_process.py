"""Whole-process cost of a command: wall time (start-up included) and peak resident memory.

Peak RSS comes from GNU time (``/usr/bin/time -v``: "Maximum resident set size") when it is
installed. Otherwise each run goes through a fresh Python wrapper that reports
``getrusage(RUSAGE_CHILDREN).ru_maxrss``: that figure is the maximum over *all* children a process
has waited for, so only a wrapper that has run nothing else gives the peak of one command.
Wall time is measured around the whole run here, so both ways time the same thing (the wrapper or
GNU time adds ~1-20 ms, the same for both commands compared).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

GNU_TIME = "/usr/bin/time"
_WRAPPER = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
            "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")


@dataclass
class ProcessCost:
    wall_s: list[float]
    peak_rss_mib: list[float]
    method: str

    @property
    def median_s(self) -> float:
        return statistics.median(self.wall_s)

    @property
    def rss_mib(self) -> float:
        return max(self.peak_rss_mib)


def _has_gnu_time() -> bool:
    if not os.access(GNU_TIME, os.X_OK):
        return False
    p = subprocess.run([GNU_TIME, "-v", "true"], capture_output=True, text=True)
    return p.returncode == 0 and "Maximum resident set size" in p.stderr


def run_once(cmd: list[str], env: dict | None = None, use_gnu_time: bool | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, method) of one run; raises if the command fails."""
    if use_gnu_time is None:
        use_gnu_time = _has_gnu_time()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "time.txt"
        if use_gnu_time:
            full = [GNU_TIME, "-v", "-o", str(report), *cmd]
        else:
            full = [sys.executable, "-c", _WRAPPER, *cmd]
        t = time.perf_counter()
        p = subprocess.run(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        wall = time.perf_counter() - t
        if use_gnu_time:
            text = report.read_text() if report.is_file() else ""
            kib = next((int(ln.split(":")[1]) for ln in text.splitlines() if "Maximum resident set size" in ln), None)
            code = p.returncode
            method = "GNU time -v"
        else:
            last = p.stderr.strip().splitlines()[-1].split() if p.stderr.strip() else ["1", "0"]
            code, kib = int(last[0]), int(last[1])  # ru_maxrss is in KiB on Linux
            method = "getrusage(RUSAGE_CHILDREN) in a fresh wrapper"
        if code != 0 or kib is None:
            raise RuntimeError(f"{' '.join(map(str, cmd))} failed (exit {code}): {p.stderr.strip()[-800:]}")
    return wall, kib / 1024.0, method


def measure(cmd: list[str], runs: int, env: dict | None = None) -> ProcessCost:
    """Run a command ``runs`` times (after one untimed run that warms the file cache)."""
    gnu = _has_gnu_time()
    run_once(cmd, env, gnu)
    walls, rss, method = [], [], ""
    for _ in range(runs):
        w, r, method = run_once(cmd, env, gnu)
        walls.append(w)
        rss.append(r)
    return ProcessCost(walls, rss, method)


def self_rss_mib() -> float:
    """Peak RSS of this process so far (MiB); for notes only."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
