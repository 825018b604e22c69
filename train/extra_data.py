"""More labelled folders beside the main one: a site's own films joining cxr-dev in training.

A model trained on public archives calls most healthy films of a hospital it never saw COVID
(benchmarks/RESULTS.md). The remedy is that hospital's own confirmed films in training, beside
the public ones, so ``cxr-train --data cxr-dev --add-data my_site`` merges the two before the
split: duplicates are grouped across folders, the split is stratified over the union, and each
film keeps its source so the per-source figures and ``--holdout-source`` see the site apart.

A film of an added folder is recorded by its absolute path (``Path(data_dir) / path`` is then
the path itself), so split.json, the cache and every later command need nothing else.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from edge.figures import counted
from edge.output import said_name
from train.folder_level import data_folder_below
from train.class_folders import class_folder_names, unreachable_class_folders
from train.class_names import LEAVE_OUT, as_spelt, match_classes, parse_class_map, same_class_key
from train.data import DataError, Item
from train.discovery import discover
from train.empty_class_folders import empty_unknown, empty_unknown_text, holds_films, site_empty_hint
from train.manifest import read_manifest
from train.manifest_labels import disagreement_warning, label_disagreements


def folder_classes(d: str, folders: list[str], classes: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """Each class folder of the added folder ``d`` -> the run's class it stands for, or LEAVE_OUT:
    ``mapping`` (--class-map) first, then train.class_names' rules (exact, then ignoring case and
    punctuation). A folder of films that matches none is refused, as cxr-evaluate refuses it: left
    out quietly, a site's Healthy folder beside its COVID one made the site's films all COVID, which
    teaches the model that the site's look means COVID. An empty one never comes here: added_items
    passes over it with a note (empty_folders), as cxr-evaluate does since 0.58.0 (refused up to 0.57.0)."""
    try:
        return match_classes(folders, classes, mapping)
    except ValueError as e:
        raise DataError(f"--add-data {said_name(str(d))}: {e}".replace("the model's labels", "the run's classes")) from None


def add_folders(items: list[Item], data_dir: Path, dirs: list[str], classes: list[str],
                log=lambda msg: None, class_map: str | None = None) -> list[Item]:
    """The main folder's ``items`` and the films of every added folder, each with a source (so
    the per-source figures tell them apart: the folder's name where no MANIFEST.csv names one)."""
    if any(Path(d).resolve() == Path(data_dir).resolve() for d in dirs):
        raise DataError(f"--add-data names the --data folder {said_name(str(data_dir))} itself")
    roots = [("--data", Path(data_dir).resolve()), *(("--add-data", Path(d).resolve()) for d in dirs)]
    for k, (opt, a) in enumerate(roots):
        for opt_b, b in roots[k + 1:]:
            if a == b:
                raise DataError(f"--add-data {said_name(str(b))} is given twice: its films would be trained on, and scored, twice")
            inner, outer = (a, (opt_b, b)) if a.is_relative_to(b) else (b, (opt, a)) if b.is_relative_to(a) else (None, None)
            if inner is not None:
                raise DataError(f"{said_name(str(inner))} lies inside {outer[0]} {said_name(str(outer[1]))}: its films would be trained on, and scored, "
                                "twice; give one of them")
    main_name = Path(data_dir).resolve().name
    same = [d for d in dirs if Path(d).resolve().name == main_name]
    if same:
        raise DataError(f"--add-data {said_name(str(same[0]))} has the --data folder's name, {said_name(str(main_name))}, which is the source of "
                        "their films: rename one")
    main = [replace(i, source=i.source or main_name) for i in items]
    return main + added_items(dirs, classes, log, class_map)


def added_prefix(folder: str) -> str:
    """How the paths of an added folder's films begin (split.json records them absolute, POSIX)."""
    return Path(folder).resolve().as_posix() + "/"


def copies_line(folder: str, n: int) -> str:
    """cxr-train's line on the ``n`` films of an --add-data folder dropped as copies (cross_folder_copies)."""
    return (f"--add-data {said_name(str(folder))}: {counted(n, 'film')} "
            f"{'is a byte-for-byte copy of a film' if n == 1 else 'are byte-for-byte copies of films'} in --data or "
            f"in an --add-data folder whose full path sorts before it: {'it' if n == 1 else 'each'} is kept once, as "
            "that folder's")


def held_out_note(folder: str, n: int, holdout: str) -> str:
    """cxr-train's note where --holdout-source holds out all ``n`` films of an --add-data folder: none trains."""
    return (f"note: {'the one film' if n == 1 else f'all {n} films'} of --add-data {said_name(str(folder))} {'is' if n == 1 else 'are'} "
            f"held out by --holdout-source {holdout!r}: {'it does not train' if n == 1 else 'none of them trains'} the model")


