"""Which way the answers go when a film is unlike the training films.

The robustness columns of the accuracy benchmark say how much balanced accuracy each simulated
acquisition shift (convert.shifts) costs. This says where the answers that change go: for each
run, over the test split under all 14 shifts, how many answers moved into each class, and the
mean change of each class's probability. A model whose answers all drift towards one class under
*any* unfamiliar processing will also drift there on a hospital it never saw, so its errors there
are not symmetric: on COVID vs Normal, towards COVID means false alarms on healthy films.

    python benchmarks/shift_lean.py --write   # about 2 min on 2 cores; needs the runs of benchmarks/accuracy.py
    python benchmarks/shift_lean.py --run runs/my-run   # any cxr-train run folder (Keras float)

--write puts the table in benchmarks/RESULTS.md (section "Which way the answers go").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH = ROOT / "runs" / "bench-accuracy"
RUNS = ["covid-normal-compact-distilled", "covid-normal-compact-distilled-without-hannover",
        "covid-normal-compact-distilled-without-children", "covid-normal-compact", "covid-normal-compact-seed1",
        "covid-normal-compact-seed2", "covid-normal-seed", "4-class-compact-distilled", "4-class-compact",
        "4-class-seed"]


def score_run(run_dir: Path) -> dict:
    """The run's Keras model on its test split under every shift (convert.shifts.robustness),
    summarised by convert.shifts.lean."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    import train.models  # noqa: F401  (registers the custom layers for loading)
    from convert.shifts import lean, robustness
    from edge.model import softmax
    from edge.preprocess import PreprocessConfig, load_grayscale
    from train.data import Split

    from benchmarks.results import run_record

    run = run_record(run_dir, ("split.json", "model.keras"))
    split = Split.load(run_dir / "split.json")
    model = keras.models.load_model(run_dir / "model.keras", compile=False)
    items = split.parts["test"]
    y = np.array([split.classes.index(i.label) for i in items])
    rob = robustness(lambda x: softmax(model.predict(x.astype(np.float32), verbose=0, batch_size=64)),
                     (load_grayscale(Path(split.data_dir) / i.path) for i in items),
                     PreprocessConfig.from_dict(run["preprocess"]), y, len(split.classes))
    return {"run": run_dir.name, "classes": split.classes, "films": len(items), **lean(rob)}


def table(results: list[dict]) -> str:
    lines = ["| run | films | answers changed (14 shifts) | moved into each class | mean change of each class's probability (x100) |",
             "|---|---:|---:|---|---|"]
    for r in results:
        n = sum(r["into"])
        into = ", ".join(f"{c} {m} ({m / n:.0%})" if n else f"{c} 0" for c, m in zip(r["classes"], r["into"]))
        dp = ", ".join(f"{c} {100 * d:+.1f}" for c, d in zip(r["classes"], r["mean_dp"]))
        lines.append(f"| {r['run']} | {r['films']} | {n} | {into} | {dp} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, action="append", help="A cxr-train run folder (repeatable; default: the accuracy benchmark's).")
    ap.add_argument("--write", action="store_true", help="Put the table in benchmarks/RESULTS.md.")
    a = ap.parse_args()
    runs = a.run or [BENCH / name for name in RUNS if (BENCH / name / "model.keras").is_file()]
    if not runs:
        sys.exit(f"no runs: train them with benchmarks/accuracy.py, or give --run (looked in {BENCH})")
    results = []
    for run_dir in runs:
        results.append(score_run(run_dir))
        print(f"scored {run_dir.name}", file=sys.stderr, flush=True)
    text = table(results)
    print(text)
    if a.write:
        from benchmarks.results import record

        record("Which way the answers go", text)


if __name__ == "__main__":
    main()
