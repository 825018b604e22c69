"""Figures per subgroup (view, sex, age, device, ward...): where a model that looks fine overall fails.

An overall figure averages over kinds of film that a model may treat very differently: portable
AP films of inpatients and PA films of outpatients, another manufacturer's detector, children,
the very old. A site needs each group's own figures, with intervals, before trusting the model on
that group. ``cxr-evaluate --by COLUMN,...`` takes the groups from MANIFEST.csv (any column, keyed
by its ``file`` column) or, for DICOM files, from their headers (ViewPosition, Manufacturer,
PatientSex, PatientAge in bands, ...). The per-source figures of cxr-convert and cxr-evaluate
(a MANIFEST.csv's source column) are the same computation; the advice for a class the model
mostly missed is convert.missed. Pure functions; which group each film is in comes from
convert.group_values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from convert.figures_md import fmt_ci
from convert.summary import shown_figure, summarize
from train.manifest import NOT_GIVEN
from convert.group_values import NOT_DICOM
from convert.report_text import md_cell

MIN_FILMS = 20    # below this a group's interval is too wide to say much; the table says so


def one_class(s: dict) -> str | None:
    """The class a group's films all belong to, or None when they hold two or more (or no record of it)."""
    present = s.get("classes_present")
    return present[0] if present is not None and len(present) == 1 else None


def balanced_accuracy_cell(s: dict) -> str:
    """A group's balanced accuracy with its 95% CI. A group of one class gets that class's
    sensitivity, named as such: its 'balanced accuracy' is that one figure, not comparable with a
    mean over classes. (A group whose classes are each all right or all wrong gets summarize's
    score-based interval, never the 100-100 a bootstrap of 2 right films would give.)"""
    value, ci = shown_figure(s)
    if c := one_class(s):
        return f"{md_cell(c)} sensitivity {fmt_ci(value, ci)}"  # report.md's: text, never Markdown
    return fmt_ci(value, ci)


def reference(s: dict, overall: dict) -> float | None:
    """The overall figure a group is held against, like with like: the mean of the overall
    sensitivities of the classes the group holds. For a group of every class that is the overall
    balanced accuracy; for a group of COVID films alone, the overall COVID sensitivity."""
    present = s.get("classes_present")
    if present is None:
        return overall["balanced_accuracy"]
    sens = {r["class"]: r["sensitivity"] for r in overall["per_class"]}
    values = [sens.get(c) for c in present]
    return None if not values or None in values else float(np.mean(values))


def copy_groups(files: list[str], twins: list[list[str]], conflicts: Sequence[list[dict]] = ()) -> list[int]:
    """Each film's copy group within the set (an index; the same for copies of one film): from the
    copies of one class (file paths) and the label conflicts (the same film under two classes, {file,
    label} each), as convert.set_notes.split_copies gives them."""
    index = {f: k for k, f in enumerate(files)}
    group = list(range(len(files)))
    for members in [*twins, *([c["file"] for c in g] for g in conflicts)]:
        known = [index[f] for f in members if f in index]
        for k in known:
            group[k] = known[0]
    return group


def films(s: dict) -> int:
    """A group's films, each counted once with its copies (``distinct_films``, where copies are in it):
    ten films scored twice over are ten films' worth of evidence, not twenty."""
    return s.get("distinct_films", s["n"])


def is_below(s: dict, overall: dict) -> bool:
    """Whether a group of at least MIN_FILMS films has its 95% interval wholly under its reference figure."""
    ci, ref = shown_figure(s)[1], reference(s, overall)
    return films(s) >= MIN_FILMS and bool(ci) and ci[1] is not None and ref is not None and ci[1] < ref


def classes_below(s: dict, overall: dict) -> list[str]:
    """The classes of which a group of several classes holds at least MIN_FILMS films and whose
    sensitivity interval lies wholly under that class's sensitivity over all films: a site whose
    COVID films are missed can hide behind its healthy films in balanced accuracy."""
    if len(s.get("classes_present") or []) < 2:
        return []  # one class: its balanced accuracy is that sensitivity, which is_below judges
    sens = {r["class"]: r["sensitivity"] for r in overall["per_class"]}
    distinct = s.get("distinct_per_class") or {}
    return [r["class"] for r in s["per_class"] if distinct.get(r["class"], r["support"]) >= MIN_FILMS
            and r["sensitivity_ci"][1] is not None
            and sens.get(r["class"]) is not None and r["sensitivity_ci"][1] < sens[r["class"]]]


