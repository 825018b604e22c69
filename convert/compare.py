"""Two models on the same films: is the difference real? (pure functions; cxr-compare uses them)

A site that is offered a new model (retrained, another recipe, another quantization) needs to
know whether it does better on its own films, and on which class. Two separate reports with
overlapping confidence intervals cannot say: the same films were scored twice, so the
comparison must be paired. A class's difference in sensitivity comes with Newcombe's paired score
interval, balanced accuracy's with a paired bootstrap interval (the films resampled once for both
models, within each class; where some class's changed answers all favour one model, or none
changed, no resample can favour the other, and the interval is MOVER's over the classes'
Newcombe intervals, convert.intervals, as it is for a set of one class).
Whether the two models are right on different films: McNemar's exact test, which looks only at
the films where exactly one of them is right.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from convert.chance import one_answer_line
from convert.compare_classes import class_note, groups_unadjusted, shown_difference, sides
from convert.intervals import mover_sum, paired_difference
from convert.metrics import balanced_accuracy, one_class_reason, sensitivities, to_jsonable
from convert.seen_lines import seen_elsewhere, seen_line
from convert.study_design import compared_lines
from convert.set_notes import FEW_FILMS, copy_lines, renamed_line, skipped_line
from convert.summary import bootstrap_ci
from edge.decision import describe
from edge.figures import counted, fixed, rounded_down
from edge.stored_rule_words import site_films_words
from convert.report_text import md_cell, md_names


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value: under 'the models are equally good', the films only one
    of them gets right fall to either side like fair coin flips. 1.0 when there are none."""
    n = only_a + only_b
    if n == 0:
        return 1.0
    term, tail = 1, 1  # comb(n, 0), then comb(n, k) one step at a time: exact integers, however many films
    for k in range(min(only_a, only_b)):
        term = term * (n - k) // (k + 1)
        tail += term
    # integer over integer divides exactly, where 2.0 ** n overflowed at 1,024 discordant films
    return float(min(1.0, 2 * tail / 2 ** n))


def p_text(p: float, equals: str = "= ") -> str:
    """'= 0.031', or '< 1e-300' for a p too small for a float (over ~1,075 changed answers, all one way): never 0."""
    return f"{equals}{p:.3g}" if p > 0 else "< 1e-300"


def _paired(statistic):
    """A bootstrap statistic over columns [true, label of A, label of B] of one resampled set of films."""
    return lambda y, p: statistic(y, p[:, 0], p[:, 1])


