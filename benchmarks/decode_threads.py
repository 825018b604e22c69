"""Peak RSS of edge-classify on a folder of 8 large films, films decoded as before against paced by memory.

Before, every decode thread (--threads, default up to 4) decoded a film at once whatever its size: a folder of
6000x6000 16-bit films held four films' memory. edge.decode_budget now starts a film only while the films
decoding beside it fit in an eighth of the memory free. This machine has far more free memory than a Pi, so
the child process is told a Pi's (MemAvailable of a 4 GB and a 1 GB Pi, --free-mib); "as before" is the same
code with no budget, which is exactly the old pacing. Each run is a fresh process; peak RSS is its VmHWM.

    python benchmarks/decode_threads.py --model run/model_int8.tflite [--threads 1 --threads 4] [--kind png16]

Films are written to a temporary folder: 16-bit PNGs and 12-bit DICOMs of 6000x6000 (about 65 and 72 MB each)
and 8-bit PNGs of 2000x2500 (3 MB), each a smooth gradient with noise (benchmarks/decode_memory.py's film).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from decode_memory import dicom, film  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import atexit, sys
sys.path.insert(0, {root!r})
def peak():
    with open({out!r}, "w") as f:
        f.write(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
atexit.register(peak)
import edge.batch, edge.decode_budget
if {free!r} is None:
    edge.batch.decode_budget = lambda: None  # as before: every thread decodes a film at once
else:
    edge.decode_budget.free_memory = lambda: {free!r} * 2**20
sys.argv = ["edge-classify", {folder!r}, "--model", {model!r}, "--threads", {threads!r}]
from edge.entry import edge_classify
edge_classify()
"""
KINDS = {"png16": "16-bit PNG 6000x6000", "dcm": "12-bit DICOM 6000x6000", "png8": "8-bit PNG 2000x2500"}


def make_folder(root: Path, kind: str) -> Path:
    folder = root / kind
    folder.mkdir()
    first = folder / ("f0.dcm" if kind == "dcm" else "f0.png")
    if kind == "png16":
        Image.fromarray(film(6000, 6000, 65535)).save(first, compress_level=1)
    elif kind == "dcm":
        first.write_bytes(dicom(film(6000, 6000, 4095)))
    else:
        Image.fromarray(film(2500, 2000, 255).astype(np.uint8)).save(first)
    for i in range(1, 8):
        shutil.copy(first, first.with_name(f"f{i}{first.suffix}"))
    return folder


def peak_run(folder: Path, model: str, threads: int, free: int | None, tmp: Path) -> tuple[float, float]:
    """(peak RSS MiB, wall seconds) of one edge-classify run in a fresh process."""
    out = tmp / "peak.txt"
    code = CHILD.format(root=str(ROOT), out=str(out), free=free, folder=str(folder), model=model, threads=str(threads))
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"edge-classify failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return int(out.read_text()) / 1024, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a .tflite (a tiny one does: its size is not what is measured)")
    ap.add_argument("--threads", type=int, action="append", help="--threads values (default 1, 2, 4)")
    ap.add_argument("--kind", action="append", choices=sorted(KINDS), help="films (default all)")
    ap.add_argument("--free-mib", type=int, action="append", help="MemAvailable told (default 3500 and 750: a 4 GB "
                                                                    "and a 1 GB Pi)")
    args = ap.parse_args()
    threads, kinds, frees = args.threads or [1, 2, 4], args.kind or list(KINDS), args.free_mib or [3500, 750]
    heads = "".join(f" {f} MiB free: MiB | s | MiB new/old |" for f in frees)
    print(f"| films (8) | --threads | as before: MiB | s |{heads}")
    print("|---|---:|---:|---:|" + "---:|---:|---:|" * len(frees))
    with tempfile.TemporaryDirectory(prefix="decode-threads-") as name:
        tmp = Path(name)
        for kind in kinds:
            folder = make_folder(tmp, kind)
            for t in threads:
                old, old_s = peak_run(folder, args.model, t, None, tmp)
                cells = ""
                for free in frees:
                    new, new_s = peak_run(folder, args.model, t, free, tmp)
                    cells += f" {new:.0f} | {new_s:.1f} | {new / old:.2f} |"
                print(f"| {KINDS[kind]} | {t} | {old:.0f} | {old_s:.1f} |{cells}", flush=True)
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
