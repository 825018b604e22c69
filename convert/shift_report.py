"""The report's section on simulated acquisition shifts (convert.shifts.robustness): what each
shift costs, and which class the answers that change go to."""

from __future__ import annotations

import numpy as np

from convert.report_text import md_cell
from convert.shifts import hardest_hit, lean
from edge.figures import counted, fixed


def robustness_section(robustness: dict[str, dict], classes: list[str], summary: dict | None = None) -> list[str]:
    """Markdown table of convert.shifts.robustness: the same images as another site might store them. ``summary``
    (convert.summary.summarize of the unshifted films) says whether the model tells the classes apart at all: where
    it does not, its changed labels say nothing of a site's errors (lean_lines)."""
    classes = [md_cell(c) for c in classes]  # as report.md prints them: text, never Markdown (every line below)
    counts = robustness["none"].get("class_counts")  # absent from reports of cxr-edge 0.15.0 and older
    # films of one class have no balanced accuracy (convert.metrics): that class's sensitivity is the figure
    only = [k for k, c in enumerate(counts or []) if c] if counts and sum(c > 0 for c in counts) == 1 else []
    figure = f"{classes[only[0]]} sensitivity" if only else "balanced accuracy"
    md = ["## Under simulated acquisition shifts", "",
          "The same images with another site's exposure, blur, noise, framing or burned-in text (convert.shifts), each "
          "through the model's own preprocessing. The drop is net: films made wrong less films made right, each "
          "weighted by its class, so a small drop can hide many changed labels; the next column counts them, of all "
          "the films: how many it made wrong, how many right, and how many went from one wrong class to another. "
          "A negative drop is a gain (more made right than wrong), as likely chance as a small drop. " + film_worth(counts, classes) +
          "'Answers moved' is the mean total variation between the probabilities "
          "with and without the shift, in % (0: unmoved; 100: certain of another class): answers can move without "
          "crossing the threshold, and a film whose classes were near-tied can change label at 0.0. A large drop under "
          "one shift says what this model must not meet at a new site. "
          "The next column names the class whose sensitivity the shift lowers most: an average over classes can hide "
          "one class collapsing. The last says which classes the images whose label changed were given.", "",
          f"| shift | {figure} % | drop (points, net) | labels changed: made wrong, made right | answers moved % "
          "| class it costs most: sensitivity drop (points) | labels changed, into |",
          "|---|---:|---:|---|---:|---|---|"]
    for name, r in robustness.items():
        hit = hardest_hit(robustness, name)
        into = ", ".join(f"{c} {n}" for c, n in zip(classes, r["moved_into"]) if n)
        cost = "" if hit is None else f"{classes[hit[0]]} {hit[1]:.1f}"
        if hit is not None and counts:
            cost += f" ({round(hit[1] * counts[hit[0]] / 100)} of {counts[hit[0]]} films)"
        changed = "" if "changed" not in r else (
            f"{r['changed']} of {sum(r['label_counts'])}: {r['made_wrong']} made wrong, {r['made_right']} made right"
            + (f", {r['wrong_to_wrong']} wrong to wrong" if r["wrong_to_wrong"] else ""))
        value, drop = ((r["sensitivity"][only[0]], 100 * (robustness["none"]["sensitivity"][only[0]] - r["sensitivity"][only[0]]))
                       if only else (r["balanced_accuracy"], r["drop_points"]))
        md.append(f"| {name} | {100 * value:.1f} | {drop:.1f} | {changed} | "
                  f"{100 * r['answers_moved']:.1f} | {cost} | {into} |")
    return md + [""] + few_films_lines(counts, classes) + lean_lines(robustness, classes, summary)


def film_worth(counts: list[int] | None, classes: list[str]) -> str:
    """What one film is worth in the table's points, for any number of films: "3.3 points" under a shift was
    four films net of 120, and the table said so only below 30 films a class ('' where the counts are unknown)."""
    present = [(c, k) for k, c in enumerate(counts or []) if c]
    if not present:
        return ""
    (small, ks), (large, kl) = min(present), max(present)
    n = len(present)  # balanced accuracy averages the classes with films only
    if n == 1:  # one class has no balanced accuracy (convert.metrics): the table shows its sensitivity alone
        worth = f"One film here is {100 / small:.1f} points of {classes[ks]}'s sensitivity ({small} films)"
    elif small == large:
        worth = (f"One film here is {100 / small:.1f} points of a class's sensitivity ({small} films a class) and "
                 f"{100 / small / n:.1f} of balanced accuracy")
    else:
        worth = (f"One film here is {100 / small:.1f} points of {classes[ks]}'s sensitivity ({small} films) to "
                 f"{100 / large:.1f} of {classes[kl]}'s ({large}), and {100 / small / n:.1f} to {100 / large / n:.1f} "
                 "of balanced accuracy")
    return worth + ": a drop of a few films is within chance. "


