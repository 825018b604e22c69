"""A module as an earlier commit had it, loaded beside today's, for the benchmarks that time old against new code on
the same films in one process (read_path.py, scan_path.py): the rest of the package is today's."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def old_module(rev: str, path: str) -> types.ModuleType:
    """``path`` (e.g. 'train/scan.py') as commit ``rev`` had it, registered as old_<its name> (a dataclass looks its
    module up in sys.modules)."""
    src = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    name = "old_" + Path(path).stem
    mod = sys.modules[name] = types.ModuleType(name)
    exec(compile(src, f"{rev}:{path}", "exec"), mod.__dict__)
    return mod