BELOW = ("**below** marks a group whose 95% interval lies wholly under the same figure over all films (for a group "
         "of one class, that class's sensitivity over all films; for a group lacking a class, the mean sensitivity "
         "over all films of the classes it holds), and **C below** a class C whose sensitivity interval in the group "
         f"lies wholly under C's over all films; groups and classes of fewer than {MIN_FILMS} films have intervals too "
         "wide to judge. Each mark rests on one 95% interval of its own (a test per group, and per class within it), "
         "unadjusted for how many are made: a mark is a lead, not a finding.")


def note(s: dict, overall: dict | None = None) -> str:
    """A table row's note: too few films, **below** (is_below) and **C below** (classes_below), or
    nothing; without ``overall``, as per_source found them."""
    if films(s) < MIN_FILMS:
        return "too few films" + (f" ({films(s)} without their copies)" if films(s) < s["n"] else "")
    below = is_below(s, overall) if overall is not None else s.get("below_overall", False)
    classes = classes_below(s, overall) if overall is not None else s.get("classes_below", [])
    return ", ".join(["**below**"] * below + [f"**{md_cell(c)} below**" for c in classes])


def by_chance(groups: dict) -> list[str]:
    """With many groups some are marked by chance alone: each interval misses a group's true figure
    from above one time in 40, so of 40 groups no worse than the rest about one is marked anyway.
    Each class of a group is tested too (**C below**, classes_below): with 2 classes about three times
    as many marks come by chance as the groups' alone, and the count said must hold them all."""
    big = [s for s in groups.values() if films(s) >= MIN_FILMS]
    n = len(big)
    if n < 10:
        return []
    tests = n + sum(sum(1 for r in s.get("per_class") or []
                        if (s.get("distinct_per_class") or {}).get(r["class"], r["support"]) >= MIN_FILMS)
                    for s in big if len(s.get("classes_present") or []) >= 2)
    return [f"With {n} groups of {MIN_FILMS} films or more ({tests} tests: each group, and each class of "
            f"{MIN_FILMS} films or more in a group of several classes), about {tests / 40:.1f} marks (**below** or "
            "**C below**) would be made by chance alone even if none were worse: a mark says which films to look "
            "at first, not that the model fails there.", ""]


def _present(groups: dict, classes: list[str]) -> set[str]:
    """The classes any group's films hold: where one, each group's figure is its sensitivity, and a column per class
    would give it twice beside columns of n/a."""
    return {c for s in groups.values() for c in (s.get("classes_present") or classes)}


def _rows(groups: dict, classes: list[str], overall: dict | None, marks: dict[str, str] | None = None) -> list[str]:
    """Table rows: value (with its mark in bold, convert.source_training's), n, balanced accuracy, each class's
    sensitivity (none where one class is present), note."""
    each = len(_present(groups, classes)) > 1
    return [f"| {md_cell(value)}{_mark((marks or {}).get(value))} | {s['n']}{f' ({films(s)} distinct)' if films(s) < s['n'] else ''} | "
            f"{balanced_accuracy_cell(s)} | "
            + "".join(_found(r) + " | " for r in s["per_class"] if each)
            + f"{note(s, overall)} |" for value, s in groups.items()]


def _found(r: dict) -> str:
    """A class's sensitivity in a group with the films behind it, '50.0 (9.5–90.5), 1 of 2', as the operating-point
    table gives it: in a group of 8 films a reader could not tell 1 of 2 from 2 of 4 but by the interval's width."""
    rate = fmt_ci(r["sensitivity"], r["sensitivity_ci"])
    return f"{rate}, {r['tp']} of {r['support']}" if r.get("support") and "tp" in r else rate


def natural_order(values) -> list:
    """Group names in natural order, numbers as numbers: 'site 2' before 'site 10' (as text, 'site 1, 10, 11, 2')."""
    def key(v) -> tuple:  # re.split's parts alternate text, digits, text...: like compares with like
        return [int(t) if k % 2 else t for k, t in enumerate(re.split(r"(\d+)", str(v), flags=re.A))], str(v)
    return sorted(values, key=key)


