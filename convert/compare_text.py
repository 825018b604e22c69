"""cxr-compare's words (pure functions): the verdict line and what the interval and McNemar's test say together,
the caveats beside them, how each model labelled the films, and compare.md with its --by sections.

The statistics they report live in convert.compare (compare, by_group); kept apart so the numbers can be read
without the sentences, and the sentences changed without touching the numbers.
"""

from __future__ import annotations

from convert.equivalence import DEFAULT_MARGIN, end_text, equivalence, equivalence_words
from convert.compare_classes import class_note, groups_unadjusted, shown_difference, sides
from convert.seen_lines import seen_elsewhere, seen_line
from convert.study_design import compared_lines
from convert.set_notes import copy_lines, renamed_line, skipped_line
from edge.decision import describe
from edge.figures import counted, fixed, rounded_down
from edge.stored_rule_words import site_films_words
from convert.report_text import md_cell, md_names


def p_text(p: float, equals: str = "= ") -> str:
    """'= 0.031', or '< 1e-300' for a p too small for a float (over ~1,075 changed answers, all one way): never 0."""
    return f"{equals}{p:.3g}" if p > 0 else "< 1e-300"


def _pts(v: float | None) -> str:
    return "n/a" if v is None or v != v else f"{100 * v:+.1f}"


def _end(v: float | None) -> str:
    """An interval's end in points: an end off 0 shown off it (convert.equivalence.end_text)."""
    return "n/a" if v is None or v != v else end_text(100 * v)


def headline(r: dict, name=str) -> str:
    """The verdict in one line. On films of one class it is that class's sensitivity, named so: a model
    that calls more films COVID wins it, which a set without Normal films cannot hold against it. ``name``:
    how a class name is shown (compare.md's md_cell; as it is on the terminal)."""
    fa, fb, diff, (lo, hi) = shown_difference(r)
    one = name(r["only_class"]) if r.get("only_class") else None
    what = f"{one} films only: B - A {one} sensitivity" if one else "B - A balanced accuracy"
    levels = f"; A {fixed(fa, 1, 100)}%, B {fixed(fb, 1, 100)}%" if fa is not None and fb is not None else ""
    return (f"{what} {_pts(diff)} points (95% CI {_end(lo)} to "
            f"{_end(hi)}{levels}); right only by A {r['only_a_right']}, only by B {r['only_b_right']} "
            f"(McNemar p {p_text(r['mcnemar_p'])}); {r['answers_changed']} of {r['n']} answers differ"
            + (f"; too few films to judge ({r['n']})" if r.get("too_few_films") else ""))


def verdict(r: dict, name=str) -> str:
    """What the interval and McNemar's test say together, in one sentence under the headline: where they disagreed
    (an interval of -17.2 to -0.3 beside p = 0.278) compare.md gave only the paragraph on why they can (hunt 58, L6).
    Where neither favours a model, whether the films show the two equivalent within the gate's per-class margin
    (``r['equivalence']``), since "no difference found" is not "the same". ``name``: how a class name is shown."""
    interval, films = sides(r)  # which model the interval favours, which McNemar's test does; 0: neither
    inside, pt = ("includes" if interval == 0 else "excludes"), p_text(r["mcnemar_p"], "")
    if interval == films:  # neither: equivalent within the gate's margin, or not shown to be (convert.equivalence)
        same = r.get("equivalence") or equivalence(r.get("per_class") or [], DEFAULT_MARGIN,
                                                   "the default per-class limit of cxr-convert's gate", r.get("classes"))
        return (f"Here the interval {inside} 0 and McNemar's p is {pt}: "
                + (equivalence_words(same, name) if interval == 0 else
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
                               answered=bool(r.get("left_out_answers")), models=2, not_used=r.get("not_used")):
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
          *([f"**Warning: {md_cell(r['same_model'])}.**\n"] if r.get("same_model") else []), headline(r, md_cell) + ".", "", verdict(r, md_cell), "", *class_note(r, md_cell),
          *(f"**Warning: {md_names(w, names)}.**\n" for w in caveats(r)),
          *film_notes(r),
          "A difference whose interval includes 0, or a McNemar p above 0.05, is one these films cannot tell "
          "from chance; more films, or films from more sites, narrow it. Nor is it evidence that the two are alike: only "
          "intervals that lie within a margin are (the verdict's). The two can disagree. They ask different "
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
                  f"{_pts(c['difference'])} ({_end(lo)} to {_end(hi)}) | {c['only_a_right']} | {c['only_b_right']} |")
    md += ["", "Answers that changed (rows: A's label, columns: B's label):", "",
           "| A \\ B | " + " | ".join(map(md_cell, classes)) + " |", "|---|" + "---:|" * len(r["classes"])]
    for a, (name, row) in enumerate(zip(r["classes"], r["changed"])):
        md.append(f"| {md_cell(name)} | " + " | ".join("—" if a == b else str(v) for b, v in enumerate(row)) + " |")
    return md + [""]


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
        md.append(f"| {md_cell(g)} | {n} | {fixed(fa, 1, 100)} | {fixed(fb, 1, 100)} | {_pts(diff)} ({_end(lo)} to {_end(hi)}) | {r['only_a_right']} | "
                  f"{r['only_b_right']} | {p_text(r['mcnemar_p'], '')} | {'; '.join(notes)} |")
    return md + [""]
