"""The report's section on simulated acquisition shifts (convert.shifts.robustness): what each
shift costs, and which class the answers that change go to."""

from __future__ import annotations

import numpy as np

from convert.report_text import md_cell
from convert.shifts import hardest_hit, lean
from edge.figures import fixed


def robustness_section(robustness: dict[str, dict], classes: list[str]) -> list[str]:
    """Markdown table of convert.shifts.robustness: the same images as another site might store them."""
    classes = [md_cell(c) for c in classes]  # as report.md prints them: text, never Markdown (every line below)
    md = ["## Under simulated acquisition shifts", "",
          "The same images with another site's exposure, blur, noise, framing or burned-in text (convert.shifts), each "
          "through the model's own preprocessing. 'Answers moved' is the mean total variation between the probabilities "
          "with and without the shift, in % (0: unmoved; 100: certain of another class): answers can move without "
          "crossing the threshold. A large drop under one shift says what this model must not meet at a new site. "
          "The next column names the class whose sensitivity the shift lowers most: an average over classes can hide "
          "one class collapsing. The last says which classes the images whose label changed were given.", "",
          "| shift | balanced accuracy % | drop (points) | answers moved % | class it costs most: sensitivity drop (points) "
          "| labels changed, into |",
          "|---|---:|---:|---:|---|---|"]
    counts = robustness["none"].get("class_counts")  # absent from reports of cxr-edge 0.15.0 and older
    for name, r in robustness.items():
        hit = hardest_hit(robustness, name)
        into = ", ".join(f"{c} {n}" for c, n in zip(classes, r["moved_into"]) if n)
        cost = "" if hit is None else f"{classes[hit[0]]} {hit[1]:.1f}"
        if hit is not None and counts:
            cost += f" ({round(hit[1] * counts[hit[0]] / 100)} of {counts[hit[0]]} films)"
        md.append(f"| {name} | {100 * r['balanced_accuracy']:.1f} | {r['drop_points']:.1f} | "
                  f"{100 * r['answers_moved']:.1f} | {cost} | {into} |")
    return md + [""] + few_films_lines(counts, classes) + lean_lines(robustness, classes)


FEW_FILMS = 30  # below this many films of a class, one film moves its sensitivity by more than 3 points


def few_films_lines(counts: list[int] | None, classes: list[str]) -> list[str]:
    """A caution when a class has so few films that one film is several points of the table."""
    if not counts or min(c for c in counts if c) >= FEW_FILMS:
        return []
    k = min((c, k) for k, c in enumerate(counts) if c)[1]
    present = sum(c > 0 for c in counts)  # balanced accuracy averages the classes with films only
    return [f"Few films: {classes[k]} has {counts[k]}, so one of its films is {100 / counts[k]:.1f} points of its "
            f"sensitivity and {100 / counts[k] / present:.1f} of balanced accuracy. A drop of a film or two "
            "under a shift is as likely chance as a weakness; score more films before trusting this table.", ""]


def lean_lines(robustness: dict[str, dict], classes: list[str]) -> list[str]:
    """One paragraph on where the changed labels went over all shifts (convert.shifts.lean; on
    cxr-dev most go to COVID: benchmarks/shift_lean.py). A class is named as the lean when it took
    at least 10 points more of the changes than a change with no preference would give it (a share
    in proportion to the images not already labelled with it)."""
    into = np.array(lean(robustness)["into"])
    total = int(into.sum())
    if total == 0:
        return []
    counts = np.asarray(robustness["none"]["label_counts"], float)
    expected = (counts.sum() - counts) / ((len(classes) - 1) * counts.sum())
    share = into / total
    parts = ", ".join(f"{int(n)} into {c} ({fixed(s, 0, 100)}%)" for c, n, s in zip(classes, into, share) if n)
    md = [f"Over all shifts {total} labels changed: {parts}."]
    top = int(np.argmax(share - expected))
    if total >= 10 and share[top] - expected[top] >= 0.10:
        md.append(f"They lean towards {classes[top]} ({fixed(share[top], 0, 100)}% of the changes, against {fixed(expected[top], 0, 100)}% "
                  f"with no preference): at a site that stores or processes films differently, expect this model's "
                  f"errors to lean towards false {classes[top]} calls.")
    return [" ".join(md), ""]
