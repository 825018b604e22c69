"""Does a long-running edge-classify --watch grow: its memory with the films it answered, its poll with the folder?

A Pi runs ``edge-classify --watch FOLDER --model M --json >> answers.jsonl`` as a service for weeks. This starts
that very command (a subprocess, as a service would), feeds its folder films steadily (small PNGs made from a few
cxr-dev films, copied under new names), and every batch samples the process's resident memory (VmRSS) and its CPU
time (utime + stime, so that other work on a shared machine does not count): per film answered, and per quiet poll
over a whole cycle of polls (edge.watch_timing.FULL_EVERY, whose last poll checks every file). Two folders: one that
keeps every film answered (an export folder nobody empties), and one whose films are moved away once answered. At
the end it checks that the answers file holds every film exactly once, each with a label.

    python benchmarks/watch_soak.py            # about 6 min: 4,000 films into each folder
    python benchmarks/watch_soak.py --quick    # under a minute: 100 films into each

Prints a table per folder: films answered, RSS MiB, CPU ms per film, CPU ms per quiet poll, each also as a ratio to
the first row (taken after the first batch, so that the model and the libraries are loaded). What a watch must keep
per film in a folder that keeps its films (the stamp and inode of each, to tell a new film from an old one) shows as
RSS growth in the first folder alone; in the second it must stay flat.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.data_path import CXR_DEV  # noqa: E402
from edge.watch_timing import FULL_EVERY  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")

MODEL = ROOT / "build" / "runtime-models" / "compact" / "model_int8.tflite"


def films(count: int = 4, size: int = 256) -> list[bytes]:
    """``count`` PNGs of ``size`` px made from the first cxr-dev films of each class (in memory: none in the repo)."""
    from PIL import Image

    sources = sorted(CXR_DEV.glob("*/*.png"))
    if not sources:
        sys.exit(f"watch_soak: no cxr-dev films under {CXR_DEV}; set CXR_DEV_DATA to the data set's folder")
    picked = [sorted(CXR_DEV.glob(f"{c.name}/*.png"))[0] for c in sorted(CXR_DEV.iterdir()) if c.is_dir()][:count]
    out = []
    for p in picked:
        buf = io.BytesIO()
        Image.open(p).convert("L").resize((size, size)).save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_ms(pid: int) -> float:
    """The CPU time the process has run, in ms, its threads that ended (a batch's decoding pool) included: stat's
    utime and stime, in ticks of 10 ms, fine enough for a batch of films."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK  # fields 14 and 15 of stat


def threads_ms(pid: int) -> float:
    """The CPU time the process's live threads have run, in ms: schedstat's nanoseconds, for quiet polls (a whole
    cycle of them is often under a tick); a thread that ended meanwhile is not counted, so only where none does."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):  # the thread ended as it was read
            pass
    return total / 1e6


def lines(path: Path) -> int:
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def soak(work: Path, keep: bool, total: int, batch: int, interval: float, model: Path,
         data: list[bytes]) -> tuple[list[tuple[int, float, float, float]], str]:
    """Rows (films answered, RSS MiB, CPU ms per film, CPU ms per quiet poll), and the answers file's verdict."""
    name = "kept" if keep else "moved"
    folder, away, answers, errors = work / f"in-{name}", work / f"away-{name}", work / f"{name}.jsonl", work / f"{name}.err"
    folder.mkdir()
    away.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    with open(answers, "wb") as out, open(errors, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-c", "from edge.entry import edge_classify; edge_classify()",
                                 str(folder), "--watch", "--model", str(model), "--json", "--interval", str(interval),
                                 "--threads", "1"], stdout=out, stderr=err, env=env)
    rows, sent, written = [], 0, []
    try:
        deadline = time.monotonic() + 120
        while b"watching" not in errors.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the watch did not start: {errors.read_text()[-2000:]}")
            time.sleep(0.1)
        while sent < total:
            n = min(batch, total - sent)
            before = cpu_ms(proc.pid)
            for k in range(sent, sent + n):
                part = folder / f".film-{k:06d}.png.part"  # hidden while written, then renamed: as a copy tool does
                part.write_bytes(data[k % len(data)])
                written.append(folder / f"film-{k:06d}.png")
                os.rename(part, written[-1])
            sent += n
            deadline = time.monotonic() + 60 + n
            while lines(answers) < sent:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{lines(answers)} answers of {sent}: {errors.read_text()[-2000:]}")
                time.sleep(0.05)
            per_film = (cpu_ms(proc.pid) - before) / n  # the polls while they settled included, alike for every row
            if not keep:
                for p in written[-n:]:
                    os.rename(p, away / p.name)
            # a quiet window: the folder's stamp has stood (edge.watch_timing.RACY_NS), then a whole cycle of polls
            time.sleep(3.5)
            before, t0 = threads_ms(proc.pid), time.monotonic()
            time.sleep(FULL_EVERY * interval)
            polls = (time.monotonic() - t0) / interval
            rows.append((sent, rss_mib(proc.pid), per_film, (threads_ms(proc.pid) - before) / polls))
            print(f"  {name}: {sent} films, {rows[-1][1]:.1f} MiB", file=sys.stderr, flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    got = [json.loads(line) for line in answers.read_text().splitlines()]
    files = [a["file"] for a in got]
    labelled = sum(1 for a in got if a.get("label"))
    expected = {str(p) for p in written}
    verdict = (f"{len(got)} answers for {total} films: {len(set(files) & expected)} films answered, "
               f"{len(files) - len(set(files))} twice, {labelled} with a label")
    if set(files) != expected or len(files) != total or labelled != total:
        verdict = "INCOMPLETE: " + verdict
    return rows, verdict


def held_per_film(work: Path, films_: int = 4000, keep: bool = True) -> float:
    """Bytes the watcher (edge.watch.Watcher, in this process) holds per film, by tracemalloc, after ``films_`` films
    arrived in batches of 200 and were taken (64-byte stand-ins: a poll never reads a film), in a folder that keeps
    them or one they are moved out of: what of the RSS growth above is the watch's own record of each film."""
    import gc
    import tracemalloc

    import edge.watch as watch

    folder, away = work / f"held-{keep}", work / f"held-away-{keep}"
    folder.mkdir()
    away.mkdir()
    quiet, racy = watch.QUIET_NS, watch.RACY_NS
    watch.QUIET_NS = watch.RACY_NS = 0  # settled on two polls: no waiting, the same records
    try:
        w = watch.Watcher([folder])
        tracemalloc.start()
        start = None
        for first in range(0, films_, 200):
            for k in range(first, first + 200):  # os.path, not pathlib, whose names 3.11 interns: this script's
                with open(os.path.join(folder, f"film-{k:06d}.png"), "wb") as f:  # own memory, not the watcher's
                    f.write(b"x" * 64)
            taken = w.poll() + w.poll() + w.poll()
            if not keep:
                for p in taken:
                    os.rename(p, away / os.path.basename(p))
            w.poll()
            gc.collect()
            if start is None:  # after the first batch: the dicts' and the module's first allocations left out
                start = tracemalloc.get_traced_memory()[0]
        held = tracemalloc.get_traced_memory()[0] - start
        tracemalloc.stop()
    finally:
        watch.QUIET_NS, watch.RACY_NS = quiet, racy
    return held / (films_ - 200)  # the first batch's left out


def table(rows: list[tuple[int, float, float, float]]) -> str:
    first = rows[0]
    out = ["| films answered | RSS MiB | ratio | CPU ms per film | ratio | CPU ms per quiet poll | ratio |",
           "|---:|---:|---:|---:|---:|---:|---:|"]
    for films_, rss, per_film, per_poll in rows:
        out.append(f"| {films_:,} | {rss:.1f} | {rss / first[1]:.2f}x | {per_film:.1f} | {per_film / first[2]:.2f}x "
                   f"| {per_poll:.2f} | {per_poll / max(first[3], 1e-9):.2f}x |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="100 films into each folder, in batches of 50 (under a minute)")
    ap.add_argument("--films", type=int, default=4000, help="films fed into each folder")
    ap.add_argument("--batch", type=int, default=250, help="films copied in at once; a row is sampled after each batch")
    ap.add_argument("--interval", type=float, default=0.1, help="the watch's --interval")
    ap.add_argument("--model", type=Path, default=MODEL)
    a = ap.parse_args()
    if a.quick:
        a.films, a.batch = 100, 50
    if not a.model.is_file():
        sys.exit(f"watch_soak: no model at {a.model}; give --model (e.g. runs/demo/model_int8.tflite after `make "
                 "demo`; `make test` writes the default one)")
    data = films()
    work = Path(tempfile.mkdtemp(prefix="watch_soak-"))
    try:
        print("The watcher's own record (tracemalloc, in this process, 64-byte stand-ins): "
              f"{held_per_film(work, max(a.films, 1000), True):.0f} bytes per film in a folder that keeps them, "
              f"{held_per_film(work, max(a.films, 1000), False):.0f} bytes per film in one they are moved out of")
        for keep in (True, False):
            rows, verdict = soak(work, keep, a.films, a.batch, a.interval, a.model, data)
            print(f"\n{'Folder that keeps every film answered' if keep else 'Folder whose films are moved away once answered'}"
                  f" ({a.model.parent.name} {a.model.name}, --interval {a.interval:g}):\n")
            print(table(rows))
            print(f"\nanswers file: {verdict}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
