"""What a model answers for the films of class folders left out of its figures.

A COVID-or-Normal model has no answer for viral pneumonia: in use, a pneumonia film still gets
COVID or Normal, and which of the two it gets decides whether the model is safe where pneumonia
is common. cxr-evaluate and cxr-compare leave such folders out of every figure (``--class-map
Viral_Pneumonia=-``) and score their films here, so their reports show the answers those films
get (the section "Classes left out"; cxr-evaluate's left_out.csv lists them film by film).
cxr-convert does the same for the class folders of a run's data folder that it was not trained
on (cxr-train --classes COVID,Normal on the Kaggle set), and the card in each file says it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

from convert.frame_films import frame_counts
from convert.metrics import wilson_interval
from convert.site_folders import left_out_items
from edge.decision import labels_for
from edge.output import said_name
from edge.preprocess import PreprocessConfig
from train.data import Item
from train.scan import scan

# Films read and scored at a time: the inputs of 1,024 films are 16 MiB at 128 px, however many are left out.
CHUNK = 1024


def score_left_out(data_dir: Path, items: list[Item], models: list[tuple[Callable[[np.ndarray], np.ndarray], dict, object]],
                   done: Callable[[int], object] = lambda n: None
                   ) -> tuple[list[Item], list[np.ndarray], list[np.ndarray | None], list[dict]]:
    """Read and score ``items`` a chunk at a time with each of ``models`` (predict, preprocess dict,
    input check or None); models that preprocess alike share one reading. Returns the films read
    (by every model's preprocessing), each model's probabilities and unlikeness (None without a
    check), and the files that could not be read with their reasons."""
    read, skipped = [], []
    probs: list[list[np.ndarray]] = [[] for _ in models]
    unlike: list[list[np.ndarray]] = [[] for _ in models]
    for start in range(0, len(items), CHUNK):
        part = items[start:start + CHUNK]
        scans = {}
        for _, pre, _ in models:
            if (key := repr(sorted(pre.items()))) not in scans:  # copies: scan() fills in each item's hashes
                scans[key] = scan(data_dir, [replace(i) for i in part], PreprocessConfig.from_dict(pre), progress=False)
        ok = set.intersection(*({i.path for i in s.items} for s in scans.values()))
        skipped += list({b["path"]: b for s in scans.values() for b in s.skipped}.values())
        read += [i for i in next(iter(scans.values())).items if i.path in ok]
        for m, (predict, pre, check) in enumerate(models):
            res = scans[repr(sorted(pre.items()))]
            x = res.x[np.array([i.path in ok for i in res.items], bool)]
            if len(x):
                probs[m].append(predict(x))
                unlike[m].append(None if check is None else check.unlikeness(x))
        done(len(part))
    return (read, [np.concatenate(p) if p else np.zeros((0, 0)) for p in probs],
            [None if check is None else np.concatenate(u) if u else np.zeros(0) for u, (_, _, check) in zip(unlike, models)],
            skipped)


def answers_by_folder(folders: list[str], probs: np.ndarray, labels: list[str],
                      rule: tuple[int, float] | None = None, unlikeness: np.ndarray | None = None,
                      unreadable: dict[str, int] | None = None, seen: dict[str, int] | None = None,
                      seen_kept: bool = False, sources: list[str] | None = None,
                      frames: list[bool] | None = None) -> dict[str, dict]:
    """Per left-out folder: films scored, how many got each of the model's answers (under ``rule``,
    as the device labels them) with the share's 95% Wilson interval, films the input check flagged
    (unlikeness above 1), files that could not be read, and films the model was trained or
    validated on (``seen``, None where that could not be checked; left out of the films scored
    unless ``seen_kept``). With each film's source (``sources``), a folder whose films come from
    two sources or more gets the same counts per source ("by_source"): one archive's children and
    another's adults with the same finding may get opposite answers. ``frames``: whether each film is of several
    frames not all the same (convert.frame_films), counted per folder ("multi_frame_films"): such a film is scored
    on its frame 1 alone, maybe a bone image, and counted in its folder's shares all the same."""
    predicted = labels_for(probs, rule) if len(probs) else np.zeros(0, int)
    folder_of = np.array(folders, dtype=object)
    out = {}
    source_of = np.array(sources if sources is not None else [""] * len(folders), dtype=object)
    framed = np.array(frames if frames is not None else [False] * len(folders), bool)
    for folder in sorted(set(folders) | set(unreadable or {}) | set(seen or {})):
        mine = folder_of == folder
        out[folder] = {"films": int(mine.sum()), "called": _called(predicted[mine], labels),
                       "unreadable": int((unreadable or {}).get(folder, 0)),
                       "flagged_by_input_check": None if unlikeness is None else int((unlikeness[mine] > 1.0).sum()),
                       "seen_in_training": None if seen is None else int(seen.get(folder, 0)),
                       "seen_kept": bool(seen_kept), "multi_frame_films": int((framed & mine).sum())}
        if len(named := sorted(set(source_of[mine]) - {""})) > 1:
            out[folder]["by_source"] = {
                src: {"films": int(here.sum()), "called": _called(predicted[here], labels)}
                for src in named + ([""] if "" in set(source_of[mine]) else [])
                if (here := mine & (source_of == src)).any()}
    return out