def _head(first: str, classes: list[str], groups: dict) -> list[str]:
    """The table's heading; on a site of one class (its confirmed cases) every group's figure is that
    class's sensitivity, and is headed so, not 'balanced accuracy'."""
    present = _present(groups, classes)
    figure = f"{md_cell(next(iter(present)))} sensitivity" if len(present) == 1 else "balanced accuracy"
    each = classes if len(present) > 1 else []  # of one class: its sensitivity once, not again beside columns of n/a
    return [f"| {first} | n | {figure} % (95% CI) | " + "".join(f"{md_cell(c)} sens. % | " for c in each) + "note |",
            "|---|---:|---|" + "---|" * len(each) + "---|"]


def subgroup_section(column: str, groups: dict, overall: dict, classes: list[str],
                     per_source_table: dict | None = None) -> list[str]:
    """Markdown for one column: each group's n, balanced accuracy and per-class sensitivity with
    95% CIs (``groups``: value -> convert.summary.summarize, as convert.subgroups.per_source gives),
    marking groups whose interval lies wholly below the same figure over all films and groups too
    small to judge. Where ``per_source_table`` (the report's per-source figures) gives the very rows (--by
    source_repo, MANIFEST.csv's source column), a sentence referring to it: the same table twice, word for
    word, read as two findings."""
    rows = _rows(groups, classes, overall)
    if per_source_table and list(groups) == list(per_source_table) and rows == _rows(per_source_table, classes, None):
        return [f"## By {md_cell(column)}", "", f"The same groups, with the same figures and marks, as the \"Per source\" "
                f"table above: {md_cell(column)} is the column MANIFEST.csv names the films' sources by.", ""]
    ba = fmt_ci(*shown_figure(overall))
    figure = f"{md_cell(c)} sensitivity" if (c := one_class(overall)) else "balanced accuracy"
    return [f"## By {md_cell(column)}", "", f"Each group's own figures (overall {figure} {ba} %). "
            "A group of one class shows that class's sensitivity. " + BELOW, "", *_not_dicom(column, groups), *by_chance(groups),
            *_head("group", classes, groups), *rows, ""]


def _not_dicom(column: str, groups: dict) -> list[str]:
    """What (not DICOM) and (not given) each hold under a header attribute: 50 PNG exports' row read as 50 DICOM films
    missing the tag, while both were one group, (not given)."""
    if NOT_DICOM not in groups:
        return []
    return [f"{NOT_DICOM}: films that are not DICOM (PNG, JPEG, ...), which have no header to give {md_cell(column)}"
            + (f"; {NOT_GIVEN}: DICOM films whose header lacks it" if NOT_GIVEN in groups else "") + ".", ""]


def below_overall(groups: dict, overall: dict | None = None) -> list[str]:
    """Groups of at least MIN_FILMS films whose own interval lies wholly under the same figure over all
    films (**below**; without ``overall``, as per_source found it: e.g. ``below_overall(report["per_source"])``).
    A group where only a class is below is not one: classes_below_overall names those."""
    return [v for v, s in groups.items() if "**below**" in note(s, overall)]


def classes_below_overall(groups: dict, overall: dict | None = None) -> dict[str, list[str]]:
    """Each group of at least MIN_FILMS films with a class whose sensitivity interval lies wholly under
    that class's over all films (**C below**): a source whose balanced accuracy is the best may still
    miss its COVID films, and is not 'wholly below' for that."""
    return {v: cs for v, s in groups.items() if films(s) >= MIN_FILMS
            and (cs := classes_below(s, overall) if overall is not None else s.get("classes_below", []))}


def _mark(words: str | None) -> str:
    """A source's mark beside its name: in bold where the model never trained on it (the rows a reader looks for)."""
    return "" if not words else f" ({words})" if words == "trained on" else f" (**{words}**)"