FEW_FILMS = 30  # below this many films of a class, one film moves its sensitivity by more than 3 points


def few_films_lines(counts: list[int] | None, classes: list[str]) -> list[str]:
    """A caution when a class has so few films that one film is several points of the table."""
    if not counts or min(c for c in counts if c) >= FEW_FILMS:
        return []
    k = min((c, k) for k, c in enumerate(counts) if c)[1]
    present = sum(c > 0 for c in counts)  # balanced accuracy averages the classes with films only
    also = f" and {100 / counts[k] / present:.1f} of balanced accuracy" if present > 1 else ""  # one class: none
    return [f"Few films: {classes[k]} has {counts[k]}, so one of its films is {100 / counts[k]:.1f} points of its "
            f"sensitivity{also}. A drop of a film or two "
            "under a shift is as likely chance as a weakness; score more films before trusting this table.", ""]


def lean_lines(robustness: dict[str, dict], classes: list[str], summary: dict | None = None) -> list[str]:
    """One paragraph on where the changed labels went over all shifts (convert.shifts.lean; on
    cxr-dev most go to COVID: benchmarks/shift_lean.py), and which of them are now wrong. A class is named as the
    lean of a site's errors from the changes now wrong only (one that made a film right is no error), where it took
    at least 10 points more of them than a change with no preference would give it (a share in proportion to the
    images not already labelled with it); never where ``summary`` does not show the model telling the classes apart,
    or the answers hardly moved (near-ties tipping): there "no lean can be read", and why."""
    totals = lean(robustness)
    into = np.array(totals["into"])
    total = int(into.sum())
    if total == 0:
        return []
    counts = np.asarray(robustness["none"]["label_counts"], float)
    expected = (counts.sum() - counts) / ((len(classes) - 1) * counts.sum())
    share = into / total
    parts = ", ".join(f"{int(n)} into {c} ({fixed(s, 0, 100)}%)" for c, n, s in zip(classes, into, share) if n)
    md = [f"Over all shifts {counted(total, 'label')} changed: {parts}."]
    if "wrong_into" not in totals:  # a report from before the changes were told apart: no lean is named on them
        return [" ".join(md), ""]
    wrong = np.array(totals["wrong_into"])
    n_wrong = int(wrong.sum())
    share = wrong / max(n_wrong, 1)
    md.append(f"{n_wrong} of them {'is' if n_wrong == 1 else 'are'} now wrong" + (": " + ", ".join(
        f"{int(n)} into {c} ({fixed(s, 0, 100)}%)" for c, n, s in zip(classes, wrong, share) if n) if n_wrong else "") + ".")
    if why := no_lean(robustness, summary):
        md.append(f"No lean can be read: {why}.")
        return [" ".join(md), ""]
    top = int(np.argmax(share - expected))
    if n_wrong >= 10 and share[top] - expected[top] >= 0.10:
        md.append(f"Those now wrong lean towards {classes[top]} ({fixed(share[top], 0, 100)}% of them, against "
                  f"{fixed(expected[top], 0, 100)}% with no preference): at a site that stores or processes films "
                  f"differently, expect this model's errors to lean towards false {classes[top]} calls.")
    return [" ".join(md), ""]


MIN_MOVED = 0.01  # mean answers moved over the shifts: below 1 point the labels that change are near-ties tipping


def no_lean(robustness: dict[str, dict], summary: dict | None) -> str | None:
    """Why the changed labels cannot say which way a site's errors lean, or None where they can: a model whose
    figures do not show it telling the classes apart (its labels flip between near-equal guesses), or answers that
    hardly moved (run4: 195 labels changed at 0.0 to 0.4% moved, and the lean read as a forecast)."""
    from convert.chance import chance_line
    from edge.figures import against_chance

    if summary is not None:
        present = summary.get("classes_present") or []
        lo, hi = (summary.get("balanced_accuracy_ci") or [None, None])[:2]
        if len(present) >= 2 and lo is not None and (where := against_chance(lo, hi, 1 / len(present))) != "above":
            return (f"balanced accuracy's 95% interval ({fixed(lo, 1, 100)} to {fixed(hi, 1, 100)}%) "
                    f"{'reaches down to' if where == 'reaches' else 'lies below'} chance ({100 / len(present):.1f}%), so "
                    "the labels a shift changes are guesses changing, not a site's errors")
        if chance_line(summary) is not None:
            return "these films do not show the model telling the classes apart (see the warning above)"
    moved = [r["answers_moved"] for name, r in robustness.items() if name != "none"]
    if moved and (mean := float(np.mean(moved))) < MIN_MOVED:
        return (f"the answers moved {fixed(mean, 1, 100)}% on average over the shifts, under 1 point, so the labels "
                "that changed were near-ties tipping, not answers drifting towards a class")
    return None
