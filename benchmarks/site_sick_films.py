"""Does a site that gives training only its healthy films teach the model "this site's look means Normal"?

benchmarks/site_films.py shows a site's healthy films in training stop the model calling the
site's other healthy films COVID. This asks what they do to the site's sick films. The only
cxr-dev source with films of more than one class is the children's set (Kermany et al.: Normal,
and bacterial pneumonia filed as Lung_Opacity), so the task is three classes (COVID, Normal,
Lung_Opacity) and the children's set is the site. The base folder holds every COVID film and the
adult NIH Normal and pneumonia films; each run adds, through `cxr-train --add-data`:

- none: nothing;
- N15: the site's first 15 Normal films (healthy films only);
- NB15: those and the site's first 15 Lung_Opacity films (both kinds).

The site's other films (60 Normal, 59 Lung_Opacity; never in training) are scored through edge
(int8) with cxr-evaluate. One compact model per run (`--teacher-members 0`), about 5 min a run
on 2 cores; runs are reused when present.

    python benchmarks/site_sick_films.py                 # seeds 0 and 1: 6 runs, ~30 min
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.site_films import CXR_DEV, SITE, link_rows, manifest, ordered, scored  # noqa: E402

VARIANTS = ("none", "N15", "NB15")
CLASSES = ("COVID", "Normal", "Lung_Opacity")


def build_sets(data: Path, sets: Path) -> None:
    rows = manifest(data)
    kids = {c: ordered([r for r in rows if r["label"] == c and r["source_repo"].startswith(SITE)])
            for c in ("Normal", "Lung_Opacity")}
    base = [r for r in rows if r["label"] in CLASSES and not r["source_repo"].startswith(SITE)]
    link_rows(data, sets / "base", base, rows)
    link_rows(data, sets / "N15", kids["Normal"][:15], rows)
    link_rows(data, sets / "NB15", kids["Normal"][:15] + kids["Lung_Opacity"][:15], rows)
    link_rows(data, sets / "eval", kids["Normal"][60:] + kids["Lung_Opacity"][60:], rows)


def row(run: Path, variant: str, seed: int) -> str:
    from convert.metrics import wilson_interval

    r = json.loads((run / "eval" / "report.json").read_text())
    cm, cls = r["metrics"]["confusion_matrix"], r["classes"]

    def cell(true: str, called: str) -> str:
        k, n = cm[cls.index(true)][cls.index(called)], sum(cm[cls.index(true)])
        lo, hi = wilson_interval(k, n)
        return f"{k} of {n} ({lo:.2f}–{hi:.2f})"

    test = json.loads((run / "report.json").read_text())["models"]["int8"]
    return (f"| {variant} | {seed} | {cell('Normal', 'Normal')} | {cell('Normal', 'COVID')} | "
            f"{cell('Lung_Opacity', 'Lung_Opacity')} | {cell('Lung_Opacity', 'Normal')} | {cell('Lung_Opacity', 'COVID')} | "
            f"{test['balanced_accuracy']:.3f} |")


def main() -> None:
    import subprocess

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=CXR_DEV)
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--out", type=Path, default=ROOT / "runs" / "site-sick-films")
    ap.add_argument("--sets", type=Path, default=Path("/tmp/site-sick-films"))
    a = ap.parse_args()
    if not (a.data / "MANIFEST.csv").is_file():
        raise SystemExit(f"needs the real chest X-rays at {a.data} (absent here)")
    build_sets(a.data.resolve(), a.sets)
    bin_dir = Path(sys.executable).parent
    lines = []
    for seed in (int(v) for v in a.seeds.split(",")):
        for v in VARIANTS:
            run = a.out / f"{v}-s{seed}"
            if not (run / "report.json").is_file():
                add = [] if v == "none" else ["--add-data", str(a.sets / v)]
                scored([str(bin_dir / "cxr-train"), "--data", str(a.sets / "base"), *add, "--classes",
                        ",".join(CLASSES), "--teacher-members", "0", "--seed", str(seed), "--out", str(run), "-q"])
                subprocess.run([str(bin_dir / "cxr-convert"), str(run), "--quant", "int8", "-q"], check=True)
            if not (run / "eval" / "report.json").is_file():
                scored([str(bin_dir / "cxr-evaluate"), str(run / "model_int8.tflite"), str(a.sets / "eval"),
                        "--out", str(run / "eval"), "-q"])
            lines.append(row(run, v, seed))
    print("\n| site films added | seed | site Normal called Normal | site Normal called COVID | site Lung_Opacity "
          "called Lung_Opacity | site Lung_Opacity called Normal | site Lung_Opacity called COVID | internal test: "
          "balanced acc. |")
    print("|---|---:|---|---|---|---|---|---:|")
    print("\n".join(sorted(lines, key=lambda line: (VARIANTS.index(line.split("|")[1].strip()), line.split("|")[2]))))


if __name__ == "__main__":
    main()