def _called(predicted: np.ndarray, labels: list[str]) -> dict[str, dict]:
    """How many of these films got each answer, with the share's 95% Wilson interval."""
    n = len(predicted)
    called = {}
    for k, label in enumerate(labels):
        m = int((predicted == k).sum())
        lo, hi = wilson_interval(m, n) if n else (0.0, 0.0)
        called[label] = {"films": m, "share": m / n if n else None, "share_ci": [lo, hi] if n else None}
    return called


def left_out_answers(data_dir: Path, class_folders: dict[str, str], labels: list[str],
                     models: list[tuple[Callable[[np.ndarray], np.ndarray], dict, object, tuple[int, float] | None]],
                     progress: bool = True, seen_in: list[Path] | None = None, keep_seen: bool = False,
                     crops_in: str | None = None
                     ) -> tuple[list[dict[str, dict]], list[Item], list[np.ndarray], list[dict],
                                list[np.ndarray | None], dict[str, int]]:
    """The whole job for cxr-evaluate and cxr-compare: each model's (predict, with its columns in
    ``labels``' order; preprocess dict; input check or None; rule) answers_by_folder, the films read,
    each model's probabilities, the files that could not be read with their reasons, and each model's
    unlikeness of the films read (None without an input check), and the films scored that are of several frames
    not all the same with their counts (convert.frame_films.frame_counts: only the films scored are looked at),
    each scored on its frame 1 alone. Nothing at all when no folder is left out. ``seen_in``: the model files whose training and validation films
    are looked for among these (convert.seen; ``crops_in`` as there); unless ``keep_seen`` they are
    left out, since a film trained on under another label tells nothing of an unseen finding."""
    from train.progress import progress_bar

    items = left_out_items(data_dir, class_folders)
    if not items:
        return [], [], [], [], [], {}
    bar = progress_bar(len(items), "scoring the classes left out", progress)
    read, probs, unlike, skipped = score_left_out(data_dir, items, [m[:3] for m in models], bar.update)
    bar.close()
    unreadable: dict[str, int] = {}
    folder_of = {i.path: i.label for i in items}  # "train/Viral/x.png" is Viral's too
    for bad in skipped:
        unreadable[folder_of[bad["path"]]] = unreadable.get(folder_of[bad["path"]], 0) + 1
    seen = seen_films(seen_in or [], read, crops_in, progress)
    seen_by: dict[str, int] = {}
    if seen is not None:
        for it, was in zip(read, seen):
            seen_by[it.label] = seen_by.get(it.label, 0) + int(was)
        if not keep_seen and seen.any():
            read = [it for it, was in zip(read, seen) if not was]
            probs = [p[~seen] for p in probs]
            unlike = [None if u is None else u[~seen] for u in unlike]
    folders = [i.label for i in read]
    frames = frame_counts(data_dir, [i.path for i in read])  # each scored on its frame 1 alone: a bone image, maybe
    return ([answers_by_folder(folders, p, labels, m[3], u, unreadable, seen_by if seen is not None else None,
                               keep_seen, [i.source for i in read], [i.path in frames for i in read])
             for p, u, m in zip(probs, unlike, models)],
            read, probs, skipped, unlike, frames)


def seen_films(models: list[Path], items: list[Item], crops_in: str | None = None,
               progress: bool = False) -> np.ndarray | None:
    """Which items any of ``models`` was trained or validated on, by convert.seen (None: no model
    could be checked)."""
    from convert.seen import models_seen_parts

    parts, sources, _ = models_seen_parts([Path(m) for m in models], items, crops_in, progress)
    return np.array([p is not None for p in parts], bool) if sources else None


