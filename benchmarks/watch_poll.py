"""What one poll of edge-classify --watch costs on a folder that keeps its films.

An export folder that nobody empties grows to tens of thousands of films. Each poll used to
stat every one of them (``full_every=1`` below, the behaviour before 0.11); now a poll re-reads
only folders whose own time stamp moved and stats only their files and those still settling,
with a check of every file each FULL_EVERY polls. Measured here on a local disk; on a network
share each stat is a round trip, so the count of stats is the figure that carries over.

    python benchmarks/watch_poll.py            # about 1 min; writes its files under a temporary folder
    python benchmarks/watch_poll.py --files 50000 --folders 50

Prints a table: per quiet poll (nothing arrived), the mean time and the stat calls of each way,
and the ratio; then the same with one film arriving per poll.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import edge.watch as watch  # noqa: E402


def make_tree(root: Path, files: int, folders: int) -> list[Path]:
    dirs = [root / f"day-{k:03d}" for k in range(folders)] if folders > 1 else [root]
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    for k in range(files):
        (dirs[k % len(dirs)] / f"film-{k:06d}.png").write_bytes(b"x" * 64)
    old = time.time_ns() - 3600 * 10**9  # folders written an hour ago: not within RACY_NS
    for d in {*dirs, root}:
        os.utime(d, ns=(old, old))
    return dirs


def measure(root: Path, full_every: int, polls: int, arrivals: list[Path] | None) -> tuple[float, float]:
    """(mean seconds, mean stat calls) of a poll after the first three (which read and settle everything)."""
    w = watch.Watcher([root], recursive=True, full_every=full_every)
    w.poll(), w.poll()
    # as after the folders' stamps stood RACY_NS, and the files' QUIET_NS, on the device's clock: the steady
    # state, not a start's (polls back to back never let a file settle: every poll stat'ed every file)
    w.stamp_seen = {f: (m, t - watch.RACY_NS - 1) for f, (m, t) in w.stamp_seen.items()}
    w.quiet_since = {p: t - watch.QUIET_NS - 1 for p, t in w.quiet_since.items()}
    w.poll()
    calls = 0
    real = os.stat

    def counting(path, *a, **k):
        nonlocal calls
        calls += 1
        return real(path, *a, **k)

    watch.os.stat = counting
    try:
        t0 = time.perf_counter()
        for k in range(polls):
            if arrivals:
                arrivals[k].write_bytes(b"y" * 64)
            w.poll()
        seconds = time.perf_counter() - t0
    finally:
        watch.os.stat = real
    return seconds / polls, calls / polls


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", type=int, default=20000)
    ap.add_argument("--folders", type=int, default=1, help="sub-folders the films are spread over (watched recursively)")
    ap.add_argument("--polls", type=int, default=60)
    a = ap.parse_args()
    # whole cycles of FULL_EVERY polls: a mean over fewer leaves out the periodic check of every file, and overstates the gain
    a.polls = max(watch.FULL_EVERY, -(-a.polls // watch.FULL_EVERY) * watch.FULL_EVERY)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "incoming"
        dirs = make_tree(root, a.files, a.folders)
        for label, arrive in (("quiet (nothing arrives)", False), ("one film arrives per poll", True)):
            got = {}
            for name, every in (("every file each poll (full_every=1, as before 0.11)", 1), (f"changed folders (FULL_EVERY {watch.FULL_EVERY})", watch.FULL_EVERY)):
                arrivals = [dirs[k % len(dirs)] / f"new-{name[:5]}-{k:04d}.png" for k in range(a.polls)] if arrive else None
                got[name] = measure(root, every, a.polls, arrivals)
            rows.append((label, got))
    print(f"edge-classify --watch, one poll over {a.files} films in {a.folders} folder(s), mean of {a.polls} polls\n")
    print("| polls | way | ms per poll | stat calls per poll |")
    print("|---|---|---:|---:|")
    for label, got in rows:
        for name, (s, c) in got.items():
            print(f"| {label} | {name} | {s * 1000:.1f} | {c:.0f} |")
        (s0, c0), (s1, c1) = got.values()
        print(f"| {label} | ratio, before / now | {s0 / s1:.0f}x | {c0 / max(c1, 1):.0f}x |")


if __name__ == "__main__":
    main()
