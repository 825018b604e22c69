"""What the input check flags (edge.typicality): typical films should pass, wrong inputs should not.

For each of the accuracy benchmark's default runs (runs/bench-accuracy/<task>-compact-distilled,
and the COVID vs Normal runs without Hannover and without the children), the check is fitted
exactly as cxr-convert fits it (fit_typicality on the run's training images, threshold on its
validation images) and the share of flagged images is printed for:

- its own test split, as stored and under each simulated acquisition shift (convert.shifts):
  new hospitals' exposure, blur, noise, framing and markers, which should NOT be flagged;
- the held-out films of the run without Hannover (a hospital in no training image) and of the
  run without the children's Normal films (a source and an age group in no training image) and,
  for COVID vs Normal, the films of the classes it never saw;
- the test films inverted (a negative, e.g. a MONOCHROME1 film shown raw), rotated by 90 degrees
  and upside down, which should be flagged;
- images that are not chest X-rays: the package's own synthetic chests, rendered text pages,
  pure noise, and a photograph (matplotlib's sample portrait, where installed).

    python benchmarks/input_check.py --write   # about 1 min on 2 cores; needs the runs of benchmarks/accuracy.py

--write puts the table in benchmarks/RESULTS.md (section "Input check").
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUNS = {"covid-normal": "covid-normal-compact-distilled", "4-class": "4-class-compact-distilled",
        "covid-normal without Hannover": "covid-normal-compact-distilled-without-hannover",
        "covid-normal without the children": "covid-normal-compact-distilled-without-children"}
WRONG_WAY = {"inverted": lambda g: 255 - g, "rotated 90deg": np.rot90, "upside down": np.flipud}


def text_pages(n: int, seed: int = 0) -> list[np.ndarray]:
    """Grey pages of black text lines (a scanned request form, a report), 8-bit grayscale."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    pages = []
    for _ in range(n):
        img = Image.new("L", (600, 800), int(rng.integers(200, 256)))
        d = ImageDraw.Draw(img)
        for y in range(40, 760, int(rng.integers(18, 40))):
            words = " ".join("".join(chr(97 + c) for c in rng.integers(0, 26, rng.integers(2, 9))) for _ in range(8))
            d.text((40, y), words, fill=int(rng.integers(0, 60)), font_size=int(rng.integers(12, 20)))
        pages.append(np.asarray(img))
    return pages


def synthetic_chests(n: int = 30) -> list[np.ndarray]:
    from train.synthetic import SYNTHETIC_CLASSES, render

    rng = np.random.default_rng(0)
    return [render(SYNTHETIC_CLASSES[k % 2], rng).astype(np.uint8) for k in range(n)]


def not_chest_xrays(n: int = 30) -> dict[str, list[np.ndarray]]:
    rng = np.random.default_rng(0)
    out = {"text pages": text_pages(n),
           "uniform noise": [rng.integers(0, 256, (512, 512)).astype(np.uint8) for _ in range(n)]}
    try:
        import matplotlib.cbook

        with matplotlib.cbook.get_sample_data("grace_hopper.jpg") as f:
            from PIL import Image

            out["a photograph (portrait)"] = [np.asarray(Image.open(f).convert("L"))]
    except (ImportError, OSError, ValueError):
        pass
    return out


def unseen_class_films(data_dir: Path, split) -> dict[str, list[Path]]:
    """Every film of the classes the run never saw, by class and age group ("Lung_Opacity, adults").

    All of them, not the first N in MANIFEST.csv order: that order put 119 children's films among
    the first 150 lung opacities, and the check flags children's pneumonias far more often than
    adults' (0.24 against 0.01 on one COVID vs Normal model): a sample so drawn overstated it.

    Empty (said in one line on stderr) where the data folder has no MANIFEST.csv (a run on other data than
    cxr-dev): the age groups come from its sources, and the other rows need no manifest."""
    from benchmarks.accuracy import PEDIATRIC_SOURCES

    manifest = data_dir / "MANIFEST.csv"
    if not manifest.is_file():
        print(f"input_check: no MANIFEST.csv in {data_dir} (cxr-dev has one): the rows of the classes the run never "
              "saw, by age group, are left out", file=sys.stderr)
        return {}
    used = {i.path for part in split.parts.values() for i in part}
    out: dict[str, list[Path]] = {}
    with open(manifest, newline="") as f:
        for r in csv.DictReader(f):
            if r["label"] not in split.classes and r["file"] not in used:
                who = "children's" if r.get("source_repo") in PEDIATRIC_SOURCES else "adults'"
                out.setdefault(f"{r['label']}, {who} films", []).append(data_dir / r["file"])
    return dict(sorted(out.items()))


