"""RESULTS.md is made of sections, one per benchmark; each benchmark replaces only its own."""

from __future__ import annotations

import json
import re
from pathlib import Path


KEPT = "<!-- kept when the benchmark rewrites this section -->"


def write_section(path: Path, title: str, body: str) -> None:
    """Replace the section ``## {title}...`` of the file at ``path`` in place (or append it), atomically.

    A section runs from its heading to the next ``## `` heading; the title matches as a prefix,
    so a dated heading ("Accuracy benchmark (2026-11-24)") replaces the previous date's. What
    follows a ``KEPT`` line in the old section (the hand-written reading of earlier runs) is
    kept after the new body, so that a re-run does not erase it.
    """
    from edge.atomic import write_text

    old = path.read_text() if path.is_file() else "# Benchmark results\n"
    section = re.compile(rf"\n## {re.escape(title)}[^\n]*\n.*?(?=\n## |\Z)", flags=re.S)
    found = section.search(old)
    kept = found.group(0).split(KEPT, 1)[1].strip("\n") if found and KEPT in found.group(0) else None
    new = "\n" + body.strip("\n") + "\n" + (f"\n{KEPT}\n\n{kept}\n" if kept is not None else "")
    if found:
        text = section.sub(lambda _: new, old, count=1)
    else:
        text = old.rstrip("\n") + "\n" + new
    write_text(path, text)


def made_by() -> str:
    """The release that measured a table, as RESULTS.md's headings name it ("cxr-edge 0.44.0"): options and columns
    change between releases, so a reader who reruns a recorded command needs to know which one it was run with."""
    from edge import __version__

    return f"cxr-edge {__version__}"


def record(title: str, body: str, path: Path | None = None) -> None:
    """Write ``body`` as the section ``title`` of RESULTS.md, headed by its date and release and the command that
    made it."""
    import sys
    import time

    cmd = " ".join(["python", f"benchmarks/{Path(sys.argv[0]).name}", *sys.argv[1:]])
    write_section(path or Path(__file__).with_name("RESULTS.md"), title,
                  f"## {title} ({time.strftime('%Y-%m-%d')}, {made_by()})\n\nCommand: `{cmd}`\n\n{body.strip()}\n")


def report_is_current(run_dir: Path) -> bool:
    """A run's report.json can be reused: newer than its model and made by this cxr-edge version
    (a new version may convert differently, e.g. 0.2.0's float logits head in int8)."""
    from edge import __version__

    report, model = run_dir / "report.json", run_dir / "model.keras"
    if not report.is_file() or report.stat().st_mtime < model.stat().st_mtime:
        return False
    return json.loads(report.read_text()).get("cxr_edge_version") == __version__


def run_record(run_dir: Path, needs: tuple[str, ...] = ("split.json",)) -> dict:
    """A cxr-train run folder's run.json, or the benchmark stops with one line naming what is missing (a
    folder that is not a run, or a run stopped before its split or model was written), not a traceback."""
    missing = [name for name in ("run.json", *needs) if not (Path(run_dir) / name).is_file()]
    if missing:
        raise SystemExit(f"{run_dir}: no {' or '.join(missing)}: give a finished cxr-train run folder (--run)")
    return json.loads((Path(run_dir) / "run.json").read_text())