def compare(y: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, classes: list[str], n_boot: int = 1000) -> dict:
    """B against A on the films with true labels ``y``: balanced accuracy and per-class sensitivity
    of each, B minus A with paired 95% intervals (module docstring), McNemar's exact test on which
    films each gets right, and a table of the answers that changed (rows: A's label, columns: B's)."""
    y, a, b = (np.asarray(v, dtype=int) for v in (y, pred_a, pred_b))
    if not (len(y) == len(a) == len(b)):
        raise ValueError(f"{len(y)} labels but {len(a)} and {len(b)} answers")
    k = len(classes)
    ab = np.stack([a, b], axis=1)

    def ba_diff(yy, pa, pb):
        return balanced_accuracy(yy, pb, k) - balanced_accuracy(yy, pa, k)

    right_a, right_b = a == y, b == y
    per_class = []
    sens_a, sens_b = sensitivities(y, a, k), sensitivities(y, b, k)
    for c, name in enumerate(classes):
        mine = y == c
        n = int(mine.sum())
        if n == 0:
            continue
        both, only_b = int((mine & right_a & right_b).sum()), int((mine & right_b & ~right_a).sum())
        only_a = int((mine & right_a & ~right_b).sum())
        per_class.append({"class": name, "n": n, "sensitivity_a": sens_a[c], "sensitivity_b": sens_b[c],
                          "difference": sens_b[c] - sens_a[c],
                          "difference_ci": list(paired_difference(both, only_b, only_a, n - both - only_b - only_a)),
                          "only_a_right": only_a, "only_b_right": only_b})
    # A class whose changed answers all favour one model (or none) gives bootstrap resamples that can
    # never favour the other: the interval could not reach below 0 on one changed film. MOVER's, from score
    # intervals, can still just exclude 0 where exact McNemar does not (compare.md says so). One class alone has no
    # balanced accuracy (metrics.balanced_accuracy): its row's sensitivity difference is the figure.
    if len(per_class) == 1:
        ba_ci, method = (float("nan"), float("nan")), None
    elif any(min(c["only_a_right"], c["only_b_right"]) == 0 for c in per_class):
        lo, hi = mover_sum([c["difference"] for c in per_class], [c["difference_ci"] for c in per_class],
                           [1 / len(per_class)] * len(per_class))
        ba_ci, method = (max(-1.0, lo), min(1.0, hi)), "mover"
    else:
        ba_ci, method = bootstrap_ci(y, ab, _paired(ba_diff), n_boot=n_boot, seed=0), "bootstrap"
    only_a, only_b = int((right_a & ~right_b).sum()), int((right_b & ~right_a).sum())
    changed = np.zeros((k, k), dtype=int)
    for i, j in zip(a[a != b], b[a != b]):
        changed[i, j] += 1
    return to_jsonable({
        "n": int(len(y)), "classes": classes,
        "balanced_accuracy_a": balanced_accuracy(y, a, k), "balanced_accuracy_b": balanced_accuracy(y, b, k),
        "balanced_accuracy_difference": _exact_difference(per_class) if len(per_class) > 1 else ba_diff(y, a, b),
        "balanced_accuracy_difference_ci": list(ba_ci),
        "balanced_accuracy_difference_ci_method": method,  # "mover" (the classes' Newcombe intervals), "bootstrap", None
        **({"balanced_accuracy_no_value": why} if (why := one_class_reason([c["class"] for c in per_class])) else {}),
        "per_class": per_class,
        "only_a_right": only_a, "only_b_right": only_b, "mcnemar_p": mcnemar_exact(only_a, only_b),
        "answers_changed": int((a != b).sum()), "changed": changed.tolist(),
        # films of one class alone: "balanced accuracy" is that class's sensitivity, and no specificity is seen
        "only_class": per_class[0]["class"] if len(per_class) == 1 else None,
        "too_few_films": bool(0 < len(y) < FEW_FILMS),
        # a model that gave (nearly) every film one answer: "no difference shown" would hide that it reads nothing here
        "one_answer": {who: one_answer_line(np.bincount(v, minlength=k).tolist(), classes, len(set(y.tolist())),
                                            who=f"model {who}") for who, v in (("A", a), ("B", b))},
    })


def same_model(model_a: Path, model_b: Path, info_a: dict, info_b: dict, most_probable: bool) -> str | None:
    """Why B minus A will say nothing of two models (stderr, compare.md, compare.json), or None: one file typed
    twice, identical bytes, or two files of one model: the same weights, calibration, preprocessing and classes,
    and the same rule unless --most-probable sets the rules aside (a run converted twice, a --save-model copy).
    ``info_*``: convert.evaluate.model_for's descriptions."""
    nothing = "B minus A is zero everywhere, and says nothing of two models"
    if model_a.resolve() == model_b.resolve():
        return f"{model_a} and {model_b} are the same model file: {nothing}"
    if model_a.read_bytes() == model_b.read_bytes():
        return f"{model_a} and {model_b} are the same model (identical bytes): {nothing}"
    same = [info_a.get(k) == info_b.get(k) for k in ("answers_from", "preprocess", "labels")]
    if not (info_a.get("answers_from") or [None])[0] or not all(same):
        return None
    if most_probable:
        return (f"{model_a} and {model_b} hold the same model (the same weights, calibration, preprocessing and "
                f"classes; their rules set aside by --most-probable): {nothing}")
    if info_a["decision"] == info_b["decision"]:
        return (f"{model_a} and {model_b} hold the same model (the same weights, calibration, preprocessing, classes "
                f"and rule; the files differ in other records, such as when they were written): {nothing}")
    return None


