"""How many of a site's own healthy films a model needs in training to stop calling them COVID.

Trained on cxr-dev without them, models call most healthy films of a source they never saw
COVID (RESULTS.md, "Accuracy benchmark"). cxr-dev's only source of healthy films besides NIH is
the children's set (Kermany et al., 120 Normal films), so it plays the site: its Normal films
are ordered by a hash of their names; the first 60 form the pool a site may give to training
(the first K of them), the last 60 are only ever scored. Each run trains on every COVID film,
the 256 adult NIH Normal films and the K site films (one folder of symlinks, with its
MANIFEST.csv rows: what `cxr-train --data cxr-dev --add-data my_site` merges too), is converted
to int8 and scored through edge on:

- the site's 60 other Normal films: the share called Normal (cxr-evaluate);
- the site's 331 pneumonia films (viral and bacterial, classes a COVID vs Normal model never
  saw): the share called COVID rather than Normal. It falls when the model learns "this site's
  look means Normal", which healthy films alone can teach it;
- the run's own test split: balanced accuracy and COVID sensitivity.

    python benchmarks/site_films.py                       # single models, K 0,5,15,30,60, seeds 0,1: ~45 min on 2 cores
    python benchmarks/site_films.py --recipe default --k 15  # the default recipe (3-model teacher, distilled): ~15 min a run

Runs go to --out (default runs/site-films, or runs/site-films/default), one folder per K and
seed, and are reused when present, so a second call only prints the table.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.data_path import CXR_DEV  # noqa: E402
SITE = "lecuong1502"  # the children's set, in MANIFEST.csv's source_repo column
POOL = 60


def scored(cmd: list[str]) -> None:
    """Run cxr-train or cxr-evaluate: exit 1 (some films could not be read, the work done without them) is no failure
    of the benchmark; anything else but 0 is."""
    done = subprocess.run(cmd)
    if done.returncode not in (0, 1):
        raise subprocess.CalledProcessError(done.returncode, cmd)

def manifest(data: Path) -> list[dict]:
    return list(csv.DictReader(open(data / "MANIFEST.csv", newline="")))


def ordered(rows: list[dict]) -> list[dict]:
    """A fixed order that no one chose: by a hash of each file's name."""
    return sorted(rows, key=lambda r: hashlib.sha256(r["file"].encode()).hexdigest())


