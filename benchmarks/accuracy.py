"""Accuracy benchmark on real chest X-rays: seed (the tutorial's CNN) vs the default model.

For each task (COVID vs Normal; all four classes) every model trains on the same frozen split of
../shared/data/cxr-dev, is converted to int8, and is scored through edge (the device path):
balanced accuracy and per-class sensitivity/specificity with 95% CIs, AUROC, ECE, balanced
accuracy on the adult films alone (no children's Normal images to spot), robustness under
simulated acquisition shifts, where the models look (occlusion maps), and leave-one-source-out (Hannover COVID images never seen
in training; the children's Normal films never seen in training). Models: seed (the tutorial's CNN), compact (one model, --teacher-members 0),
compact-x3 (--members 3) and compact-distilled, cxr-train's default: one compact model distilled
from the compact-x3 run, which is exactly the default recipe's step 1. Prints markdown tables;
--write puts them in benchmarks/RESULTS.md, replacing the previous accuracy section. A finished
run is reused only when it was trained on the same data with the same settings; one trained
otherwise (another --data, --epochs or holdout) stops the benchmark with a line that says so.

    python benchmarks/accuracy.py                 # all from scratch: about 1.5 hours on 2 cores
    python benchmarks/accuracy.py --seeds 3       # + two repeats of compact on each task and LOSO (+30 min)
    python benchmarks/accuracy.py --archs seed,compact --quick   # 3 epochs, COVID vs Normal only: a smoke test
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.accuracy_tables import tables  # noqa: E402
from benchmarks.results import record, report_is_current  # noqa: E402
from train.quiet import load_tensorflow  # noqa: E402

from benchmarks.data_path import CXR_DEV  # noqa: E402
# seed gets the tutorial's recipe (Adam 1e-3, no augmentation, a short run): with our augmentation
# and 2e-3 it stayed near chance for 15 epochs. compact is one model (--teacher-members 0);
# compact-x3 is cxr-train --members 3 (a deep ensemble in one file); compact-distilled is one compact
# model distilled from that run (--teacher), so it must come after it. compact-distilled is
# cxr-train's default recipe: its step 1 is exactly the compact-x3 run of the same split (members
# from seeds 0, 1, 2), so the benchmark reuses that run as the teacher. All see the same pixels.
RECIPES = {"compact": {"arch": "compact", "teacher_members": 0}, "compact-x3": {"arch": "compact", "members": 3},
           "compact-distilled": {"arch": "compact", "teacher": "compact-x3"},
           "seed": {"arch": "seed", "epochs": 30, "patience": 8, "learning_rate": 1e-3, "augment": False,
                    "teacher_members": 0}}
TASKS = {"covid-normal": ["COVID", "Normal"], "4-class": ["COVID", "Normal", "Viral_Pneumonia", "Lung_Opacity"]}
# Leave-one-source-out on COVID vs Normal: (cxr-train --holdout-source, the class that source's films
# belong to, what they are). Hannover asks whether COVID is found at a hospital never seen; the
# children's films whether a hospital's healthy films are called Normal, with all Normal training
# films from one hospital (NIH) and no child among them, so a model that learnt "looks like NIH"
# fails it.
HOLDOUTS = {"hannover": ("hannover", "COVID", "the Hannover COVID films"),
            "children": ("lecuong1502", "Normal", "the children's Normal films (Kermany et al.)")}


# cxr-dev's README: every Kermany image is a child's film, and no COVID image is. A model can score
# well on "Normal" by spotting children, so the benchmark also scores the adult films alone, which
# is the population an adult clinic would screen.
PEDIATRIC_SOURCES = {"lecuong1502/BTL_Machine_Learning"}


def score_test(model_path: Path, split, data_dir: Path) -> tuple[dict[str, float], float, dict, dict[str, float], dict]:
    """The int8 model on the test split: balanced accuracy under each simulated shift; on the
    adult images alone (no shift); where it finds the evidence for its answers (no shift); and how
    far each shift moves its answers: the mean total variation between the probabilities with and
    without the shift, and each class's sensitivity under it (convert.shifts.robustness).

    The evidence is the share of each image's occlusion map (convert.occlusion) in the image's outer
    eighth, averaged over all images and over those it gets right and wrong. Spread evenly it would
    be 0.44; much more means the model reads borders, collimation and burned-in text (the film's
    origin) rather than the lungs."""
    from convert.metrics import balanced_accuracy
    from convert.occlusion import border_shares
    from convert.shifts import robustness
    from edge.model import EdgeModel
    from edge.preprocess import load_grayscale, preprocess_gray

    m = EdgeModel(model_path)
    items = split.parts["test"]
    y = np.array([split.classes.index(i.label) for i in items])
    adult = np.array([i.source not in PEDIATRIC_SOURCES for i in items])
    grays = [load_grayscale(data_dir / i.path) for i in items]
    rob = robustness(m.classify, grays, m.preprocess, y, len(split.classes))
    out = {name: r["balanced_accuracy"] for name, r in rob.items()}
    moved = {name: r["answers_moved"] for name, r in rob.items() if name != "none"}
    sensitivity = {name: r["sensitivity"] for name, r in rob.items()}
    x = np.stack([preprocess_gray(g, m.preprocess) for g in grays])
    pred = m.classify(x).argmax(1)
    adults = balanced_accuracy(y[adult], pred[adult], len(split.classes))
    shares, right = border_shares(m.log_scores, x, pred), pred == y
    found = np.array([s is not None for s in shares])  # maps without evidence count apart, never as 0%
    share = np.array([np.nan if s is None else s for s in shares])
    evidence = {k: float(share[part & found].mean()) if (part & found).any() else None
                for k, part in (("all", np.ones_like(right)), ("right", right), ("wrong", ~right))}
    evidence["without_evidence"] = int((~found).sum())
    return out, adults, evidence, moved, sensitivity


def score_other_pneumonias(model_path: Path, data_dir: Path, split=None) -> dict[str, float]:
    """Share of the films of classes a COVID vs Normal model never saw that it calls COVID.

    cxr-dev's adult Normal and adult Lung_Opacity films both come from NIH. A model that had
    learnt "NIH means Normal" would call those pneumonias Normal; one that learnt opacities calls
    many COVID, which is also the warning a two-class model needs: it has no "other pneumonia".
    With ``split``, the adult Normal films of its test split are scored alike, for comparison.
    """
    import csv

    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file

    m = EdgeModel(model_path)
    covid = m.labels.index("COVID")
    groups: dict[str, list[str]] = {}
    if split is not None:
        groups["Normal (adults, test split)"] = [i.path for i in split.parts["test"]
                                                 if i.label == "Normal" and i.source not in PEDIATRIC_SOURCES]
    with open(data_dir / "MANIFEST.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["label"] in ("Lung_Opacity", "Viral_Pneumonia"):
                who = "children" if row["source_repo"] in PEDIATRIC_SOURCES else "adults"
                groups.setdefault(f"{row['label']} ({who})", []).append(row["file"])
    out = {}
    for name, files in groups.items():
        x = np.stack([preprocess_file(data_dir / f, m.preprocess) for f in files])
        out[name] = float((m.classify(x).argmax(1) == covid).mean())
        out[f"{name} n"] = len(files)
    return out


def reuse_problem(run_dir: Path, asked) -> str | None:
    """Why the finished run in ``run_dir`` is not the one ``asked`` (train.run.TrainSettings) would
    train, in words; "" when it is and can be reused; None when there is no finished run (cxr-train
    starts or goes on). A run of another data folder, holdout, seed or epochs once went into the
    table as the cxr-dev benchmark's: this is the comparison cxr-train makes before reusing a teacher."""
    from train.prepare import data_changed
    from train.resume import STOPPED, other_settings, settings_said

    differ = other_settings(run_dir, asked)
    if differ is None or STOPPED in differ:
        return None
    if differ := [k for k in differ if k != "out"]:  # a moved or renamed --out is the same run
        return f"trained with {settings_said(run_dir, asked, differ)}"  # as cxr-train says it: '--epochs 3 (now 5)'

    if changed := data_changed(run_dir, asked):
        return f"whose data changed since: {changed}"
    return ""