GROUPS = ("should pass", "real chest X-rays unlike the training films, or drawn chests", "should be flagged")


def measure(run_dir: Path) -> list[tuple[int, str, int, float]]:
    """(group, condition, n, share flagged) rows for one run; group indexes GROUPS."""
    from convert.shifts import shifted_inputs
    from edge.preprocess import PreprocessConfig, load_grayscale, preprocess_gray
    from edge.typicality import fit_typicality
    from train.cache import load_part
    from train.data import Split

    from benchmarks.results import run_record

    config = PreprocessConfig.from_dict(run_record(run_dir)["preprocess"])
    split = Split.load(run_dir / "split.json")
    part = lambda name: load_part(run_dir, split, name, config, progress=False)[0]  # noqa: E731
    check = fit_typicality(part("train"), part("val"))
    flagged = lambda x: float(check.atypical(x).mean())  # noqa: E731
    prep = lambda films: np.stack([preprocess_gray(g, config) for g in films])  # noqa: E731
    data_dir = Path(split.data_dir)
    test = [load_grayscale(data_dir / i.path) for i in split.parts["test"]]
    rows = [(0, f"test split, {name}", len(test), flagged(x)) for name, x in shifted_inputs(test, config).items()]
    if "external" in split.parts:
        rows.append((0, f"a source left out of training ({split.notes.get('holdout_source')})", len(split.parts["external"]),
                     flagged(part("external"))))
    for label, files in unseen_class_films(data_dir, split).items():
        rows.append((1, f"a class it never saw: {label}", len(files), flagged(prep(load_grayscale(f) for f in files))))
    chests = synthetic_chests()
    rows.append((1, "synthetic chests (cxr-train's default data)", len(chests), flagged(prep(chests))))
    rows += [(2, f"test split, {name}", len(test), flagged(prep(map(f, test)))) for name, f in WRONG_WAY.items()]
    rows += [(2, f"not a chest X-ray: {name}", len(films), flagged(prep(films))) for name, films in not_chest_xrays().items()]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=Path, default=ROOT / "runs" / "bench-accuracy")
    ap.add_argument("--write", action="store_true", help="record the table in benchmarks/RESULTS.md")
    args = ap.parse_args()
    tables = {task: measure(args.runs / name) for task, name in RUNS.items() if (args.runs / name / "split.json").is_file()}
    if not tables:
        sys.exit(f"no runs of benchmarks/accuracy.py under {args.runs}; run it first")
    conditions = sorted(dict.fromkeys((g, c) for rows in tables.values() for g, c, _, _ in rows), key=lambda gc: gc[0])
    lines = ["Share of images flagged as unlike the training images (edge.typicality, fitted as cxr-convert fits it: "
             "8x8 thumbnails, 6 components, threshold at the 99th percentile of held-out scores: validation images, and training images cross-fitted in 5 folds).", "",
             "| condition | " + " | ".join(f"{t} (n)" for t in tables) + " |", "|---|" + "---:|" * len(tables)]
    for k, (g, c) in enumerate(conditions):
        if k == 0 or conditions[k - 1][0] != g:
            lines.append(f"| **{GROUPS[g]}:** |" + " |" * len(tables))
        cells = [next((f"{share:.2f} ({n})" for _, cc, n, share in rows if cc == c), "") for rows in tables.values()]
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    print("\n".join(lines))
    if args.write:
        from benchmarks.results import record

        record("Input check", "\n".join(lines))


if __name__ == "__main__":
    main()