def _exact_difference(per_class: list[dict]) -> float:
    """B minus A in balanced accuracy from the counts, in exact fractions: two models right on as many films
    of each class differ by 0.0, where float means gave -1.1e-16 and "B - A -0.0 points"."""
    return float(sum(Fraction(c["only_b_right"] - c["only_a_right"], c["n"]) for c in per_class) / len(per_class))


def resampled(r: dict) -> list[str]:
    """Which balanced-accuracy intervals of a comparison (``r``, with its ``by`` groups) are bootstrap ones,
    for the provenance line: "all films", "source site-1", ...; the others are score intervals, not resampled."""
    named = [("all films", r)] + [(f"{column} {g}", gr) for column, groups in r.get("by", {}).items()
                                  for g, gr in groups.items()]
    return [name for name, x in named if x.get("balanced_accuracy_difference_ci_method") == "bootstrap"]


def _pts(v: float | None) -> str:
    return "n/a" if v is None or v != v else f"{100 * v:+.1f}"


def headline(r: dict, name=str) -> str:
    """The verdict in one line. On films of one class it is that class's sensitivity, named so: a model
    that calls more films COVID wins it, which a set without Normal films cannot hold against it. ``name``:
    how a class name is shown (compare.md's md_cell; as it is on the terminal)."""
    fa, fb, diff, (lo, hi) = shown_difference(r)
    one = name(r["only_class"]) if r.get("only_class") else None
    what = f"{one} films only: B - A {one} sensitivity" if one else "B - A balanced accuracy"
    levels = f"; A {fixed(fa, 1, 100)}%, B {fixed(fb, 1, 100)}%" if fa is not None and fb is not None else ""
    return (f"{what} {_pts(diff)} points (95% CI {_pts(lo)} to "
            f"{_pts(hi)}{levels}); right only by A {r['only_a_right']}, only by B {r['only_b_right']} "
            f"(McNemar p {p_text(r['mcnemar_p'])}); {r['answers_changed']} of {r['n']} answers differ"
            + (f"; too few films to judge ({r['n']})" if r.get("too_few_films") else ""))


def verdict(r: dict) -> str:
    """What the interval and McNemar's test say together, in one sentence under the headline: where they disagreed
    (an interval of -17.2 to -0.3 beside p = 0.278) compare.md gave only the paragraph on why they can (hunt 58, L6)."""
    interval, films = sides(r)  # which model the interval favours, which McNemar's test does; 0: neither
    inside, pt = ("includes" if interval == 0 else "excludes"), p_text(r["mcnemar_p"], "")
    if interval == films:
        return (f"Here the interval {inside} 0 and McNemar's p is {pt}: "
                + ("these films cannot tell the two models apart." if interval == 0 else
                   f"by both, model {'B' if interval > 0 else 'A'} did better on these films."))
    if interval and films:
        return (f"Here the interval excludes 0 and McNemar's p is {pt}, but they favour different models: these films "
                "do not settle which is better.")
    return f"Here the interval {inside} 0 but McNemar's p is {pt}: these films do not settle which is better."


def caveats(r: dict) -> list[str]:
    """Warnings the verdict needs beside it (stderr and compare.md)."""
    out = []
    if one := r.get("only_class"):
        out.append(f"only {one} films were scored: no film of another class shows how often either model calls a "
                   f"film {one} wrongly, so the one that calls more films {one} looks better; add films of the "
                   "other classes before choosing between them")
    out += [line for line in (r.get("one_answer") or {}).values() if line]
    if r.get("too_few_films"):
        # rounded down: "or more" is a promise, and 6 films' 16.7 points said "17 points or more"
        out.append(f"{counted(r['n'], 'film')} scored: too few to judge, one film moves a figure by {rounded_down(1 / r['n'], 0)} "
                   "points or more")
    return out


