"""Peak memory and time of cxr-train's near-duplicate search (train.hygiene.duplicate_groups) as the
number of films grows, side by side with the pair-gathering search it replaced, each in a fresh process.

Chest X-rays look alike at 8x8: on cxr-dev an eighth of all pairs of films have dHashes within the
10-bit limit, so the search's cost is set by how many pairs are candidates, not by how many are
copies. The films here are hashes and thumbnails drawn to give that share (12.5%: 8 clusters of
hashes one bit apart), with random thumbnails (no copies), so no images need decoding.

    python benchmarks/duplicate_memory.py [--n 2000 --n 5000 --n 10000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = """
import sys, time
sys.path.insert(0, {root!r})
import numpy as np
from train.hygiene import NEAR_DUPLICATE_BITS, NEAR_DUPLICATE_CORRELATION, duplicate_groups, hamming_matrix


def gathering(sha256, hashes, thumbs):  # the 0.13.0 search: every candidate pair's thumbnails gathered
    near = []
    for start in range(0, len(sha256), 512):
        rows, cols = np.nonzero(hamming_matrix(hashes[start:start + 512], hashes) <= NEAR_DUPLICATE_BITS)
        rows = rows + start
        keep = rows < cols
        rows, cols = rows[keep], cols[keep]
        corr = np.einsum("ij,ij->i", thumbs[rows], thumbs[cols])
        near += [(r, c) for r, c in zip(rows[corr >= NEAR_DUPLICATE_CORRELATION], cols[corr >= NEAR_DUPLICATE_CORRELATION])]
    return near


rng = np.random.default_rng(0)
n = {n}
base = rng.integers(0, 2**63, size=8, dtype=np.uint64)
hashes = base[rng.integers(0, 8, n)] ^ (np.uint64(1) << rng.integers(0, 64, n).astype(np.uint64))
thumbs = rng.standard_normal(size=(n, 1024), dtype=np.float32)  # no float64 copy: VmHWM would keep its peak
thumbs /= np.linalg.norm(thumbs, axis=1, keepdims=True)
sha = [str(i) for i in range(n)]
try:  # start VmHWM again from here (Linux 4.0+): the peak is then the search's alone
    open("/proc/self/clear_refs", "w").write("5")
except OSError:
    pass
before = int(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmRSS:")))
t0 = time.perf_counter()
duplicate_groups(sha, hashes, thumbs) if {shipped} else gathering(sha, hashes, thumbs)
seconds = time.perf_counter() - t0
peak = int(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
print(seconds, (peak - before) / 1024)
"""


def measure(n: int, shipped: bool) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", CHILD.format(root=str(ROOT), n=n, shipped=shipped)],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, action="append", help="number of films (repeatable; default 2000 and 5000)")
    sizes = ap.parse_args().n or [2000, 5000]
    print("| films | candidate pairs | search | seconds | peak above the inputs MiB | gathering / blocks (memory) |")
    print("|---:|---:|---|---:|---:|---:|")
    for n in sizes:
        pairs = round(n * (n - 1) / 2 / 8)
        old, new = measure(n, False), measure(n, True)
        print(f"| {n:,} | ~{pairs:,} | gathering pairs (0.13.0) | {old[0]:.1f} | {old[1]:,.0f} | |")
        print(f"| {n:,} | ~{pairs:,} | blocks (shipped) | {new[0]:.1f} | {new[1]:,.0f} | {old[1] / max(new[1], 1):.0f}x |")


if __name__ == "__main__":
    main()
