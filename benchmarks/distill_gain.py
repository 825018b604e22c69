"""What distillation buys: students from several seeds against their teacher's own members.

A `cxr-train --members 3` run holds three single models (`--teacher-members 0`) trained from
seeds 0, 1 and 2 on one frozen split: step 1 of cxr-train's default recipe. This benchmark trains students from that teacher
(`cxr-train --teacher RUN --seed S`, same split, finished runs reused) and scores, in Keras float
on the teacher's test split and held-out source:

- each member alone: three single models, the baseline and its spread;
- the teacher (the members' mean logits);
- each student: a model of the same size that learnt from the teacher (step 2 of the default).

Columns: balanced accuracy; macro AUROC; NLL and ECE after each model's own temperature;
balanced accuracy on the adult films alone; the worst drop under the simulated shifts
(benchmarks/accuracy.py's, Keras float here so that members and students compare alike); the
held-out source's accuracy; and for students the int8 model's largest per-class sensitivity
change against Keras (from cxr-convert's report). Mean (min–max) over runs.

    python benchmarks/distill_gain.py --seeds 0,1,2 --write   # ~45 min on 2 cores with the teachers trained
    python benchmarks/distill_gain.py --epochs 240   # students trained twice as long (RESULTS.md, "Ablations")
    python benchmarks/distill_gain.py --consistency 10   # students with the two-view consistency term

Seed 0's student is benchmarks/accuracy.py's compact-distilled run where it exists. --write puts
the table in benchmarks/RESULTS.md (section "Distillation"), replacing the previous one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.accuracy import PEDIATRIC_SOURCES  # noqa: E402
from benchmarks.results import report_is_current  # noqa: E402

BENCH = ROOT / "runs" / "bench-accuracy"
TEACHERS = [BENCH / "covid-normal-compact-x3", BENCH / "4-class-compact-x3",
            BENCH / "covid-normal-compact-x3-without-hannover"]


SUFFIXES = {"epochs": "e", "consistency": "c"}  # cxr-train settings a study may change, as folder-name tags


def student_dir(teacher: Path, seed: int, out: Path, extra: dict | None = None) -> Path:
    """Seed 0 reuses the accuracy benchmark's own distilled run where there is one. Students of
    another recipe (``extra``: TrainSettings overrides such as epochs) never reuse a default one:
    their folder names what differs, e.g. -e240 or -c0."""
    sibling = teacher.with_name(teacher.name.replace("-x3", "-distilled"))
    if seed == 0 and not extra and sibling != teacher and (sibling / "run.json").is_file():
        if (json.loads((sibling / "run.json").read_text()).get("settings") or {}).get("epochs") is None:  # the default
            return sibling
        print(f"distill_gain: not reusing {sibling}: it was trained with --epochs, not cxr-train's default "
              "recipe", file=sys.stderr)
    tags = "".join(f"-{SUFFIXES[k]}{v:g}" for k, v in sorted((extra or {}).items()))
    return out / f"{teacher.name}-student-seed{seed}{tags}"


def train_student(teacher: Path, run_dir: Path, seed: int, extra: dict | None = None) -> None:
    from convert.quantize import ConvertSettings, run_conversion
    from train.run import TrainSettings, run_training

    if not (run_dir / "run.json").is_file():
        print(f"training {run_dir.name}", file=sys.stderr, flush=True)
        t = json.loads((teacher / "run.json").read_text())["settings"]  # the members' own recipe
        run_training(TrainSettings(data=t["data"], out=run_dir, teacher=str(teacher), seed=seed, **(extra or {}),
                                   image_size=t["image_size"], batch_size=t["batch_size"],
                                   learning_rate=t["learning_rate"], progress=False))
    if not report_is_current(run_dir):
        run_conversion(ConvertSettings(run_dir=run_dir, modes=["int8", "fp32"], latency_threads=(), progress=False))


def int8_change(run_dir: Path) -> float:
    """Largest per-class sensitivity change (points) of the int8 model against Keras."""
    delta = json.loads((run_dir / "report.json").read_text())["models"]["int8"]["delta"]["sensitivity_points"]
    return max(abs(v) for v in delta.values() if v is not None)


def score(model, temperature: float, k: int, y: np.ndarray, shifted: dict[str, np.ndarray], adult: np.ndarray,
          external: tuple[np.ndarray, np.ndarray] | None) -> dict[str, float]:
    """Keras-float scores of one model on the test split (clean and shifted) and the external part."""
    from convert.metrics import balanced_accuracy
    from convert.reliability import expected_calibration_error
    from convert.roc import macro_auroc
    from convert.shifts import answers_moved
    from edge.model import softmax
    from train.fit import logits_of

    # every view in one predict call: Keras spends about 0.2 s setting up each call, 15 a model one view at a time
    names = list(shifted)
    views = dict(zip(names, np.split(logits_of(model, np.concatenate([shifted[n] for n in names])), len(names))))
    p = softmax(views["none"] / temperature)
    pred = p.argmax(1)
    row = {"balanced acc.": balanced_accuracy(y, pred, k), "AUROC": macro_auroc(y, p),
           "NLL": float(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-12))),
           "ECE": expected_calibration_error(y, p),
           "adults: balanced acc.": balanced_accuracy(y[adult], pred[adult], k)}
    under = [softmax(v / temperature) for name, v in views.items() if name != "none"]
    row["worst shift drop (pts)"] = max(100 * (row["balanced acc."] - balanced_accuracy(y, q.argmax(1), k)) for q in under)
    row["answers moved by shifts (x100)"] = 100 * float(np.mean([answers_moved(p, q) for q in under]))
    if external is not None:
        row["external accuracy"] = float((logits_of(model, external[0]).argmax(1) == external[1]).mean())
    return row


def rows_for(teacher: Path, seeds: list[int], out: Path, extra: dict | None = None) -> list[str]:
    import keras

    from convert.shifts import shifted_inputs
    from edge.preprocess import PreprocessConfig, load_grayscale
    from train.calibration import fit_temperature
    from train.cache import load_part
    from train.data import Split
    from train.fit import logits_of

    run = json.loads((teacher / "run.json").read_text())
    split = Split.load(teacher / "split.json")
    config = PreprocessConfig.from_dict(run["preprocess"])
    test = split.parts["test"]
    # The same inputs for every model: the test images decoded once, each shift applied once.
    shifted = shifted_inputs([load_grayscale(Path(split.data_dir) / i.path) for i in test], config)
    y = np.array([split.classes.index(i.label) for i in test])
    adult = np.array([i.source not in PEDIATRIC_SOURCES for i in test])
    external = load_part(teacher, split, "external", config, progress=False) if "external" in split.parts else None
    k = len(split.classes)

    def scores(model, temperature: float) -> dict[str, float]:
        return score(model, temperature, k, y, shifted, adult, external)

    ensemble = keras.saving.load_model(teacher / "model.keras", compile=False)
    members = [layer for layer in ensemble.layers if isinstance(layer, keras.Model)]
    # A member's temperature is not stored: fit it on the validation split, as cxr-train does.
    xv, yv = load_part(teacher, split, "val", config, progress=False)
    groups = {"member (one model, no teacher)": [scores(m, fit_temperature(logits_of(m, xv), yv)) for m in members],
              f"teacher (mean of {len(members)})": [scores(ensemble, run["temperature"])]}
    students = []
    for seed in seeds:
        d = student_dir(teacher, seed, out, extra)
        model = keras.saving.load_model(d / "model.keras", compile=False)
        students.append({**scores(model, json.loads((d / "run.json").read_text())["temperature"]),
                         "int8 max sens. change (pts)": int8_change(d)})
    groups["student (distilled)"] = students
    lines = []
    for name, rs in groups.items():
        cells = []
        for metric in COLUMNS:
            v = [r[metric] for r in rs if metric in r]
            if not v:
                cells.append("")
            else:
                f = ".1f" if metric.endswith(("(pts)", "(x100)")) else ".3f"
                cells.append(f"{v[0]:{f}}" if len(v) == 1 else f"{np.mean(v):{f}} ({min(v):{f}}–{max(v):{f}})")
        lines.append(f"| {teacher.name} | {name} | {len(rs)} | " + " | ".join(cells) + " |")
    return lines


def caption(teachers: list[Path], seeds: str, extra: dict) -> str:
    """What the table measured, read from the teachers given: their members and seeds, and what their
    held-out source is (the words were once fixed to the default three teachers, whatever was given)."""
    from train.data import Split

    default = [t.resolve() for t in teachers] == [t.resolve() for t in TEACHERS]
    made = []
    for t in teachers:
        run = json.loads((t / "run.json").read_text())
        n, first = int(run.get("members") or 1), int(run["settings"].get("seed") or 0)
        made.append((n, ", ".join(str(first + k) for k in range(n))))
    if len(set(made)) == 1:
        n, some = made[0]
        members = f"Members are each teacher's {n} single model" + ("s (seeds " if n > 1 else " (seed ") + f"{some})"
    else:
        members = "Members are each teacher's single models (" + "; ".join(
            f"{t.name}: {n}, seeds {s}" for t, (n, s) in zip(teachers, made)) + ")"
    held = []
    for t in teachers:
        source = json.loads((t / "run.json").read_text())["settings"].get("holdout_source")
        if source:
            labels = [i.label for i in Split.load(t / "split.json").parts.get("external", [])]
            held.append(f"{t.name}: the {len(labels)} films of `--holdout-source {source}`, "
                        + ", ".join(f"{labels.count(c)} {c}" for c in sorted(set(labels))))
    external = ("'external accuracy' is the share of the held-out source's films given their own class ("
                + "; ".join(held) + "). ") if held else ""
    recipe = "cxr-train's default recipe" + "".join(f", {k} {v:g}" for k, v in extra.items())
    return ("Keras float on each teacher's frozen split" + (" (seed 0 of benchmarks/accuracy.py)" if default else "")
            + "; mean (min–max) over runs; NLL and ECE after each model's own temperature, fitted on the validation "
            f"split. {members}; students are `cxr-train --teacher` runs with seeds {seeds}, {recipe}. {external}"
            "'adults' leaves out the children's films (Kermany).")


COLUMNS = ["balanced acc.", "AUROC", "NLL", "ECE", "adults: balanced acc.", "worst shift drop (pts)",
           "answers moved by shifts (x100)", "external accuracy", "int8 max sens. change (pts)"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="0,1,2", help="Student seeds (comma-separated).")
    ap.add_argument("--teacher", type=Path, action="append",
                    help="A `cxr-train --members N` run (repeatable). Default: the three compact-x3 runs of "
                         "benchmarks/accuracy.py (COVID vs Normal, 4 classes, without Hannover).")
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "distill-seeds")
    ap.add_argument("--epochs", type=int, default=None, help="Default: cxr-train's (about 4,000 steps).")
    ap.add_argument("--consistency", type=float, default=None, help="Weight of the two-view consistency term (cxr-train --consistency; default 0, off).")
    ap.add_argument("--write", action="store_true", help="Put the table in benchmarks/RESULTS.md.")
    a = ap.parse_args()
    from train.quiet import load_tensorflow

    load_tensorflow()
    seeds = [int(s) for s in a.seeds.split(",")]
    teachers = a.teacher or TEACHERS
    missing = [str(t) for t in teachers if not (t / "model.keras").is_file()]
    if missing:
        raise SystemExit("train the teachers first (python benchmarks/accuracy.py --archs compact-x3): "
                         + ", ".join(missing))
    extra = {k: v for k, v in (("epochs", a.epochs), ("consistency", a.consistency)) if v is not None}
    for t in teachers:
        for seed in seeds:
            train_student(t, student_dir(t, seed, a.out, extra), seed, extra)
    lines = ["| teacher run | model | runs | " + " | ".join(COLUMNS) + " |", "|---|---|---:|" + "---|" * len(COLUMNS)]
    for t in teachers:
        lines += rows_for(t, seeds, a.out, extra)
    text = caption(teachers, a.seeds, extra) + "\n\n" + "\n".join(lines)
    print(text)
    if a.write:
        from benchmarks.results import record

        record("Distillation", text)


if __name__ == "__main__":
    main()
