"""A module as an earlier commit had it, loaded beside today's, for the benchmarks that time old against new code on
the same films in one process (read_path.py, scan_path.py): the rest of the package is today's."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import numpy as np

from edge.film_files import IMAGE_SUFFIXES
from edge.controls import escaped

ROOT = Path(__file__).resolve().parents[1]


def old_module(rev: str, path: str) -> types.ModuleType:
    """``path`` (e.g. 'train/scan.py') as commit ``rev`` had it, registered as old_<its name> (a dataclass looks its
    module up in sys.modules)."""
    src = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    name = "old_" + Path(path).stem
    mod = sys.modules[name] = types.ModuleType(name)
    exec(compile(src, f"{rev}:{path}", "exec"), mod.__dict__)
    return mod


def films_under(folder: Path) -> list[Path]:
    """The films under ``folder`` (--films), sorted; a folder with none, or no folder, ends the run with a line saying
    so: the table of zero films was all nan, and --films 20 (a count, where a folder is asked) ran as if it measured."""
    films = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES) if folder.is_dir() else []
    if not films:
        what = "no films under" if folder.is_dir() else "no folder"
        sys.exit(f"{what} '{escaped(str(folder))}': --films names a folder of films (PNG, JPEG, ...); "
                 "left out, the benchmark reads cxr-dev (benchmarks/data_path.py)")
    return films


GROUPS = ("up to 256 px a side", "257 to 1024 px", "over 1024 px")  # a film's longer side, as decoded


def size_group(side: int) -> str:
    """The row of GROUPS a film of longer side ``side`` falls in."""
    return GROUPS[0] if side <= 256 else GROUPS[1] if side <= 1024 else GROUPS[2]


def print_ratio_table(rows: dict[str, list[tuple[float, float]]], timed: str) -> None:
    """The table both benchmarks print: per size group and for all films, the mean of each film's (old, new) median
    milliseconds and their ratio. ``timed``: what was timed, the table's words."""
    rows = {g: rows[g] for g in GROUPS if g in rows}
    rows["all films"] = [t for group in list(rows.values()) for t in group]
    print(f"| films | n | {timed}, old ms | new ms | new / old |")
    print("|---|---:|---:|---:|---:|")
    for group, times in rows.items():
        o, n = (float(np.mean([t[i] for t in times])) for i in (0, 1))
        print(f"| {group} | {len(times)} | {o:.2f} | {n:.2f} | {n / o:.2f} |")
