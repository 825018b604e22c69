"""The advice for a class the model mostly missed: what its films were called, and what to do next.

Which advice fits depends on why the films were missed: a threshold rule that gave the labels, a
model that has not learnt its own archives, films of a source it learnt from that differ from its
training films, or a hospital it never saw. For the last two the sources of the missed films tell
them apart (misses_from_new_sources): after cxr-train --holdout-source, the data folder's films
left to score are the run's test films and the held-out source's, and the misses of the held-out
source are a new hospital's, though the folder is not new to the model. Pure functions.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from convert.report_text import md_names
from edge.decision import EXACT_DIGITS, fmt_threshold
from edge.figures import counted
from edge.output import rule_text
from edge.missed_films import missed_counts
from train.patients import text_key

MISSED_BELOW, MISSED_MIN_FILMS = 0.5, 10


def answers_text(row: list[int], k: int, classes: list[str]) -> str:
    """What class k's films were called, in counts: 'Lung_Opacity: 5 of 30 films called Lung_Opacity;
    13 called COVID, 8 called Normal', led by 'mostly called X' only where one wrong class has more
    than half of the films."""
    n = sum(row)
    wrong = sorted(((v, classes[j]) for j, v in enumerate(row) if j != k and v), key=lambda t: -t[0])
    lead = (f"{classes[k]} films here were mostly called {wrong[0][1]}: " if wrong and 2 * wrong[0][0] > n
            else f"{classes[k]}: ")
    return (lead + f"{row[k]} of {n} films called {classes[k]}"
            + ("; " + ", ".join(f"{v} called {c}" for v, c in wrong) if wrong else "") + ".")


def misses_text(name: str, called: dict[str, int], n: int) -> str:
    """'COVID films missed: 3 of 11 (called Normal 3)': where a class's missed films went, most first, in the card's
    counts (edge.missed_films.missed_counts). A Normal class's are its films given another class: 'Normal films
    called another class: 6 of 11 (...)'."""
    from edge.answer_worth import is_normal_class

    return f"{name} films {'called another class' if is_normal_class(name) else 'missed'}: {missed_counts(called, n)}"


def misses_lines(confusion: list[list[int]], classes: list[str], skip: set[int] | frozenset = frozenset()) -> list[str]:
    """With three or more classes, one line per class with missed films (rows of ``confusion``: the true class), naming
    where they went; classes in ``skip`` (a 'mostly called' advice line already counts them) left out. run4b's 3 of 11
    COVID films called Normal, the harm a reader of a 4-class model must see, stood only in a count table. With two
    classes a class's misses all go to the other, which its sensitivity already says."""
    if len(classes) < 3:
        return []
    return [misses_text(c, {classes[j]: int(v) for j, v in enumerate(row) if j != k}, int(sum(row)))
            for k, (c, row) in enumerate(zip(classes, confusion)) if k not in skip and sum(row) - row[k] > 0]


def mostly_missed(summary: dict) -> set[int]:
    """The classes missed_classes gives an advice line: 10+ films, most of them called something else."""
    return {k for k, row in enumerate(summary["per_class"]) if row["support"] >= MISSED_MIN_FILMS
            and row["sensitivity"] is not None and row["sensitivity"] < MISSED_BELOW}


def misses_from_new_sources(y: np.ndarray, predicted: np.ndarray, sources: list[str],
                            trained: dict | None, seen: list[str] | None = None) -> dict[int, dict[str, int]]:
    """Per true class (its index), its films called something else that name a source the model was
    never trained on, counted by source ({source: films}, most first). ``trained``: the model's
    training sources (convert.study_design.trained_sources); {} where it records none, since then no
    source can be told new. A source the run held out (--holdout-source) trained nothing: it counts. ``seen``: sources
    of films found among its training films (convert.source_training.seen_sources): not new, whatever their name."""
    known = (trained or {}).get("sources") or {}
    if not known:
        return {}
    keys = {text_key(s) for s in [*known, *(seen or [])]}
    out: dict[int, Counter] = {}
    for t, p, s in zip(np.asarray(y).tolist(), np.asarray(predicted).tolist(), sources):
        if t != p and s and text_key(s) not in keys:
            out.setdefault(int(t), Counter())[s] += 1
    return {k: dict(c.most_common()) for k, c in out.items()}


