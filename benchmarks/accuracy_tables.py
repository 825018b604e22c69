"""The accuracy benchmark's tables: markdown from the results of benchmarks/accuracy.py's runs.

Kept apart from the runs, which need TensorFlow, so that each table can be read and tested alone.
"""

from __future__ import annotations

import numpy as np


def ci(v, c) -> str:
    return "n/a" if v is None else f"{v:.3f} ({c[0]:.3f}–{c[1]:.3f})"


MODELS_NOTE = ("Models: `compact-distilled` is cxr-train's default (a 3-model teacher, then one compact model); "
               "`compact` is one model trained directly (`--teacher-members 0`); `compact-x3` ships the ensemble "
               "(`--members 3`); `seed` is the tutorial's CNN. One run each on the seed-0 split; "
               "benchmarks/distill_gain.py has three seeds. int8 KiB: the model itself, without the metadata cxr-convert "
               "adds to the file (labels, card, 40 bytes of fingerprints a training or validation film: about 30 KiB "
               "on cxr-dev's COVID vs Normal).")


def tables(results: list[dict], holdouts: dict[str, tuple[str, str, str]]) -> str:
    """Every table of the benchmark, in markdown, from the results of benchmarks/accuracy.py's runs.
    ``holdouts`` (accuracy.HOLDOUTS) names each held-out source's class and films."""
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
        lines += ["", "Where the models look (int8, test split): the share of each image's occlusion map (convert.occlusion: "
                  "the fall of the answer's log-odds when each square of the film is covered) that lies in the film's "
                  "outer eighth, mean over the images whose map found evidence; 'no evidence' counts the maps where no "
                  "square's cover lowered the answer's log-odds by 0.05 or more, left out of the means. Spread evenly it would be 0.44; more means "
                  "the model reads borders, collimation and burned-in text, i.e. the film's origin, rather than the lungs.",
                  "", "| task | model | all images | right | wrong | no evidence |", "|---|---|---:|---:|---:|---:|"]
        for r in looks:
            b = r["border_evidence"]
            lines.append(f"| {r['task']} | {r['arch']} | " + " | ".join(
                "" if b[k] is None else f"{b[k]:.3f}" for k in ("all", "right", "wrong"))
                + f" | {b.get('without_evidence', '')} |")
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
    for name, (_, cls, what) in holdouts.items():
        lines += loso_table([r for r in results if r.get("holdout") == name and r["seed"] == 0], cls, what)
    repeats = spread(results)
    if repeats:
        lines += ["", repeats]
    return "\n".join(lines)


def loso_table(rows: list[dict], cls: str, what: str) -> list[str]:
    """One held-out source (``what``, films of class ``cls``): that class's sensitivity (int8), plain
    and at the threshold for it chosen on validation for 95% sensitivity, and how many of the films
    the input check flags."""
    if not rows:
        return []
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
