"""Whether a model's figures show that it tells the classes apart at all.

A model that gives nearly every film one answer scores near chance with a narrow interval
("balanced accuracy 50.0 (45.6-54.4) %"), which reads as a precise result rather than as a model
that reads nothing; and an interval that reaches down to chance does not show that the model
beats answers given without looking, while one wholly below chance shows a model that is systematically
wrong on these films (swapped labels or a wrong class map). Each is said in words beside the figures (cxr-evaluate,
cxr-convert). Pure functions of a summary (convert.summary.summarize)."""

from __future__ import annotations

from edge.figures import against_chance, fixed

ONE_ANSWER_SHARE = 0.95  # of the films given one class: a model that hardly looks
MIN_FILMS = 10


def chance_line(summary: dict, films: str = "these films") -> str | None:
    """The warning where the figures do not show the model telling the classes apart, else None."""
    present = summary.get("classes_present") or []
    if len(present) < 2:  # one class: its sensitivity, for which answering it always is no 'chance'
        return None
    classes = [r["class"] for r in summary["per_class"]]
    given = [sum(row[j] for row in summary["confusion_matrix"]) for j in range(len(classes))]
    chance = 1 / len(present)
    if line := one_answer_line(given, classes, len(present), films, intervals_shown=True):
        auc, (auc_lo, auc_hi) = summary.get("macro_auroc"), (summary.get("macro_auroc_ci") or [None, None])[:2]
        if auc is not None and auc_lo is not None and auc_lo > 0.5:  # 'AUROC 0.81' beside it read as a contradiction
            line += (f"; yet its AUROC, {fixed(auc, 2)} (95% CI {fixed(auc_lo, 2)} to {fixed(auc_hi, 2)}), shows that it ranks these films "
                     "better than chance: the labels its answers get are what fail here, and a threshold chosen on "
                     "labelled films like these (--operating-point) may recover part of it")
        return line
    lo, hi = (summary.get("balanced_accuracy_ci") or [None, None])[:2]
    if lo is None:
        return None
    where = against_chance(lo, hi, chance)
    if where == "below":
        return (f"balanced accuracy's 95% interval ({fixed(lo, 1, 100)} to {fixed(hi, 1, 100)}%) lies wholly below chance "
                f"({100 * chance:.1f}%, what answers given without looking at the films would score): the model is "
                f"systematically wrong on {films}, as if labels were swapped; check that each folder holds the class it "
                "is named for, and any --class-map")
    if where == "reaches":
        return (f"balanced accuracy's 95% interval ({fixed(lo, 1, 100)} to {fixed(hi, 1, 100)}%) reaches down to chance "
                f"({100 * chance:.1f}%, what answers given without looking at the films would score): {films} do not "
                "show that the model tells their classes apart")
    return None


def one_answer_line(given: list[int], classes: list[str], n_present: int, films: str = "these films",
                    who: str = "the model", intervals_shown: bool = False) -> str | None:
    """The warning where a model (``who``) gave (nearly) every film one answer (``given``: films given each class),
    on films of ``n_present`` classes; else None (cxr-evaluate's and cxr-convert's chance_line, and cxr-compare
    per model, which shows no interval of a model's own: ``intervals_shown``)."""
    n = sum(given)
    if n_present < 2 or n < MIN_FILMS:
        return None
    top = max(range(len(classes)), key=given.__getitem__)
    if given[top] < ONE_ANSWER_SHARE * n:
        return None
    return (f"{who} gave {given[top]:,} of the {n:,} films the answer {classes[top]}: it hardly tells the "
            f"classes apart on {films}, and its figures measure little else (chance for balanced accuracy is "
            f"{100 / n_present:.1f}%" + ("; a narrow interval around it is no precise result)" if intervals_shown else ")"))