def source_counts(counts: dict[str, int], shown: int = 3) -> str:
    """'hannover: 16, site-b: 2 and 3 more sources', the most films first ('and 1 more source')."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    rest = len(ranked) - shown
    return ", ".join(f"{s}: {n}" for s, n in ranked[:shown]) + (f" and {counted(rest, 'more source')}" if rest > 0 else "")


NEW_SITE = ("this is what a model trained on public archives does at a hospital it never saw: train with some of "
            "that site's films, of every class (cxr-train --data ... --add-data FOLDER), and score it on the others.")
SAME_SOURCE = ("may differ from its training films in device, view or patients, or in their labels; check a few, and "
               "train with more such films of every class.")


def new_source_advice(missed: int, new: dict[str, int], seen_films: int) -> str:
    """The advice for a class whose ``missed`` films include ``new`` ones ({source: films}) from sources the
    model never trained on: the new hospital's advice for those, and for the others, if any, that their
    source is not new to it, each with its count."""
    n, rest = sum(new.values()), missed - sum(new.values())
    where = (f"{'a source' if len(new) == 1 else 'sources'} the model was never trained on ({source_counts(new)})")
    if not rest:
        return (f" {'The 1 missed film comes' if missed == 1 else f'All {missed} missed films come'} from {where}: "
                + NEW_SITE)
    folder = (f", and the model was trained or validated on {counted(seen_films, 'film')} of this folder (left out or "
              "marked above)" if seen_films else "")
    return (f" {n} of the {missed} missed films {'comes' if n == 1 else 'come'} from {where}: for "
            f"{'it' if n == 1 else 'them'}, {NEW_SITE} The other {rest} name{'s' if rest == 1 else ''} a source it was "
            f"trained on, or none{folder}: {'it' if rest == 1 else 'they'} {SAME_SOURCE}")


def missed_classes(summary: dict, classes: list[str], seen_films: int = 0,
                   rule: tuple[int, float] | None = None, design: str | None = None,
                   new_misses: dict[int, dict[str, int]] | None = None, foreign: bool = False) -> list[str]:
    """One advice line per class of 10+ films that the model called something else more often
    than not, with what it called them, in counts.

    On films of a hospital it never saw, a model trained on public archives calls most healthy
    films COVID (benchmarks/RESULTS.md, "A site's own films"); the remedy is that site's films
    in training, which the user would not otherwise know how to do. Where the labels follow a
    threshold ``rule`` (class index, threshold) that gave most of them, the rule is the first
    suspect; where the model was trained on ``seen_films`` films of the same folder, the site is
    not new to it, and so where every film comes from a source it trained on (``design`` internal,
    convert.study_design): then the model has not learnt its own archives, and a new site's films are
    no remedy. ``new_misses`` (misses_from_new_sources) says which missed films come from sources it
    never trained on: those get the new hospital's advice, whatever the folder's other films are, with
    their count beside that of the others. Otherwise the films may still come from a source it trained
    on, so the advice is conditional; for a ``foreign`` model (no cxr-edge metadata) whether they did is unknown,
    and its remedy is retraining it where it was made: cxr-train makes another model, not this one."""
    cm = np.array(summary["confusion_matrix"])
    # the rule as predictions.csv's rule column prints it: at 4 digits, rounded down, 'reaches 0.4151' held a film at
    # 0.41515 that the rule 0.41519 does not call
    t = "" if rule is None else fmt_threshold(rule[1], EXACT_DIGITS)
    out = []
    for k, row in enumerate(summary["per_class"]):
        if k not in mostly_missed(summary):
            continue
        called = max((j for j in range(len(classes)) if j != k), key=lambda j: cm[k, j])
        # A rule is a suspect only where it can give a label the most probable class would not: its class to
        # films where another is more probable (a threshold below 0.5), or another class to films of its class
        # that are most probably of it (a threshold above 1/K); else the most probable class misses them too.
        if rule is not None and called == rule[0] and rule[1] < 0.5:
            advice = (f" These labels follow the rule {rule_text(rule, classes)}: any film whose {classes[called]} "
                      f"probability reaches {t} is called {classes[called]}, so the rule's threshold comes "
                      "first: see the rule's section, or score with --most-probable to compare.")
        elif rule is not None and k == rule[0] and rule[1] > 1 / len(classes):
            advice = (f" These labels follow the rule {rule_text(rule, classes)}: a {classes[k]} film is called "
                      f"{classes[k]} only when its {classes[k]} probability reaches {t}, so the "
                      "rule's threshold comes first: see the rule's section, or score with --most-probable to compare.")
        elif new := (new_misses or {}).get(k):
            advice = new_source_advice(int(row["support"]) - int(cm[k, k]), new, seen_films)
        elif design == "internal" and not seen_films:
            advice = (" Every film here comes from a source the model was trained on: it has not learnt to tell "
                      f"{classes[k]} apart on its own archives (too few epochs or films, or labels that disagree), "
                      "and a new site's films would not mend that; check a few labels, and train longer or on more "
                      "films before scoring other sites.")
        elif seen_films:
            advice = (f" The model was trained or validated on {counted(seen_films, 'film')} of this folder (left out or "
                      "marked above), so its source is not new to it: these films may differ from those in device, view or "
                      "patients, or in their labels; check a few, and train with more such films of every class.")
        elif foreign:
            advice = (" A model not made by cxr-edge records no training films, so whether these films, or their "
                      "hospital, were among its training films is unknown. If this site is new to it, this is what a model "
                      "trained on public archives does at a hospital it never saw: retrain that model, where it was made, "
                      "with some of this site's films of every class, and score it on the others.")
        else:
            advice = (" If these films come from a hospital the model never saw, this is what a model trained on public "
                      "archives does there: train with some of that site's films, of every class (cxr-train --data ... "
                      "--add-data FOLDER), and score it on the others.")
        out.append(answers_text(cm[k].tolist(), k, classes) + advice)
    return out


def device_misses(models: dict, mode: str | None, classes: list[str]) -> list[str]:
    """report.md's top-block line, with three or more classes: where each class's missed test films went under the
    device's file (the mode the card describes), most probable class. A 4-class reader found 'COVID: 3 of 11 called
    Normal' only in the confusion matrix of a section further down (hunt 58 reader2, M4)."""
    m = models.get(mode) if mode else None
    if not m or not (lines := misses_lines(m.get("confusion_matrix") or [], classes)):
        return []
    rule = "; its stored rule changes them, see below" if m.get("decision") else ""
    return [f"Where each class's missed test films went (`model_{mode}.tflite`, most probable class{rule}): "
            + "; ".join(md_names(line, classes) for line in lines) + ".", ""]
