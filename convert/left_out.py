"""What a model answers for the films of class folders left out of its figures.

A COVID-or-Normal model has no answer for viral pneumonia: in use, a pneumonia film still gets
COVID or Normal, and which of the two it gets decides whether the model is safe where pneumonia
is common. cxr-evaluate leaves such folders out of every figure (``--class-map
Viral_Pneumonia=-``), and scores their films here, so report.md shows the answers they get
(the section "Classes left out") and left_out.csv lists them film by film.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Callable

import numpy as np

from convert.metrics import wilson_interval
from edge.decision import labels_for
from edge.preprocess import PreprocessConfig
from train.data import Item, discover, scan

# Films read and scored at a time: the inputs of 1,024 films are 16 MiB at 128 px, however many are left out.
CHUNK = 1024


def left_out_items(data_dir: Path, class_folders: dict[str, str]) -> list[Item]:
    """The films of the folders mapped to '-', each labelled with its folder's name (its masks/ left aside)."""
    from convert.site_folders import left_out_films

    folders = [f for f, n in left_out_films(data_dir, class_folders).items() if n]  # an empty one is no error here
    if not folders:
        return []
    items, _, _ = discover(Path(data_dir), classes=folders, min_classes=1)
    return items


def score_left_out(data_dir: Path, items: list[Item], predict: Callable[[np.ndarray], np.ndarray],
                   config: PreprocessConfig, check=None,
                   done: Callable[[int], object] = lambda n: None) -> tuple[list[Item], np.ndarray, np.ndarray | None, list[dict]]:
    """Read and score ``items`` a chunk at a time: (films read, their probabilities, the input check's
    unlikeness or None, the files that could not be read with their reasons)."""
    read, probs, unlike, skipped = [], [], [], []
    for start in range(0, len(items), CHUNK):
        part = items[start:start + CHUNK]
        res = scan(data_dir, part, config, progress=False)
        skipped += res.skipped
        if res.items:
            read += res.items
            probs.append(predict(res.x))
            if check is not None:
                unlike.append(check.unlikeness(res.x))
        done(len(part))
    n_classes = probs[0].shape[1] if probs else 0
    return (read, np.concatenate(probs) if probs else np.zeros((0, n_classes)),
            (np.concatenate(unlike) if unlike else np.zeros(0)) if check is not None else None, skipped)


def answers_by_folder(folders: list[str], probs: np.ndarray, labels: list[str],
                      rule: tuple[int, float] | None = None, unlikeness: np.ndarray | None = None,
                      unreadable: dict[str, int] | None = None) -> dict[str, dict]:
    """Per left-out folder: films scored, how many got each of the model's answers (under ``rule``,
    as the device labels them) with the share's 95% Wilson interval, films the input check flagged
    (unlikeness above 1), and files that could not be read."""
    predicted = labels_for(probs, rule) if len(probs) else np.zeros(0, int)
    folder_of = np.array(folders, dtype=object)
    out = {}
    for folder in sorted(set(folders) | set(unreadable or {})):
        mine = folder_of == folder
        n = int(mine.sum())
        called = {}
        for k, label in enumerate(labels):
            m = int((predicted[mine] == k).sum())
            lo, hi = wilson_interval(m, n) if n else (0.0, 0.0)
            called[label] = {"films": m, "share": m / n if n else None, "share_ci": [lo, hi] if n else None}
        out[folder] = {"films": n, "called": called, "unreadable": int((unreadable or {}).get(folder, 0)),
                       "flagged_by_input_check": None if unlikeness is None else int((unlikeness[mine] > 1.0).sum())}
    return out


def _share(c: dict) -> str:
    if c["share"] is None:
        return "-"
    lo, hi = c["share_ci"]
    return f"{c['films']:,} ({100 * c['share']:.0f}%, {100 * lo:.0f}-{100 * hi:.0f})"


def answers_section(answers: dict[str, dict], labels: list[str]) -> list[str]:
    """report.md's section on the left-out folders' films: the answers they got, in a table."""
    if not answers:
        return []
    flagged = any(a["flagged_by_input_check"] is not None for a in answers.values())
    md = ["## Classes left out", "",
          "These films are in no figure above: the model has no answer for their class. In use it gives each such film "
          "one of its own answers all the same; the table shows which (percent, 95% interval), and left_out.csv lists "
          "them film by film. A finding called Normal goes unreported; one called another disease is a false call of "
          "that disease.", "",
          "| Folder | films | " + " | ".join(f"called {c}" for c in labels) + (" | flagged by the input check" if flagged else "")
          + " |", "|---|---:|" + "---:|" * (len(labels) + flagged)]
    for folder, a in answers.items():
        md.append(f"| {folder} | {a['films']:,} | " + " | ".join(_share(a["called"][c]) for c in labels)
                  + (f" | {a['flagged_by_input_check']:,}" if flagged else "") + " |")
    if unread := {f: a["unreadable"] for f, a in answers.items() if a["unreadable"]}:
        md += ["", "Not read: " + "; ".join(f"{n:,} file{'' if n == 1 else 's'} of {f}" for f, n in unread.items())
               + " (cxr-evaluate's stderr gives each reason)."]
    return md + [""]


def answers_line(folder: str, a: dict, labels: list[str]) -> str:
    """One stderr line per left-out folder: the answers its films got."""
    return f"{folder} ({a['films']:,} films, left out of the figures) called " + ", ".join(
        f"{c} {a['called'][c]['films']:,}" + (f" ({100 * a['called'][c]['share']:.0f}%)" if a["films"] else "")
        for c in labels)


def left_out_answers(data_dir: Path, class_folders: dict[str, str], predict: Callable[[np.ndarray], np.ndarray],
                     config: PreprocessConfig, labels: list[str], rule: tuple[int, float] | None = None, check=None,
                     progress: bool = True) -> tuple[dict[str, dict], str, list[dict]]:
    """The whole job for cxr-evaluate: (answers_by_folder, left_out.csv's text, unreadable files with
    their reasons); nothing when no folder is left out."""
    from train.progress import progress_bar

    items = left_out_items(data_dir, class_folders)
    if not items:
        return {}, "", []
    bar = progress_bar(len(items), "scoring the classes left out", progress)
    read, probs, unlike, skipped = score_left_out(data_dir, items, predict, config, check, bar.update)
    bar.close()
    unreadable: dict[str, int] = {}
    for bad in skipped:
        folder = Path(bad["path"]).parts[0]
        unreadable[folder] = unreadable.get(folder, 0) + 1
    return (answers_by_folder([i.label for i in read], probs, labels, rule, unlike, unreadable),
            left_out_csv(read, probs, labels, rule), skipped)


def left_out_csv(items: list[Item], probs: np.ndarray, labels: list[str],
                 rule: tuple[int, float] | None = None) -> str:
    """left_out.csv: one row per left-out film, for reviewing which of them got which answer."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["file", "folder", "predicted", *(f"p_{c}" for c in labels)])
    predicted = labels_for(probs, rule) if len(probs) else []
    for it, p, k in zip(items, probs, predicted):
        w.writerow([it.path, it.label, labels[int(k)], *(round(float(v), 4) for v in p)])
    return buf.getvalue()