def labelling(labels: list[str], rule: tuple[int, float] | None, chosen_on: str | None, ignored: object = None) -> str:
    """How a model labelled the films, in words: its stored rule (where it was chosen, if known), or
    the most probable class (``ignored``: a stored rule that --most-probable set aside)."""
    if rule is None:
        return "labels by the most probable class" + (" (its stored rule ignored: --most-probable)" if ignored else "")
    return (f"labels by its stored rule: {describe(rule, labels)}, else the most probable of the "
            "other classes" + (f"; chosen on {site_films_words(chosen_on)}" if chosen_on else "") + " (--most-probable ignores it)")


def film_notes(r: dict) -> list[str]:
    """What compare.md says about the films before any figure, as cxr-evaluate's report.md does
    (convert.set_notes): unreadable files, renamed class folders, films either model was trained
    or validated on, and copies within the set, each of which changes what the figures mean."""
    md = [skipped_line(r["skipped_files"], where="compare.json"), ""] if r.get("skipped_files") else []
    if renamed := renamed_line(r.get("class_folders") or {}, r.get("left_out_films"), r.get("classes"),
                               answered=bool(r.get("left_out_answers")), models=2):
        md += [renamed, ""]
    if "seen_in_training" in r:
        md += [seen_line(r["seen_in_training"], 2, seen_elsewhere((r.get("left_out_answers") or {}).get("A") or {}),
                         gone=r.get("split_gone")), ""]
    if r.get("study_design"):
        md += [*compared_lines(r["study_design"]), ""]
    return md + copy_lines(r.get("copies_within_set") or [], r.get("label_conflicts") or [], where="compare.json")


def markdown(r: dict, name_a: str, name_b: str, data: str, disclaimer: str) -> list[str]:
    """compare.md: the verdict first, then per class, then where the answers moved."""
    classes = r["classes"]  # each class name as compare.md prints it: text, never Markdown (md_cell, md_names)
    # what the sentences written for the terminal too may name: classes, the models, --by columns and their groups
    names = [*classes, name_a, name_b, *r.get("by", {}), *(g for groups in r.get("by", {}).values() for g in groups)]
    md = [f"# {md_cell(name_b)} (B) against {md_cell(name_a)} (A) on {md_cell(data)}", "", disclaimer, "",
          *(f"> **{line}.**\n" for line in r.get("synthetic", [])),
          *(f"- {who} ({md_cell(name)}) {md_names(r[key], names)}." for who, name, key in
            (("A", name_a, "labelling_a"), ("B", name_b, "labelling_b")) if r.get(key)), *(f"- **Warning:** {md_names(w, names)}." for w in r.get("rule_warnings", [])),
          *(f"- **Warning (the films):** {md_cell(w)}." for w in r.get("data_warnings", [])), "",  # as report.md's
          # its model paths as typed, which need not be the names above: the sentence holds no Markdown of its own
          *([f"**Warning: {md_cell(r['same_model'])}.**\n"] if r.get("same_model") else []), headline(r, md_cell) + ".", "", verdict(r), "", *class_note(r, md_cell),
          *(f"**Warning: {md_names(w, names)}.**\n" for w in caveats(r)),
          *film_notes(r),
          "A difference whose interval includes 0, or a McNemar p above 0.05, is one these films cannot tell "
          "from chance; more films, or films from more sites, narrow it. The two can disagree. They ask different "
          "questions: the interval is on balanced accuracy, where each class counts alike, and McNemar's test is on "
          "the films right by one model only, where the larger class weighs more. They are also made differently: "
          "the intervals are approximate (score intervals, or a bootstrap), McNemar's test is exact, so near the edge "
          "an interval can just exclude 0 while p is just above 0.05, and on a handful of films, where one model was right "
          "on every one, far from 0 while p is large (3 films right by one model alone give p = 0.25). Where they "
          "disagree, these films do not settle the question.", "",
          "| class | n | sensitivity A % | sensitivity B % | B - A (points, 95% CI) | right only by A | right only by B |",
          "|---|---:|---:|---:|---|---:|---:|"]
    for c in r["per_class"]:
        lo, hi = c["difference_ci"]
        md.append(f"| {md_cell(c['class'])} | {c['n']} | {fixed(c['sensitivity_a'], 1, 100)} | {fixed(c['sensitivity_b'], 1, 100)} | "
                  f"{_pts(c['difference'])} ({_pts(lo)} to {_pts(hi)}) | {c['only_a_right']} | {c['only_b_right']} |")
    md += ["", "Answers that changed (rows: A's label, columns: B's label):", "",
           "| A \\ B | " + " | ".join(map(md_cell, classes)) + " |", "|---|" + "---:|" * len(r["classes"])]
    for a, (name, row) in enumerate(zip(r["classes"], r["changed"])):
        md.append(f"| {md_cell(name)} | " + " | ".join("—" if a == b else str(v) for b, v in enumerate(row)) + " |")
    return md + [""]