def one(task: str, arch: str, out_root: Path, epochs: int | None, data: Path, holdout: str | None = None,
        seed: int = 0) -> dict:
    """Train (or reuse a finished run), convert to int8, score; returns the row's numbers.

    ``seed`` picks both the split and the initialisation; seeds other than 0 are repeats that
    measure run-to-run spread, so they skip the shift scoring.
    """
    from convert.quantize import ConvertSettings, run_conversion
    from train.data import Split
    from train.run import TrainSettings, run_training

    run_dir = out_root / (f"{task}-{arch}" + (f"-without-{holdout}" if holdout else "") + (f"-seed{seed}" if seed else ""))
    source = HOLDOUTS[holdout][0] if holdout else None
    settings = dict(RECIPES[arch])
    if "teacher" in settings:
        settings["teacher"] = str(run_dir).replace(f"-{arch}", f"-{settings['teacher']}", 1)
    if epochs:
        settings["epochs"] = min(epochs, settings.get("epochs", epochs))
    asked = TrainSettings(data=str(data), out=run_dir, classes=TASKS[task], holdout_source=source, seed=seed,
                          progress=False, **settings)
    why = reuse_problem(run_dir, asked)  # reused only where it is the run asked for (--quick's 3 epochs are not)
    if why:
        raise SystemExit(f"accuracy.py: {run_dir} holds a run {why}, so its figures are not this benchmark's; "
                         "give another --out, or remove that run")
    if why is None:
        run_training(asked)
    train_s = json.loads((run_dir / "run.json").read_text())["seconds"]
    report = json.loads((run_dir / "report.json").read_text()) if report_is_current(run_dir) else {}
    if not {"int8", "fp32"} <= set(report.get("models", {})):  # convert unless this model was already scored
        report, _ = run_conversion(ConvertSettings(run_dir=run_dir, modes=["int8", "fp32"], latency_threads=(),
                                                   progress=False))
    split = Split.load(run_dir / "split.json")
    result = {"task": task, "arch": arch, "seed": seed, "classes": split.classes, "run_dir": str(run_dir),
              "train_seconds": round(train_s, 1),
              "parameters": report["parameters"], "int8_bytes": report["models"]["int8"]["tflite_bytes"],
              "keras": report["models"]["keras"], "int8": report["models"]["int8"],
              "operating_points": report.get("operating_points")}
    if holdout:
        result["holdout"], result["external"] = holdout, report["external"]
    elif seed == 0:
        (result["shifts"], result["adults_balanced_accuracy"], result["border_evidence"], result["moved"],
         result["shift_sensitivity"]) = score_test(
            run_dir / "model_int8.tflite", split, Path(split.data_dir))
        if task == "covid-normal":
            result["other_pneumonias"] = score_other_pneumonias(run_dir / "model_int8.tflite", Path(split.data_dir), split)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=CXR_DEV)
    ap.add_argument("--out", type=Path, default=None,
                    help="Run folders (default runs/bench-accuracy; with --quick runs/bench-accuracy-quick, so that its "
                         "short runs are never taken for the benchmark's).")
    ap.add_argument("--epochs", type=int, default=None, help="Epochs (default: cxr-train's own; seed: at most 30).")
    ap.add_argument("--archs", default="seed,compact,compact-x3,compact-distilled", help=f"Comma-separated, from {', '.join(RECIPES)}.")
    ap.add_argument("--tasks", default="covid-normal,4-class")
    ap.add_argument("--no-loso", action="store_true", help="Skip the leave-one-source-out runs.")
    ap.add_argument("--holdouts", default=",".join(HOLDOUTS),
                    help=f"Which sources leave-one-source-out holds out (comma-separated, from {', '.join(HOLDOUTS)}); "
                         "--seeds repeats only hannover.")
    ap.add_argument("--seeds", type=int, default=1,
                    help="Repeat every task (and leave-one-source-out) for --repeat-archs with this many seeds.")
    ap.add_argument("--repeat-archs", default="compact", help="Which models --seeds repeats (comma-separated).")
    ap.add_argument("--quick", action="store_true", help="3 epochs, COVID vs Normal, no LOSO.")
    ap.add_argument("--write", action="store_true", help="Put the tables in benchmarks/RESULTS.md (replacing the previous accuracy section).")
    args = ap.parse_args()
    if not (args.data / "MANIFEST.csv").is_file():
        raise SystemExit(f"accuracy.py: real chest X-rays not found at {args.data} (MANIFEST.csv); give --data")
    if args.quick and args.write:
        raise SystemExit("accuracy.py: --quick is a smoke test (3 epochs); its tables do not go in RESULTS.md (no --write)")
    if args.out is None:
        args.out = ROOT / "runs" / ("bench-accuracy-quick" if args.quick else "bench-accuracy")
    if args.quick:
        args.epochs, args.tasks, args.no_loso = 3, "covid-normal", True
    load_tensorflow()
    results = []
    for task in args.tasks.split(","):
        for arch in args.archs.split(","):
            results.append(one(task, arch, args.out, args.epochs, args.data))
    if not args.no_loso:
        for holdout in args.holdouts.split(","):
            for arch in args.archs.split(","):
                results.append(one("covid-normal", arch, args.out, args.epochs, args.data, holdout=holdout))
    for arch in args.repeat_archs.split(","):
        for seed in range(1, args.seeds):
            for task in args.tasks.split(","):
                results.append(one(task, arch, args.out, args.epochs, args.data, seed=seed))
            if not args.no_loso:
                results.append(one("covid-normal", arch, args.out, args.epochs, args.data, holdout="hannover", seed=seed))
    table = tables(results, HOLDOUTS)
    print(table)
    (args.out / "accuracy.json").write_text(json.dumps(results, indent=1, default=str))
    if args.write:
        record("Accuracy benchmark", table)


if __name__ == "__main__":
    main()