def parts_line(folder: str, n: dict[str, int]) -> str:
    """How many of an --add-data folder's films each part of the split took: those in validation and test do not
    train the model."""
    def verb(part: str, word: str) -> str:
        return f"{word}s" if n[part] == 1 else word

    return (f"--add-data {said_name(str(folder))}: {counted(n['train'], 'film')} {verb('train', 'train')} the model, "
            f"{n['val']} {verb('val', 'validate')} it, {n['test']} {verb('test', 'test')} it")


def cross_folder_copies(items: list[Item], dirs: list[str]) -> tuple[list[bool], dict[str, int], list[dict]]:
    """(keep each scanned item, copies dropped per added folder, the copies dropped): a film whose
    bytes are those of a film in --data or in an earlier --add-data folder is kept once, as the first
    folder's (cxr-train lists them by full path, so the order typed changes nothing). The same film twice would weigh double in training and, in the test split, be scored
    twice under two sources. Copies within one folder stay, grouped on one side of the split as
    before. Each copy dropped is {file, label, sha256, copy_of, copy_label}: run.json keeps them, so
    that a copy filed under another class is said as a label conflict, and a later call knows them."""
    roots = [added_prefix(d) for d in dirs]

    def folder(it: Item) -> int:
        return next((k + 1 for k, r in enumerate(roots) if it.path.startswith(r)), 0)  # 0: --data

    first: dict[str, tuple[int, Item]] = {}
    keep, dropped, copies = [], {d: 0 for d in dirs}, []
    for it in items:
        f = folder(it)
        owner, kept = first.setdefault(it.sha256, (f, it))
        keep.append(owner == f)
        if owner != f:
            dropped[dirs[f - 1]] += 1
            copies.append({"file": it.path, "label": it.label, "sha256": it.sha256, "copy_of": kept.path,
                           "copy_label": kept.label})
    return keep, {d: n for d, n in dropped.items() if n}, copies


def copy_conflicts(conflicts: list[list[dict]], copies: list[dict]) -> list[list[dict]]:
    """label_conflicts' groups with the dropped cross-folder copies filed under another class added:
    each joins its kept film's group, or makes a new one with it."""
    groups = [list(g) for g in conflicts]
    for c in (c for c in copies if c["label"] != c["copy_label"]):
        group = next((g for g in groups if any(m["file"] == c["copy_of"] for m in g)), None)
        if group is None:
            groups.append(group := [{"file": c["copy_of"], "label": c["copy_label"]}])
        group.append({"file": c["file"], "label": c["label"]})
    return groups


def site_notes(d: str, counts: dict[str, int]) -> list[str]:
    """The warnings a site's films of each class call for: one class only (its look alone then says
    that class), or few films of a class."""
    notes = []
    if sum(n > 0 for n in counts.values()) == 1:
        only = next(c for c, n in counts.items() if n)
        notes.append(f"warning: --add-data {said_name(str(d))} holds {only} films only, so its look alone says {only}: on cxr-dev, 15 "
                     "healthy films of a new source alone made a model call 29% to 39% of that source's pneumonia films "
                     "Normal, and with 15 of its pneumonia films too, 15% to 19% (benchmarks/RESULTS.md, \"A site's own "
                     "films\"). Add the site's films of the other classes if you can")
    few = [f"{n} {c}" for c, n in counts.items() if 0 < n < FEW]
    if few:
        notes.append(f"note: --add-data {said_name(str(d))} holds few films of a class ({', '.join(few)}): on cxr-dev, 5 healthy films of "
                     f"a new source added made a model call 77% and 88% of that source's other healthy films Normal, {FEW} "
                     "made it 97% and 98% (benchmarks/RESULTS.md, \"A site's own films\")")
    return notes


def read_counts_notes(d: str, listed: list[Item], read: list[Item], classes: list[str]) -> list[str]:
    """What to say of an added folder once its films are decoded and copies of other folders' films
    dropped (``listed``, ``read``: its films before and after): the counts, where they changed, and
    the warnings the new counts call for that the listed ones did not."""
    before = {c: sum(i.label == c for i in listed) for c in classes}
    after = {c: sum(i.label == c for i in read) for c in classes}
    if after == before:
        return []
    said = set(site_notes(d, before))
    return [f"--add-data {said_name(str(d))}: {', '.join(f'{n} {c}' for c, n in after.items() if n) or 'no film'} once read "
            f"({len(listed) - len(read)} unreadable or copies of films in another folder)",
            *(n for n in site_notes(d, after) if n not in said)]


def empty_folders(root: Path, classes: list[str], mapping: dict[str, str]) -> tuple[list[str], list[str]]:
    """(passed over, not read): an added folder's class folders that hold no images and are none of the run's
    classes (said in a note, as cxr-evaluate says them: they add nothing and hide no film), and those --class-map
    leaves out that hold none (never read, as cxr-evaluate never reads them). Any other empty class folder is
    refused by discovery: one of the run's own classes, or one mapped to a class, was meant to hold films."""
    folders = class_folder_names(root)
    passed = empty_unknown(root, folders, classes, mapping)
    lost = {p.name for p, _ in unreachable_class_folders(root)}  # named by discovery: its films may be there
    spelt = as_spelt(mapping, folders, classes)
    return passed, [f for f in folders if spelt.get(f) == LEAVE_OUT and f not in lost and not holds_films(root, f)]


