"""What report.md says about the films themselves before any figure: files that could not be read,
class folders matched to the model's labels, films that are copies of one another, copies filed
under two classes, and classes with too few films to judge.

A figure is only as good as the films behind it: a film counted twice narrows the intervals,
and a film filed under two classes is a labelling error that scores the model against both
answers at once. Pure functions, used by convert.report.evaluation_report and cxr-evaluate.
"""

from __future__ import annotations

from convert.report_text import md_cell, md_code
from train.hygiene import conflicts_text


def skipped_line(skipped: list[dict], shown: int = 3, where: str = "report.json") -> str:
    """The files n leaves out because they could not be read: otherwise only stderr and ``where`` say so."""
    one = len(skipped) == 1
    names = ", ".join(md_code(s["path"]) for s in skipped[:shown]) + (", ..." if len(skipped) > shown else "")
    return (f"**{len(skipped)} file{'' if one else 's'} could not be read and {'is' if one else 'are'} not scored** "
            f"({where} lists {'it' if one else 'them'}): {names}.")


def renamed_line(class_folders: dict[str, str], left_out: dict[str, int] | None = None,
                 labels: list[str] | None = None, answered: bool = False, models: int = 1,
                 not_used: str | None = None) -> str | None:
    """How cxr-evaluate matched the site's folder names to the model's labels, where any differ;
    with ``left_out`` (convert.site_folders.left_out_films), how many films were not scored, and
    that a model names every film as one of its ``labels``: in use such films get one of them
    (``answered``: the report's section "Classes left out" shows which; ``models``: how many are compared).
    ``not_used`` (convert.site_folders.not_used: masks/ folders too) ends it, in cxr-train's words."""
    renamed = {f: c for f, c in class_folders.items() if f != c}
    said = f"{md_cell(not_used[0].upper() + not_used[1:])}." if not_used else ""
    if not renamed:
        return said or None
    left_out = left_out or {}

    def films(f: str) -> str:
        return f" ({left_out[f]:,} film{'' if left_out[f] == 1 else 's'})" if f in left_out else ""

    line = "Class folders: " + "; ".join(f"{md_cell(f)} " + (f"left out{films(f)}" if c == "-" else f"scored as {md_cell(c)}")
                                         for f, c in sorted(renamed.items())) + "."
    if sum(left_out.values()) and labels:
        labels = [md_cell(c) for c in labels]  # report.md's line: text, never Markdown
        answers = " or ".join(labels) if len(labels) < 3 else f"one of {', '.join(labels[:-1])} or {labels[-1]}"
        line += (f" {'This model calls' if models == 1 else 'Each model calls'} every film {answers}: in use, films of the classes left out here get one of "
                 "those answers all the same (" + ("the section \"Classes left out\" shows which" if answered else
                                                   "edge-classify on their folder shows which") + ").")
    return f"{line} {said}" if said else line


def split_copies(groups: list[list[int]], files: list[str],
                 labels: list[str]) -> tuple[list[list[str]], list[list[dict]]]:
    """Groups of copies (item indices, train.code_distance.copies_within) split into those of one class
    (file paths) and label conflicts: the same film under two or more classes ({file, label} each)."""
    same, conflicts = [], []
    for g in groups:
        if len({labels[k] for k in g}) > 1:
            conflicts.append([{"file": files[k], "label": labels[k]} for k in g])
        else:
            same.append([files[k] for k in g])
    return same, conflicts


def _groups(n: int) -> str:
    return f"{n} group{'' if n == 1 else 's'}"


def copies_warning(twins: list[list[str]], where: str = "report.json") -> str | None:
    """One line on films of one class that are copies of one another (stderr and report.md)."""
    if not twins:
        return None
    from edge.output import said_name  # as conflicts_text names them: a newline in a name split the line

    return (f"{sum(map(len, twins))} films are copies of one another ({_groups(len(twins))}, the same bytes or "
            f"picture; e.g. {' = '.join(map(said_name, twins[0][:3]))}): each is scored as a separate film, so the intervals are "
            f"narrower than the films justify ({where} lists them)")


def test_copies(items: list) -> list[list[str]]:
    """Groups of a run's test films (train.data.Item) that are copies of one another: the same bytes,
    or copy codes within COPY_CODE_BITS (resized or re-encoded), as cxr-evaluate finds them.
    cxr-train keeps copies on one side of the split, so they meet in the test split, each scored
    as a film of its own."""
    from train.code_distance import copies_within

    return [sorted(items[k].path for k in g) for g in copies_within(items)]


def conflict_warning(conflicts: list[list[dict]], where: str = "report.json") -> str | None:
    """One line on the same film filed under two or more classes: a labelling error to fix before
    trusting any figure, since the model is scored wrong on one of its copies whatever it says."""
    if not conflicts:
        return None
    return (f"{conflicts_text(conflicts)}: at most one of those labels is right, and whatever the model answers, "
            f"it is scored wrong on at least one copy; fix the labels ({where} lists them under label_conflicts)")


def copy_lines(twins: list[list[str]], conflicts: list[list[dict]], where: str = "report.json") -> list[str]:
    """report.md's paragraphs on copies within the set, label conflicts first."""
    md = []
    if line := conflict_warning(conflicts, where):  # film names in it: escaped as a table's cells are
        md += [f"**Label conflict:** {md_cell(line)}.", ""]
    if line := copies_warning(twins, where):
        md += [f"**Copies:** {md_cell(line)}.", ""]
    return md


# Under 20 films of a class, its figures swing on a film or two: 18 of 20 right is 70-97% (Wilson), 2 of 3 is 21-94%.
FEW_FILMS = 20


def too_few_films(summary: dict) -> list[str]:
    """The classes scored here with fewer than FEW_FILMS films (a class with none is left to the
    per-class table's note: it has no figures to doubt, only missing ones)."""
    return [r["class"] for r in summary["per_class"] if 0 < r["support"] < FEW_FILMS]


def too_few_line(summary: dict) -> str | None:
    """The warning for a set too small to judge a model by, or None: after leaving out the films a model
    was trained on, 3 of 815 may remain, and full tables of figures on 3 films read as a verdict."""
    if not too_few_films(summary):
        return None
    counts = ", ".join(f"{r['support']} {r['class']}" for r in summary["per_class"] if r["support"])
    return (f"Too few films to judge: {summary['n']} film{'' if summary['n'] == 1 else 's'} scored ({counts}); "
            f"with fewer than {FEW_FILMS} films of a class its figures say little (see the widths of the intervals).")