def one_model_answers(data_dir: Path, class_folders: dict[str, str], labels: list[str],
                      predict: Callable[[np.ndarray], np.ndarray], info: dict, rule: tuple[int, float] | None = None,
                      progress: bool = True, model: Path | None = None, keep_seen: bool = False,
                      crops_in: str | None = None) -> tuple[dict[str, dict], str, list[dict], dict[str, int]]:
    """cxr-evaluate's share: one model's (convert.evaluate.model_for) answers_by_folder, left_out.csv's
    text ("" when no film was read), the files that could not be read and the films scored of several frames
    not all the same (frame_counts); the films ``model`` (its file) saw in training are left out unless
    ``keep_seen``."""
    from convert.film_tables import left_out_csv

    answers, read, probs, skipped, unlike, frames = left_out_answers(
        data_dir, class_folders, labels, [(predict, info["preprocess"], info.get("typicality"), rule)], progress,
        [model] if model is not None else None, keep_seen, crops_in)
    return ((answers[0] if answers else {}),
            (left_out_csv(read, probs[0], labels, rule, unlike[0], frames) if read else ""), skipped, frames)


def unused_class_folders(data_dir: Path, classes: list[str], run_dir: Path | None = None) -> dict[str, str]:
    """The class folders of a run's data folder that are none of its classes, each mapped to '-'
    (cxr-train --classes COVID,Normal on the Kaggle set passes over Lung_Opacity and Viral Pneumonia)."""
    from train.class_folders import class_folder_names
    from train.class_names import LEAVE_OUT, same_class_key

    keys = {same_class_key(c) for c in classes}
    return {f: LEAVE_OUT for f in class_folder_names(Path(data_dir), run_dir) if same_class_key(f) not in keys}


def _renamed_class(data_dir: Path, folder: str, split_films: set[str], log: Callable[[str], None]) -> bool:
    """Whether ``folder``'s films are mostly among the run's split (by their bytes): Normal renamed
    Healthy after training was reported as a finding 'never trained on', its own test films with it."""
    from train.class_names import LEAVE_OUT
    from edge.digest import file_sha256

    items = left_out_items(data_dir, {folder: LEAVE_OUT})
    own = 0
    for it in items:
        try:
            own += file_sha256(Path(data_dir) / it.path) in split_films
        except OSError:
            continue
    if not items or 2 * own <= len(items):
        return False
    which = ("the one film" if len(items) == 1 else f"all {len(items)} films" if own == len(items)
             else f"{own} of the {len(items)} films")
    log(f"note: {which} in {said_name(folder + '/')} {'is' if own == 1 else 'are'} this run's own film{'' if own == 1 else 's'} (its "
        "split): not scored as a class it was not trained on (a class folder renamed since training?)")
    return True


def data_folder_answers(data_dir: Path, classes: list[str], preprocess: dict, files: dict[str, Path],
                        run_dir: Path | None = None, progress: bool = True, split_films: set[str] | None = None,
                        log: Callable[[str], None] = lambda line: None) -> dict | None:
    """What each converted file (mode -> .tflite, through edge as on the device, its stored rule
    applied) calls the films of its data folder's classes it was not trained on: for cxr-convert's
    report and the card each file carries. Films the run saw, cropped or mirrored copies too (as
    cxr-evaluate finds them), are left out. None where there are none, or the folder is gone.
    A folder whose films are mostly the run's own (``split_films``, their SHA-256) is a class folder
    renamed since training, not another finding: it is passed over, and said (``log``), as are films of several
    frames not all the same, each scored on its frame 1 alone ("multi_frame_films", as the test split's)."""
    from convert.frame_films import LEFT_OUT_SCORED_ON, frames_line, frames_record
    from edge.model import EdgeModel

    if not Path(data_dir).is_dir() or not (folders := unused_class_folders(data_dir, classes, run_dir)):
        return None
    if split_films:
        folders = {f: label for f, label in folders.items() if not _renamed_class(data_dir, f, split_films, log)}
        if not folders:
            return None
    models = {mode: EdgeModel(path) for mode, path in files.items()}
    answers, read, _, skipped, _, frames = left_out_answers(
        data_dir, folders, classes, [(m.classify, preprocess, m.typicality, m.decision) for m in models.values()], progress,
        seen_in=list(files.values())[:1], crops_in=str(data_dir))  # every mode's file comes from the one run
    if not read:
        return None
    if line := frames_line(data_dir, frames, LEFT_OUT_SCORED_ON):  # scored on frame 1, maybe a bone image
        log(f"warning: {line}")
    return {"data_dir": str(data_dir), "unreadable": len(skipped), "by_mode": dict(zip(models, answers)),
            "multi_frame_films": frames_record(frames)}
