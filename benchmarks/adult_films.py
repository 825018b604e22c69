"""What the children's healthy films in training do to the answers on adults' films.

Every COVID film of cxr-dev is an adult's, and a third of its Normal films are children's
(Kermany et al.), so a COVID vs Normal model learns from easy healthy films that no COVID film
resembles. Pairs of runs trained alike, one with and one without those films (`cxr-train
--holdout-source lecuong1502`), are scored through edge (int8) on the adults' films that every
one of them held out for testing (with the same seed the adults' films fall in the same split),
so the comparison is film for film:

    python benchmarks/adult_films.py runs/bench-accuracy/covid-normal-compact runs/bench-accuracy/covid-normal-compact-without-children ...

Columns: COVID AUROC (how well the model ranks the films), then sensitivity, specificity and
balanced accuracy at the most probable class (where its operating point lies).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.data_path import CXR_DEV  # noqa: E402
from edge.controls import escaped  # noqa: E402

CHILDREN = "lecuong1502/BTL_Machine_Learning"


def _parts(run: Path) -> dict[str, list[dict]]:
    """A run's split; a folder that is no finished cxr-train run ends the benchmark with a line, not a traceback."""
    split = run / "split.json"
    if not split.is_file() or not (run / "model_int8.tflite").is_file():
        sys.exit(f"no split.json and model_int8.tflite in '{escaped(str(run))}': give finished cxr-train run folders "
                 "(trained on cxr-dev, or give --data the folder they were trained on)")
    return json.loads(split.read_text())["splits"]


def common_adult_test_films(runs: list[Path]) -> dict[str, str]:
    """path -> label of the adults' films in every run's test split (and in none's training)."""
    common: dict[str, str] | None = None
    for run in runs:
        test = {r["path"]: r["label"] for r in _parts(run)["test"] if r["source"] != CHILDREN}
        common = test if common is None else {p: y for p, y in common.items() if p in test}
    seen = {r["path"] for run in runs for part in ("train", "val") for r in _parts(run).get(part, [])}
    return {p: y for p, y in (common or {}).items() if p not in seen}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="+", type=Path, help="run folders with model_int8.tflite and split.json")
    ap.add_argument("--data", type=Path, default=CXR_DEV)
    args = ap.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data} is absent: this benchmark needs cxr-dev")
    from convert.roc import auroc, ranking_scores
    from edge.batch import classify_files
    from edge.model import EdgeModel

    films = common_adult_test_films(args.runs)
    paths = sorted(films)
    covid = np.array([films[p] == "COVID" for p in paths])
    print(f"{len(paths)} adults' films held out by every run: {covid.sum()} COVID, {(~covid).sum()} Normal\n")
    print("| run | COVID AUROC | COVID sensitivity | specificity | balanced acc. |")
    print("|---|---:|---:|---:|---:|")
    for run in args.runs:
        model = EdgeModel(run / "model_int8.tflite")
        labels = model.info()["labels"]
        results = list(classify_files(model, [str(args.data / p) for p in paths]))
        if any(r.error for r in results):
            bad = next(r for r in results if r.error)  # say which film: "no such file" alone named only the run
            sys.exit(f"'{escaped(bad.file)}', a test film of '{escaped(str(run))}': {bad.error} "
                     f"(its films are read under --data, '{escaped(str(args.data))}')")
        probs = np.stack([r.probabilities for r in results])
        said_covid = probs.argmax(1) == labels.index("COVID")
        sens, spec = said_covid[covid].mean(), (~said_covid[~covid]).mean()
        print(f"| {run.parent.name}/{run.name} | {auroc(covid, ranking_scores(probs)[:, labels.index('COVID')]):.3f} | {sens:.3f} | {spec:.3f} | "
              f"{(sens + spec) / 2:.3f} |")


if __name__ == "__main__":
    main()
