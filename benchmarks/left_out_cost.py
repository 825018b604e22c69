"""What scoring the classes left out costs (cxr-evaluate --score-left-out, cxr-convert's other classes).

On the Kaggle COVID-19 Radiography Database a COVID vs Normal model leaves out 6,012 Lung_Opacity
and 1,345 Viral Pneumonia films; cxr-evaluate reads and scores them unless --no-score-left-out,
and looks for the films the model was trained on among them (convert.seen). This script builds a
folder of N left-out films (links to cxr-dev's Lung_Opacity and Viral_Pneumonia films, repeated
under new names until there are N: read and scored as new files, since nothing is cached
between files), and times convert.left_out.left_out_answers with a real .tflite three ways: no
seen check, the seen check by SHA-256 and copy code, and with the search for cropped copies
(--find-crops, cxr-evaluate's default). Each way runs in a fresh process, so its peak memory is
its own. Prints a Markdown table: seconds per 1,000 films, the ratio to scoring alone, peak RSS.

    python benchmarks/left_out_cost.py --model runs/covid/model_int8.tflite [--films 2000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import queue
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.data_path import CXR_DEV  # noqa: E402
WAYS = {"scored, no seen check": (False, False), "+ seen check (SHA-256, copy code)": (True, False),
        "+ cropped copies (--find-crops)": (True, True)}


def build(folder: Path, data: Path, n: int) -> None:
    """N links to the left-out classes' films, cycled, in cxr-dev's two left-out class folders.
    The links point at absolute paths: a relative one would be read from the temporary folder and dangle."""
    data = data.resolve()
    films = sorted((data / "Lung_Opacity").glob("*.png")) + sorted((data / "Viral_Pneumonia").glob("*.png"))
    if not films:
        sys.exit(f"left_out_cost: {data} has no .png film in Lung_Opacity or Viral_Pneumonia to time")
    for k in range(n):
        src = films[k % len(films)]
        dst = folder / src.parent.name / f"{k:06d}-{src.name}"
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(src, dst)


def one_way(model: str, folder: str, seen: bool, crops: bool, out: mp.Queue) -> None:
    from convert.left_out import left_out_answers
    from edge.model import EdgeModel

    m = EdgeModel(Path(model))
    t0 = time.perf_counter()
    answers, read, _, skipped, _, _ = left_out_answers(
        Path(folder), {"Lung_Opacity": "-", "Viral_Pneumonia": "-"}, m.labels,
        [(m.classify, m.meta["preprocess"], m.typicality, m.decision)], progress=False,
        seen_in=[Path(model)] if seen else None, crops_in=folder if crops else None)
    seconds = time.perf_counter() - t0
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    out.put((seconds, rss_kib, len(read) + sum(a["seen_in_training"] or 0 for a in answers[0].values()), len(skipped)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="a .tflite from cxr-convert (its fingerprints feed the seen check)")
    ap.add_argument("--films", type=int, default=2000, help="how many left-out films to time (at least 1)")
    ap.add_argument("--data", type=Path, default=CXR_DEV,
                    help="a cxr-dev-like folder with Lung_Opacity and Viral_Pneumonia films (default: cxr-dev)")
    a = ap.parse_args()
    if a.films < 1:
        ap.error(f"--films {a.films}: give at least 1")
    if not (a.data / "Lung_Opacity").is_dir():
        sys.exit(f"SKIPPED: {a.data} (cxr-dev, with its Lung_Opacity and Viral_Pneumonia folders) is not here")
    ctx = mp.get_context("spawn")
    rows, base, unreadable = [], None, 0
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp), a.data, a.films)
        for name, (seen, crops) in WAYS.items():
            q = ctx.Queue()
            p = ctx.Process(target=one_way, args=(a.model, tmp, seen, crops, q))
            p.start()
            while True:  # a worker that died (a bad --model, the OOM killer) would leave q.get() waiting for ever
                try:
                    seconds, rss_kib, n, bad = q.get(timeout=5)
                    break
                except queue.Empty:
                    if not p.is_alive():
                        sys.exit(f"left_out_cost: the '{name}' worker stopped (exit code {p.exitcode}); its error is above")
            p.join()
            if n == 0:  # rates over no film would be 1,000 times the elapsed time, not a cost per film
                sys.exit(f"left_out_cost: none of the {a.films:,} films could be read in the '{name}' way "
                         f"({bad:,} unreadable), so there is no rate to give; check --data {a.data}")
            unreadable = max(unreadable, bad)
            per_k = 1000 * seconds / n
            base = base or per_k
            rows.append(f"| {name} | {n:,} | {per_k:.1f} | {per_k / base:.2f}x | {rss_kib / 1024:.0f} |")
    print(f"{a.films:,} left-out films (cxr-dev's Lung_Opacity and Viral_Pneumonia, cycled), model {a.model}, "
          f"{os.cpu_count()} cores\n")
    print("| way | films | seconds per 1,000 films | against scoring alone | peak RSS (MiB) |\n"
          "|---|---:|---:|---:|---:|\n" + "\n".join(rows))
    if unreadable:
        sys.exit(f"left_out_cost: {unreadable:,} of the {a.films:,} films could not be read and are not in the rates")


if __name__ == "__main__":
    main()