def by_group(y: np.ndarray, pred_a: np.ndarray, pred_b: np.ndarray, classes: list[str], values: list[str],
             n_boot: int = 1000, copy_of: list[int] | None = None) -> dict:
    """:func:`compare` within each group of films (``values``: one group name per film); with
    ``copy_of`` (convert.subgroups.copy_groups), a group holding copies says how many films it holds
    without them (``distinct_films``), which is what its 20 films are counted in."""
    from convert.subgroups import natural_order

    v = np.array(values, dtype=object)
    out = {}
    for g in natural_order(set(values)):
        out[g] = r = compare(y[v == g], pred_a[v == g], pred_b[v == g], classes, n_boot)
        if copy_of is not None and (distinct := len(set(np.asarray(copy_of)[v == g].tolist()))) < r["n"]:
            r["distinct_films"] = distinct
    return out


def group_markdown(column: str, groups: dict) -> list[str]:
    """compare.md's section for one --by column: B - A within each group."""
    md = [f"## By {md_cell(column)}", "", "B minus A within each group (a better model overall can be worse on one kind of film). "
          "A group of one class has no balanced accuracy: its columns give that class's sensitivity (the note says which).", "",
          *([line, ""] if (line := groups_unadjusted(len(groups))) else []),
          "| group | n | balanced accuracy A % | balanced accuracy B % | B - A (points, 95% CI) | right only by A | "
          "right only by B | McNemar p | note |", "|---|---:|---:|---:|---|---:|---:|---:|---|"]
    from convert.subgroups import MIN_FILMS, films

    for g, r in groups.items():
        fa, fb, diff, (lo, hi) = shown_difference(r)
        held = [c["class"] for c in r["per_class"]]  # the classes with films in this group
        few = "too few films" + (f" ({films(r)} without their copies)" if films(r) < r["n"] else "")
        notes = [f"{md_cell(held[0])} films only: {md_cell(held[0])} sensitivity"] * (len(held) == 1) + [few] * (films(r) < MIN_FILMS)
        n = f"{r['n']}{f' ({films(r)} distinct)' if films(r) < r['n'] else ''}"
        md.append(f"| {md_cell(g)} | {n} | {fixed(fa, 1, 100)} | {fixed(fb, 1, 100)} | {_pts(diff)} ({_pts(lo)} to {_pts(hi)}) | {r['only_a_right']} | "
                  f"{r['only_b_right']} | {p_text(r['mcnemar_p'], '')} | {'; '.join(notes)} |")
    return md + [""]
