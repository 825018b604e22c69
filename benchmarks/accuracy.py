"""Accuracy benchmark on real chest X-rays: seed (the tutorial's CNN) vs the default model.

For each task (COVID vs Normal; all four classes) every model trains on the same frozen split of
../shared/data/cxr-dev, is converted to int8, and is scored through edge (the device path):
balanced accuracy and per-class sensitivity/specificity with 95% CIs, AUROC, ECE, balanced
accuracy on the adult films alone (no children's Normal images to spot), robustness under
simulated acquisition shifts, where the models look (occlusion maps), and leave-one-source-out (Hannover COVID images never seen
in training; the children's Normal films never seen in training). Models: seed (the tutorial's CNN), compact (one model, --teacher-members 0),
compact-x3 (--members 3) and compact-distilled, cxr-train's default: one compact model distilled
from the compact-x3 run, which is exactly the default recipe's step 1. Prints markdown tables;
--write puts them in benchmarks/RESULTS.md, replacing the previous accuracy section. Finished
runs are reused.

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

from benchmarks.results import record, report_is_current  # noqa: E402
from train.quiet import load_tensorflow  # noqa: E402

CXR_DEV = ROOT.parent / "shared" / "data" / "cxr-dev"
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
    share, right = border_shares(m.classify, x, pred), pred == y
    evidence = {"all": float(share.mean()), "right": float(share[right].mean()) if right.any() else None,
                "wrong": float(share[~right].mean()) if (~right).any() else None}
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
    if not (run_dir / "run.json").is_file():
        settings = dict(RECIPES[arch])
        if "teacher" in settings:
            settings["teacher"] = str(run_dir).replace(f"-{arch}", f"-{settings['teacher']}", 1)
        if epochs:
            settings["epochs"] = min(epochs, settings.get("epochs", epochs))
        run_training(TrainSettings(data=str(data), out=run_dir, classes=TASKS[task],
                                   holdout_source=source, seed=seed, progress=False, **settings))
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


def ci(v, c) -> str:
    return "n/a" if v is None else f"{v:.3f} ({c[0]:.3f}–{c[1]:.3f})"


MODELS_NOTE = ("Models: `compact-distilled` is cxr-train's default (a 3-model teacher, then one compact model); "
               "`compact` is one model trained directly (`--teacher-members 0`); `compact-x3` ships the ensemble "
               "(`--members 3`); `seed` is the tutorial's CNN. One run each on the seed-0 split; "
               "benchmarks/distill_gain.py has three seeds.")


def tables(results: list[dict]) -> str:
    lines = [MODELS_NOTE, "", "| task | model | params | int8 KiB | balanced acc. (95% CI) | AUROC | ECE | per-class sensitivity | "
             "per-class specificity | adults only: balanced acc. | worst shift drop (pts) | "
             "int8 vs float: max sens. change (pts) |",
             "|---|---|---:|---:|---|---:|---:|---|---|---:|---:|---:|"]
    for r in results:
        if "shifts" not in r:
            continue  # repeats and leave-one-source-out runs have their own tables
        m = r["int8"]
        sens = "; ".join(f"{p['class']} {ci(p['sensitivity'], p['sensitivity_ci'])}" for p in m["per_class"])
        spec = "; ".join(f"{p['class']} {ci(p['specificity'], p['specificity_ci'])}" for p in m["per_class"])
        base = r["shifts"]["none"]
        worst = max(100 * (base - v) for k, v in r["shifts"].items() if k != "none")
        dsens = max(abs(v) for v in m["delta"]["sensitivity_points"].values() if v is not None)
        lines.append(f"| {r['task']} | {r['arch']} | {r['parameters']:,} | {r['int8_bytes'] / 1024:.0f} | "
                     f"{ci(m['balanced_accuracy'], m['balanced_accuracy_ci'])} | {m['macro_auroc']:.3f} | "
                     f"{m['ece']:.3f} | {sens} | {spec} | {r['adults_balanced_accuracy']:.3f} | {worst:.1f} | {dsens:.1f} |")
    shift_rows = [r for r in results if "shifts" in r]
    if shift_rows:
        names = list(shift_rows[0]["shifts"])
        lines += ["", "Balanced accuracy (int8, through edge) under simulated shifts:", "",
                  "| task | model | " + " | ".join(names) + " |", "|---|---|" + "---:|" * len(names)]
        for r in shift_rows:
            lines.append(f"| {r['task']} | {r['arch']} | " + " | ".join(f"{r['shifts'][n]:.3f}" for n in names) + " |")
        names = names[1:]  # "none" moves nothing
        lines += ["", "How far each shift moves the answers (int8): mean total variation between the probabilities "
                  "with and without the shift, ×100 (0: unmoved; 100: certain of another class). It sees answers that "
                  "move without crossing the decision threshold.", "",
                  "| task | model | " + " | ".join(names) + " | mean |", "|---|---|" + "---:|" * (len(names) + 1)]
        for r in shift_rows:
            v = [100 * r["moved"][n] for n in names]
            lines.append(f"| {r['task']} | {r['arch']} | " + " | ".join(f"{x:.1f}" for x in v) + f" | {np.mean(v):.1f} |")
        lines += hardest_hit_table([r for r in shift_rows if "shift_sensitivity" in r], names)
    looks = [r for r in results if "border_evidence" in r]
    if looks:
        lines += ["", "Where the models look (int8, test split): the share of each image's occlusion map (convert.occlusion, "
                  "the evidence for the model's answer) that lies in the image's outer eighth, mean over images. Spread "
                  "evenly it would be 0.44; more means the model reads borders, collimation and burned-in text, i.e. "
                  "the film's origin, rather than the lungs.", "",
                  "| task | model | all images | right | wrong |", "|---|---|---:|---:|---:|"]
        for r in looks:
            b = r["border_evidence"]
            lines.append(f"| {r['task']} | {r['arch']} | " + " | ".join(
                "" if b[k] is None else f"{b[k]:.3f}" for k in ("all", "right", "wrong")) + " |")
    probe = [r for r in results if "other_pneumonias" in r]
    if probe:
        groups = [k for k in probe[0]["other_pneumonias"] if not k.endswith(" n")]
        lines += ["", "COVID vs Normal models on the pneumonia films of cxr-dev, classes they never trained on: share "
                  "called COVID (int8). The adult ones come from NIH, like the adult Normal films in the first column. "
                  "A model that had learnt 'NIH means Normal' would call them Normal too.", "",
                  "| model | " + " | ".join(f"{g}, n = {probe[0]['other_pneumonias'][g + ' n']}" for g in groups) + " |",
                  "|---|" + "---:|" * len(groups)]
        for r in probe:
            lines.append(f"| {r['arch']} | " + " | ".join(f"{r['other_pneumonias'][g]:.3f}" for g in groups) + " |")
    ops = operating_points_table([r for r in results if "shifts" in r])
    if ops:
        lines += ["", ops]
    for name in HOLDOUTS:
        lines += loso_table([r for r in results if r.get("holdout") == name
                             and r["seed"] == 0], name)
    repeats = spread(results)
    if repeats:
        lines += ["", repeats]
    return "\n".join(lines)


def loso_table(rows: list[dict], name: str) -> list[str]:
    """One held-out source: its class's sensitivity (int8), plain and at the threshold for that class
    chosen on validation for 95% sensitivity, and how many of its films the input check flags."""
    if not rows:
        return []
    source, cls, what = HOLDOUTS[name]
    lines = ["", f"Leave-one-source-out: trained without {what}, scored on them (int8):", "",
             f"| model | n | {cls} sensitivity (95% CI) | at the {cls} threshold chosen on validation for 95% | "
             "flagged by the input check | internal test balanced acc. |", "|---|---:|---|---|---:|---|"]
    for r in rows:
        e = r["external"]["int8"]
        held = next(p for p in e["per_class"] if p["class"] == cls)
        op = next((o for o in (r["external"].get("operating_points") or {}).get("rows", [])
                   if o["class"] == cls and o["target_sensitivity"] == 0.95), None)
        at95 = "" if op is None else (f"{ci(op['external']['sensitivity'], op['external']['sensitivity_ci'])} "
                                      f"(p ≥ {op['threshold']:.3f})")
        flagged = r["external"].get("flagged_atypical")
        lines.append(f"| {r['arch']} | {e['n']} | {ci(held['sensitivity'], held['sensitivity_ci'])} | {at95} | "
                     f"{'' if flagged is None else f'{flagged:.2f}'} | "
                     f"{ci(r['int8']['balanced_accuracy'], r['int8']['balanced_accuracy_ci'])} |")
    return lines


def operating_points_table(results: list[dict]) -> str:
    """COVID one-vs-rest: AUROC, and the threshold cxr-convert chose on the validation split for 95%
    sensitivity, scored on the test split (int8).

    The main table compares the models at their most probable class, where one model may simply sit
    at another point of the same trade-off (calling more films COVID buys sensitivity with
    specificity). AUROC and a threshold chosen on held-out data for the same sensitivity compare
    them at a matched operating point, which is how a screening tool would be set up."""
    rows = []
    for r in results:
        ops = (r.get("operating_points") or {}).get("rows", [])
        op = next((o for o in ops if o["class"] == "COVID" and o["target_sensitivity"] == 0.95), None)
        if op is None:
            continue
        t, auc = op["test"], r["int8"]["auroc_per_class"].get("COVID")
        rows.append(f"| {r['task']} | {r['arch']} | {auc:.3f} | {_covid_sensitivity(r['int8']):.3f} / "
                    f"{_covid_specificity(r['int8']):.3f} | {op['threshold']:.3f} | "
                    f"{ci(t['sensitivity'], t['sensitivity_ci'])} | {ci(t['specificity'], t['specificity_ci'])} |")
    if not rows:
        return ""
    return "\n".join(["COVID at a matched operating point (int8, test split): the threshold is chosen on the validation "
                      "split for 95% COVID sensitivity (cxr-convert's report; `edge-classify --threshold COVID=P` applies "
                      "it on the device).", "",
                      "| task | model | COVID AUROC | most probable class: sens. / spec. | threshold | sensitivity (95% CI) "
                      "| specificity (95% CI) |", "|---|---|---:|---|---:|---|---|", *rows])


def _covid_specificity(m: dict) -> float:
    return next(p["specificity"] for p in m["per_class"] if p["class"] == "COVID")


def _covid_sensitivity(m: dict) -> float:
    return next(p["sensitivity"] for p in m["per_class"] if p["class"] == "COVID")


def hardest_hit_table(rows: list[dict], names: list[str]) -> list[str]:
    """The class each shift costs most, and how many points of its sensitivity: balanced accuracy
    averages a collapse of one class away."""
    from convert.shifts import hardest_hit

    if not rows:
        return []
    classes = list(dict.fromkeys(c for r in rows for c in r["classes"]))
    short = {c: c[0] for c in classes} if len({c[0] for c in classes}) == len(classes) else {c: c for c in classes}
    legend = ", ".join(f"{short[c]} {c}" for c in classes if short[c] != c) or "classes by name"
    lines = ["", f"The class each shift costs most (int8): the drop of its sensitivity in points ({legend}; blank: "
             "no class loses).", "", "| task | model | " + " | ".join(names) + " |", "|---|---|" + "---:|" * len(names)]
    for r in rows:
        sens = {name: {"sensitivity": v} for name, v in r["shift_sensitivity"].items()}
        cells = []
        for name in names:
            hit = hardest_hit(sens, name)
            cells.append("" if hit is None else f"{short[r['classes'][hit[0]]]} {hit[1]:.1f}")
        lines.append(f"| {r['task']} | {r['arch']} | " + " | ".join(cells) + " |")
    return lines


def spread(results: list[dict]) -> str:
    """Mean and range over seeds (split and initialisation both change): how much one run says."""
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for r in results:
        groups.setdefault((r["task"], r["arch"], r.get("holdout", "")), []).append(r)
    rows = []
    for (task, arch, holdout), rs in groups.items():
        if len(rs) < 2:
            continue
        bal = [r["int8"]["balanced_accuracy"] for r in rs]
        cov = [_covid_sensitivity(r["int8"]) for r in rs]
        ext = [_covid_sensitivity(r["external"]["int8"]) for r in rs] if holdout == "hannover" else []
        def fmt(v: list[float]) -> str:
            return f"{np.mean(v):.3f} ({min(v):.3f}–{max(v):.3f})" if v else ""
        rows.append(f"| {task}{f' without {holdout}' if holdout else ''} | {arch} | {len(rs)} | {fmt(bal)} | "
                    f"{fmt(cov)} | {fmt(ext)} |")
    if not rows:
        return ""
    return "\n".join(["Run-to-run spread: the same recipe with seeds 0.." + str(max(len(g) for g in groups.values()) - 1)
                      + " (each seed draws its own split and initialisation); int8 through edge, mean (min–max):", "",
                      "| task | model | runs | balanced acc. | COVID sensitivity | Hannover COVID sensitivity |",
                      "|---|---|---:|---|---|---|", *rows])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=CXR_DEV)
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "bench-accuracy")
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
        print(f"skipped: real chest X-rays not found at {args.data}", file=sys.stderr)
        return
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
    table = tables(results)
    print(table)
    (args.out / "accuracy.json").write_text(json.dumps(results, indent=1, default=str))
    if args.write:
        record("Accuracy benchmark", table)


if __name__ == "__main__":
    main()
