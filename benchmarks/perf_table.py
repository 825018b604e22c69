"""benchmarks/run.py's table and what its header says of the machine: each row's ratio against the baseline,
judged against its target (the targets are judged here, in the table, never in tests), and the CPU and versions
that a reader rerunning the command must know.
"""

from __future__ import annotations

import math
import os
import platform

import numpy as np


def render(rows) -> str:
    """The markdown table of ``rows`` (measure, default, baseline, target text, kind): each row's ratio as its kind
    reads it (a multiple, a share, a cost) and whether its target was met; "not reached" where a value is inf."""
    lines = ["| measure | default (compact) | baseline (seed / tutorial) | ratio | target | met? |",
             "|---|---:|---:|---:|---|---|"]
    for name, d, b, target, kind in rows:
        ratio = b / d if d else float("inf")
        met = {"pct0.5": d <= 0.005 * b, "x20": ratio >= 20, "x5": ratio >= 5, "x15": ratio >= 15,
               "x3": ratio >= 3, "le1.5": d <= 1.5 * b}.get(kind)
        rtxt = (f"{d / b:.4f}" if kind in ("pct0.5", "le1.5", "share", "info-ratio")
                else f"{d / b:,.0f}x the invoke" if kind == "cost" else f"{ratio:,.1f}x")
        if math.isinf(d) or math.isinf(b):  # a target never reached (inf s): no ratio to give
            rtxt, met = "not reached", (False if met is not None and math.isinf(d) else met)
        lines.append(f"| {name} | {d:,.2f} | {b:,.2f} | {rtxt} | {target} | {'' if met is None else 'yes' if met else 'NO'} |")
    return "\n".join(lines)


def cpu() -> str:
    try:
        return next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown CPU"


def machine() -> str:
    """The header's words on what measured: the CPU and its cores, Python's and the libraries' versions."""
    return (f"{cpu()} ({os.cpu_count()} cores), Python {platform.python_version()}, "
            f"TensorFlow {_v('tensorflow')}, ai-edge-litert {_v('ai-edge-litert')}, numpy {np.__version__}")


def _v(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "absent"