def link_rows(data: Path, folder: Path, chosen: list[dict], rows: list[dict]) -> None:
    """``folder``: a symlink per chosen film, in its class folder, and their MANIFEST.csv rows."""
    for r in chosen:
        link = folder / r["file"]
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.is_symlink():
            os.symlink(data / r["file"], link)
    with open(folder / "MANIFEST.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(chosen)


def build_sets(data: Path, sets: Path, ks: list[int]) -> None:
    """sets/k{K}: COVID + adult Normal + the first K pool films; sets/eval: the other 60 (symlinks)."""
    rows = manifest(data)
    kids = ordered([r for r in rows if r["label"] == "Normal" and r["source_repo"].startswith(SITE)])
    if len(kids) < 2 * POOL:
        raise SystemExit(f"{data}: expected {2 * POOL} children's Normal films, found {len(kids)}")
    base = [r for r in rows if r["label"] == "COVID" or (r["label"] == "Normal" and not r["source_repo"].startswith(SITE))]
    for k in ks:
        link_rows(data, sets / f"k{k}", base + kids[:k], rows)
    link_rows(data, sets / "eval", kids[POOL:2 * POOL], rows)


def run_one(sets: Path, run: Path, k: int, seed: int, recipe: str) -> None:
    """Train, convert and score one run, skipping each step whose output is already there."""
    bin_dir = Path(sys.executable).parent
    if not (run / "report.json").is_file():
        train = [str(bin_dir / "cxr-train"), "--data", str(sets / f"k{k}"), "--classes", "COVID,Normal",
                 "--seed", str(seed), "--out", str(run), "-q"]
        scored(train + (["--teacher-members", "0"] if recipe == "single" else []))
        subprocess.run([str(bin_dir / "cxr-convert"), str(run), "--quant", "int8", "-q"], check=True)
    if not (run / "eval" / "report.json").is_file():
        scored([str(bin_dir / "cxr-evaluate"), str(run / "model_int8.tflite"), str(sets / "eval"),
                "--out", str(run / "eval"), "-q"])


def pneumonia_called_covid(data: Path, run: Path) -> tuple[int, float]:
    """(films, share called COVID rather than Normal) of the site's pneumonia films; cached in the run."""
    cache = run / "site_pneumonia.json"
    if cache.is_file():
        got = json.loads(cache.read_text())
        return got["n"], got["covid"]
    from edge.batch import classify_files
    from edge.model import EdgeModel

    rows = csv.DictReader(open(data / "MANIFEST.csv", newline=""))
    films = [str(data / r["file"]) for r in rows
             if r["label"] in ("Viral_Pneumonia", "Lung_Opacity") and r["source_repo"].startswith(SITE)]
    model = EdgeModel(run / "model_int8.tflite")
    c, n = model.labels.index("COVID"), model.labels.index("Normal")
    probs = [r.probabilities for r in classify_files(model, films) if r.probabilities is not None]
    share = float(np.mean([p[c] > p[n] for p in probs]))
    cache.write_text(json.dumps({"n": len(probs), "covid": share}))
    return len(probs), share


def row(data: Path, run: Path, k: int, seed: int) -> str:
    from convert.metrics import wilson_interval

    site = next(c for c in json.loads((run / "eval" / "report.json").read_text())["metrics"]["per_class"]
                if c["class"] == "Normal")
    called = round(site["sensitivity"] * site["support"])
    lo, hi = wilson_interval(called, site["support"])
    test = json.loads((run / "report.json").read_text())["models"]["int8"]
    covid = next(c for c in test["per_class"] if c["class"] == "COVID")
    n, share = pneumonia_called_covid(data, run)
    return (f"| {k} | {seed} | {called} of {site['support']}: {called / site['support']:.3f} ({lo:.2f}–{hi:.2f}) | "
            f"{share:.3f} (n = {n}) | {test['balanced_accuracy']:.3f} | {covid['sensitivity']:.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=CXR_DEV)
    ap.add_argument("--k", default="0,5,15,30,60", help="site films in the pool given to training")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--recipe", choices=("single", "default"), default="single",
                    help="single: one compact model (--teacher-members 0); default: cxr-train's default recipe")
    ap.add_argument("--out", type=Path, default=None, help="run folders (default runs/site-films[/default])")
    ap.add_argument("--sets", type=Path, default=Path("/tmp/site-films"), help="where the symlink folders go")
    a = ap.parse_args()
    if not (a.data / "MANIFEST.csv").is_file():
        raise SystemExit(f"needs the real chest X-rays at {a.data} (absent here)")
    ks, seeds = [int(v) for v in a.k.split(",")], [int(v) for v in a.seeds.split(",")]
    out = a.out or ROOT / "runs" / "site-films" / ("default" if a.recipe == "default" else "")
    build_sets(a.data.resolve(), a.sets, ks)
    lines = []
    for seed in seeds:
        for k in ks:
            run = out / f"k{k}-s{seed}"
            run_one(a.sets, run, k, seed, a.recipe)
            lines.append(row(a.data.resolve(), run, k, seed))
    print(f"\nrecipe: {a.recipe}; the site's films: the children's set ({SITE})\n")
    print("| site films in the pool (K) | seed | the site's 60 other Normal films called Normal | the site's pneumonia "
          "films called COVID | internal test: balanced acc. | internal test: COVID sens. |")
    print("|---:|---:|---|---|---:|---:|")
    print("\n".join(sorted(lines, key=lambda line: (int(line.split("|")[1]), int(line.split("|")[2])))))


if __name__ == "__main__":
    main()