def per_source(y: np.ndarray, probs: np.ndarray, classes: list[str], sources: list[str], n_boot: int,
               rule: tuple[int, float] | None = None, copy_of: list[int] | None = None) -> dict:
    """Each source's (or group's) summarize, with ``below_overall``: whether its interval lies
    wholly under the same figure over all these films (is_below), so that the per-source table
    and its callers can name the sources where a model learnt the hospital, not the disease.
    ``copy_of``: each film's copy group (the same number for copies of one film), so that a group
    holding copies says how many films it holds without them (``distinct_films``)."""
    overall = summarize(y, probs, classes, n_boot=0, rule=rule)  # point figures only: no interval is needed here
    out = {}
    # named before grouping: a blank source and one written as that name were two groups under one key, and
    # the second replaced the first's films in the table (73 of 122 films shown); named as --by names a blank
    named = [s.strip() or NOT_GIVEN for s in sources]
    src = np.array(named)
    for s in natural_order(set(named)):
        m = src == s
        out[s] = summary = summarize(y[m], probs[m], classes, n_boot=n_boot, rule=rule)
        if copy_of is not None and (distinct := len(set(np.asarray(copy_of)[m].tolist()))) < summary["n"]:
            summary["distinct_films"] = distinct
            summary["distinct_per_class"] = {c: len(set(np.asarray(copy_of)[m & (y == k)].tolist()))
                                             for k, c in enumerate(classes)}
        summary["below_overall"] = is_below(summary, overall)
        summary["classes_below"] = classes_below(summary, overall)
    return out


def per_source_section(per_source: dict, classes: list[str], scope: str = "", holdout: str | None = None) -> list[str]:
    """Markdown: metrics per source, marked as --by groups are (note) and by what the model's record says of each
    (convert.source_training: ``holdout``, the --holdout-source it was trained with), then the answers each
    source's films got. ``scope`` ends the heading, e.g. " (int8, test split)"."""
    from convert.source_training import marks, training_note

    rows = _rows(per_source, classes, None, marks(per_source))
    return [f"## Per source{scope}", "", "A model that learnt the hospital instead of the disease shows it here. " + BELOW,
            "", *training_note(per_source, holdout), *by_chance(per_source), *_head("source", classes, per_source), *rows, "",
            *answers_by_source(per_source, classes), ""]


def answers_by_source(per_source: dict, classes: list[str]) -> list[str]:
    """Markdown: each source's films of each true class, and the answers they got.

    Sensitivity per source hides what the errors are. Which answers a source's films get shows
    a model that sorts films by where they come from: on cxr-dev's 4 classes no child's film was
    called COVID and no adult's film Viral_Pneumonia (every viral pneumonia there is a child's),
    so an adult's viral pneumonia would never get that name (benchmarks/RESULTS.md)."""
    lines = ["Answers each source's films got (rows: a source's films of one true class; columns: the answer given). "
             "A class that a source's films never get, or one answer for all of them, is how a model that reads "
             "the film's origin shows itself.", "",
             "| source | true class | n | " + " | ".join(f"said {md_cell(c)}" for c in classes) + " | note |",
             "|---|---|---:|" + "---:|" * len(classes) + "---|"]
    alike = []
    for src, s in per_source.items():
        said = np.array(s["confusion_matrix"]).sum(axis=0)
        alike_all = int(said.max()) == int(said.sum())  # every film of the source, of every class, got one answer
        for k, row in enumerate(s["confusion_matrix"]):
            if sum(row):
                # All of a class right, where the source's other classes' films got other answers, is
                # a model telling them apart within one source: no sign of reading the origin.
                one = sum(row) >= ONE_ANSWER_FILMS and max(row) == sum(row) and (alike_all or row[k] == 0)
                alike += [src] * one
                lines.append(f"| {md_cell(src)} | {md_cell(classes[k])} | {sum(row)} | " + " | ".join(str(v) for v in row)
                             + f" | {'**one answer for all**' if one else ''} |")
    said_all = sum((np.array(s["confusion_matrix"]).sum(axis=0) for s in per_source.values()), np.zeros(len(classes), int))
    if alike and int(said_all.max()) == int(said_all.sum()):  # every film of every source: no source is singled out
        lines += ["", f"**One answer for all** the films here, of every source: the model gave every film "
                      f"{md_cell(classes[int(said_all.argmax())])}, so a source's films all getting it says nothing about that "
                      "source; the model does not tell these films apart at all."]
    elif alike:
        lines += ["", f"**One answer for all** the films of {', '.join(map(md_cell, dict.fromkeys(alike)))}: right or wrong, a "
                      "model that gives every film of a source the same answer may be reading where the film comes "
                      "from (its age group, its hospital's processing). Its figures there say more about the source "
                      "than about the disease: judge the model on the other sources' films of that class too."]
    return lines


ONE_ANSWER_FILMS = 20  # a source's films of one class, all given one answer, are marked from this many
