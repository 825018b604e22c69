"""What an ensemble buys: N single models on one frozen split, then every combination of them.

Trains N compact models with cxr-train's own recipe (train.fit) from seeds 0..N-1 on the split
of an existing run folder, keeps each one's logits on every part (reused on a second call), and
prints, for each ensemble size k, the mean and range over all k-subsets of: balanced accuracy,
macro AUROC, negative log-likelihood and ECE (after the subset's own temperature, fitted on the
validation split as cxr-train does, and again without it) and, where the run holds a source out,
accuracy on that external set. Keras float, logits averaged as the default model
does. Single runs move by about +-3 points on cxr-dev, which is why this looks at all subsets
rather than one ensemble against one single model.

    python benchmarks/ensemble_gain.py --run runs/bench-accuracy/covid-normal-compact-without-hannover \
        --members 5 --logits runs/ensemble-gain/covid-normal-without-hannover --write   # ~25 min on 2 cores

--write puts the table in benchmarks/RESULTS.md (section "Ensembles"), replacing the previous one;
the hand-written notes below the section's "kept when the benchmark rewrites" line stay.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def train_members(run: Path, out: Path, n: int, epochs: int | None) -> None:
    """Fit member seeds 0..n-1 that have no saved logits yet; save their logits per part."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    from edge.preprocess import PreprocessConfig
    from train.cache import load_part
    from train.data import Split
    from train.fit import FitConfig, fit, logits_of
    from train.models import build
    from train.one_run import auto_epochs, default_patience

    from benchmarks.results import run_record

    settings = run_record(run)
    split = Split.load(run / "split.json")
    config = PreprocessConfig.from_dict(settings["preprocess"])
    data = {p: load_part(run, split, p, config, progress=False) for p in split.parts}
    steps = int(np.ceil(len(data["train"][0]) / 32))
    epochs = epochs or auto_epochs(steps)
    out.mkdir(parents=True, exist_ok=True)
    # Saved logits are reused only for the run and epochs they were made for: another --run read another run's
    # logits (or crashed on its external part), and another --epochs was silently ignored.
    made_for = {"run": str(run.resolve()), "split_digest": split.digest(), "epochs": epochs}
    record = out / "made_for.json"
    if record.is_file() and json.loads(record.read_text()) != made_for:
        sys.exit(f"ensemble_gain: {out} holds logits made for {json.loads(record.read_text())}, not {made_for}: "
                 "give another --logits folder, or delete that one")
    if not record.is_file() and any(out.glob("member*_test.npy")):
        sys.exit(f"ensemble_gain: {out} holds logits of unknown origin (made before they were recorded): give another "
                 "--logits folder, or delete that one")
    record.write_text(json.dumps(made_for))
    for seed in range(n):
        if (out / f"member{seed}_test.npy").is_file():
            continue
        model = build("compact", config.size, len(split.classes), seed=seed, steps_per_epoch=steps)
        cfg = FitConfig(epochs=epochs, patience=default_patience(epochs), seed=seed, verbose=0)
        fit(model, data["train"], data["val"], len(split.classes), cfg, out)
        for part, (x, _) in data.items():
            np.save(out / f"member{seed}_{part}.npy", logits_of(model, x))
        print(f"member {seed} trained", file=sys.stderr, flush=True)


def scores(y: np.ndarray, logits: np.ndarray, k: int, external: bool, temperature: float) -> dict[str, float]:
    """One model's (or one averaged subset's) figures. NLL and ECE are given as the device gives the
    answers, after the temperature fitted on the validation split (what distill_gain.py measures),
    and again on the raw logits (a temperature alone lowers the NLL; RESULTS.md's earlier tables
    give only these)."""
    from convert.metrics import balanced_accuracy
    from convert.reliability import expected_calibration_error
    from convert.roc import macro_auroc
    from edge.model import softmax

    p = softmax(logits)
    if external:  # one class only: the share found
        return {"external accuracy": float((p.argmax(1) == y).mean())}
    q = softmax(logits / temperature)

    def nll(probs: np.ndarray) -> float:
        return float(-np.mean(np.log(probs[np.arange(len(y)), y] + 1e-12)))

    return {"balanced acc.": balanced_accuracy(y, p.argmax(1), k), "AUROC": macro_auroc(y, p),
            "NLL": nll(q), "ECE": expected_calibration_error(y, q),
            "NLL, no temperature": nll(p), "ECE, no temperature": expected_calibration_error(y, p)}


def table(run: Path, out: Path, n: int) -> str:
    from train.calibration import fit_temperature
    from train.data import Split

    split = Split.load(run / "split.json")
    k = len(split.classes)
    ys = {p: np.array([split.classes.index(i.label) for i in v]) for p, v in split.parts.items()}
    parts = [p for p in ("test", "external") if p in ys]
    logits = {(s, p): np.load(out / f"member{s}_{p}.npy") for s in range(n) for p in (*parts, "val")}
    header, lines = None, []
    for size in range(1, n + 1):
        rows = []
        for combo in itertools.combinations(range(n), size):
            # each subset's own temperature, fitted on its averaged validation logits as cxr-train fits an ensemble's
            temperature = fit_temperature(np.mean([logits[s, "val"] for s in combo], 0), ys["val"])
            row = {}
            for p in parts:
                row.update(scores(ys[p], np.mean([logits[s, p] for s in combo], 0), k, p == "external", temperature))
            rows.append(row)
        names = list(rows[0])
        if header is None:
            header = ["| members | subsets | " + " | ".join(names) + " |", "|---:|---:|" + "---|" * len(names)]
        cells = [f"{np.mean([r[m] for r in rows]):.3f} ({min(r[m] for r in rows):.3f}–{max(r[m] for r in rows):.3f})"
                 for m in names]
        lines.append(f"| {size} | {len(rows)} | " + " | ".join(cells) + " |")
    return "\n".join([*header, *lines])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", type=Path, required=True, help="A cxr-train run folder whose split to reuse.")
    ap.add_argument("--members", type=int, default=5)
    ap.add_argument("--logits", type=Path, required=True, help="Folder for each member's logits (reused).")
    ap.add_argument("--epochs", type=int, default=None, help="Default: cxr-train's (about 4,000 steps).")
    ap.add_argument("--write", action="store_true", help="Put the table in benchmarks/RESULTS.md.")
    a = ap.parse_args()
    train_members(a.run, a.logits, a.members, a.epochs)
    text = (f"Mean (min–max) over every subset of {a.members} single compact models trained on the frozen split of "
            f"`{a.run.name}` (seeds 0..{a.members - 1}), logits averaged, Keras float. 'external accuracy' is the "
            "share of the held-out source found (for `--holdout-source hannover`: Hannover COVID sensitivity). NLL and "
            "ECE are after each subset's own temperature, fitted on the validation split as cxr-train fits it (the "
            "answers the device gives; measured as benchmarks/distill_gain.py measures them), and again with no "
            "temperature. Read the 1-member row's range as the run-to-run noise.\n\n"
            + table(a.run, a.logits, a.members))
    print(text)
    if a.write:
        from benchmarks.results import record

        record("Ensembles", text)


if __name__ == "__main__":
    main()