def _classes_of(folders: list[str], classes: list[str], mapping: dict[str, str]) -> list[str]:
    """The run's classes that an added folder's class ``folders`` stand for, for a message; their own names where
    one stands for none (refused later, with its own words)."""
    try:
        return sorted({c for c in match_classes(folders, classes, mapping).values() if c != LEAVE_OUT})
    except ValueError:
        return sorted(folders)


FEW = 15  # a site's films of one class; fewer did less on cxr-dev (RESULTS.md, "A site's own films")


def added_items(dirs: list[str], classes: list[str], log=lambda msg: None, class_map: str | None = None) -> list[Item]:
    """The films of each added folder whose class folder stands for one of ``classes``
    (``class_map``: --class-map's FOLDER=CLASS,... for the folders whose names do not say it).

    Paths are absolute; a film without a MANIFEST.csv source gets the folder's name as its
    source. Raises DataError for a folder that does not exist, has its own train/test folders
    (its split could not be honoured in the union), a class folder of films that matches no class
    and is not mapped, an empty class folder of one of ``classes`` or mapped to one, or none of the
    run's classes. An empty class folder of no class, or left out with FOLDER=-, is passed over.
    """
    try:
        mapping = parse_class_map(class_map)
    except ValueError as e:
        raise DataError(str(e)) from None
    out: list[Item] = []
    folders_seen: set[str] = set()
    names: dict[str, Path] = {}
    for d in dirs:
        root = Path(d).resolve()
        if not root.is_dir():
            raise DataError(f"--add-data {said_name(str(d))}: no such folder")
        if root.name in names and names[root.name] != root:
            raise DataError(f"--add-data {said_name(str(names[root.name]))} and {said_name(str(root))} have the same name, which is the source "
                            "of their films: rename one")
        names[root.name] = root
        passed, unread = empty_folders(root, classes, mapping)
        if passed:
            log(f"note: --add-data {said_name(str(d))}: not used: {empty_unknown_text([said_name(f) for f in passed], 'run')}")
        # the rest checked below, against the classes: any other empty class folder stops the run
        read = sorted(set(class_folder_names(root)) - set(passed) - set(unread)) if passed or unread else None
        if read == []:
            raise DataError(f"--add-data {said_name(str(d))} holds no class folder among {', '.join(classes)}")
        items, given, _ = discover(root, classes=read, min_classes=1, check_labels=False, leave_out_hint=False,
                                   empty_hint=lambda empty: site_empty_hint(
                                       str(d), empty, _classes_of(empty, classes, mapping),
                                       _classes_of([f for f in read or class_folder_names(root) if f not in empty],
                                                   classes, mapping)))
        if given is not None:
            raise DataError(f"--add-data {said_name(str(d))} has its own train/test folders; add a folder of class folders instead "
                            "(the run makes one split over all the data)")
        if below := data_folder_below(root, sorted({i.label for i in items}), classes, mapping):
            raise DataError(f"--add-data {said_name(str(d))}: {below}")
        matched = folder_classes(d, sorted({i.label for i in items} | set(unread)), classes, mapping)
        folders_seen.update(matched)
        for folder, label in sorted(matched.items()):
            if label == LEAVE_OUT:
                log(f"--add-data {said_name(str(d))}: class folder {said_name(str(folder))} left out (--class-map {said_name(str(folder))}=-)")
            elif folder != label:
                log(f"--add-data {said_name(str(d))}: class folder {said_name(str(folder))} taken as {label}")
        kept = [replace(i, path=(root / i.path).as_posix(), label=matched[i.label], source=i.source or root.name)
                for i in items if matched[i.label] != LEAVE_OUT]
        # a row may name the class a folder stands for (Normal for Healthy/) or the folder itself (Healthy)
        folder_of = {i.path: i.label for i in items}
        said = [(path, label) for path, label in label_disagreements(
            [replace(i, label=matched[i.label]) for i in items if matched[i.label] != LEAVE_OUT], read_manifest(root)[1])
            if same_class_key(label) != same_class_key(folder_of[path])]
        if said:
            log(disagreement_warning(root, said))
        if not kept:
            raise DataError(f"--add-data {said_name(str(d))} holds no class folder among {', '.join(classes)}")
        counts = {c: sum(i.label == c for i in kept) for c in classes}
        log(f"--add-data {said_name(str(d))}: " + ", ".join(f"{n} {c}" for c, n in counts.items() if n))
        for note in site_notes(d, counts):
            log(note)
        out.extend(kept)
    for name in (m for m in mapping if same_class_key(m) not in {same_class_key(f) for f in folders_seen}):
        log(f"warning: --class-map {said_name(name)}={said_name(mapping[name])}: no class folder of "
            f"{', '.join(map(said_name, dirs))} is named {said_name(name)}; ignored")  # as typed: one line still
    return out
