"""The data of one training run: the labelled films found, decoded once, audited, grouped by
duplicates and split (prepare_data). A student's, its teacher's frozen split, is train.teacher_split's."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from edge.controls import label_problem
from edge.dicom_view import headers_warning
from edge.frames import frames_warning
from edge.output import shown
from edge.preprocess import PreprocessConfig
from edge.synthetic_words import drawn_among
from train.audit import shortcut_audit, summary_line
from train.class_choice import as_folders, classes_option, composed_labels
from train.class_folders import left_out_text
from train.crop_copies import crop_and_mirror_pairs
from train.data_warnings import heard, hearing
from train.skipped_files import say_skipped
from train.data import DataError, Item, Split
from train.discovery import discover
from train.scan import Scan, scan
from train.holdout import hold_out, holdout_emptied, holdout_line, no_holdout_match
from train.dicom_patients import film_header, headers_read_once
from train.patient_folders import patient_folders_warning
from train.patients import split_units
from train.split import name_order, stratified_split
from train.extra_data import (add_folders, added_prefix, copies_line, copy_conflicts, cross_folder_copies, held_out_note,
                              parts_line, read_counts_notes)
from train.hygiene import conflicts_text, cross_split_duplicates, duplicate_groups, duplicates_text, label_conflicts
from train.film_changes import data_fingerprint, film_stamps, films_changed, sources_changed, sources_digest
from train.split_notes import few_units_text, split_warnings, units_in_parts
from edge.output import said_name

if TYPE_CHECKING:
    from train.run import TrainSettings


def log(msg: str) -> None:
    print(f"cxr-train: {msg}", file=sys.stderr, flush=True)
    heard(msg)  # a data phase's warning, kept for a stopped call run again (train.data_warnings)


def prepare_data(s: TrainSettings, config: PreprocessConfig) -> tuple[Split, dict[str, np.ndarray], dict]:
    """Discover, scan once, group duplicates, split; return the split, inputs per part, and notes (with the
    warnings said on the way). Each DICOM header is read once for all the checks that ask
    (train.dicom_patients.headers_read_once)."""
    with headers_read_once(), hearing() as warnings:
        split, arrays, notes = _prepare_data(s, config)
    return split, arrays, {**notes, "warnings": warnings}  # said again by a stopped call run again (train.prepared)


def _prepare_data(s: TrainSettings, config: PreprocessConfig) -> tuple[Split, dict[str, np.ndarray], dict]:
    synthetic = s.data == "synthetic"
    data_dir = Path(s.out) / "synthetic-data" if synthetic else Path(s.data)
    if synthetic:
        from train.synthetic_set import drop_other_classes, generate

        classes = s.classes or ["Normal", "COVID"]
        log(f"generating the built-in SYNTHETIC set ({s.synthetic_count} per class) in {said_name(str(data_dir))}")
        generate(data_dir, n_per_class=s.synthetic_count, classes=classes, seed=s.seed)
        drop_other_classes(data_dir, classes)
    # the synthetic set's classes in --classes' order, else by name as for any folder (COVID, Normal)
    items, given, layout, classes = find_films(data_dir, (s.classes or sorted(classes)) if synthetic else s.classes,
                                               s.add_data, log, out=Path(s.out), class_map=s.class_map)
    taken = time.time_ns()
    data = {**data_fingerprint(film_stamps(data_dir, items), taken),
            "sources_sha256": sources_digest([data_dir, *s.add_data], items)}
    res = scan(data_dir, items, config, s.progress, crops=True)
    say_skipped(res.skipped, len(items), log)
    answers = " or ".join(classes) if len(classes) < 3 else f"one of {', '.join(classes[:-1])} or {classes[-1]}"
    if line := headers_warning(data_dir, [i.path for i in res.items], "trained on all the same: a model taught that such a "
                               f"film is {answers} answers as if it were one; move such films out", said=lambda f: film_header(f)[1]):
        log(f"warning: {line}")  # edge.dicom_view: the device flags such films, whatever it was trained on
    if line := frames_warning(data_dir, [i.path for i in res.items]):  # edge.frames: the device notes it per answer
        # a warning, as cxr-evaluate and cxr-compare say these films: it asks for a check (a bone image trained on as
        # a chest film teaches the model that), where edge-classify's per-film note only says which frame it answered
        log(f"warning: {line}")
    unread = [c for c in classes if not any(i.label == c for i in res.items) and any(i.label == c for i in items)]
    if unread:  # every file of a class failed to decode: say that, not that the split is too small
        raise DataError(f"no file of class {', '.join(unread)} could be read (the reasons are above): fix or replace "
                        "those files")
    copies: list[dict] = []
    if s.add_data:
        keep, dropped, copies = cross_folder_copies(res.items, s.add_data)
        for folder, n in dropped.items():
            log(copies_line(folder, n))
        res = res.take(np.array(keep, bool))
        for folder in s.add_data:  # the counts and warnings of the listing, where reading changed them
            ours = lambda films: [i for i in films if i.path.startswith(added_prefix(folder))]  # noqa: E731
            for note in read_counts_notes(folder, ours(items), ours(res.items), classes):
                log(note)
    items = res.items
    cropped, mirrored = crop_and_mirror_pairs(*res.crops, progress=s.progress)
    groups, hygiene = duplicate_groups([i.sha256 for i in items], res.dhash, res.thumbs, cropped=cropped,
                                       mirrored=mirrored, progress=s.progress)
    if hygiene["duplicate_groups"]:
        log(f"warning: {duplicates_text(hygiene)}; each group is kept within one split")
    hygiene["label_conflicts"] = copy_conflicts(label_conflicts(groups, [i.path for i in items], [i.label for i in items]),
                                                copies)
    if copies:  # a later call knows them as films of this run (train.resume)
        hygiene["cross_folder_copies"] = copies
    if conflicts := hygiene["label_conflicts"]:
        log(f"warning: label conflict: {conflicts_text(conflicts)}: the model is taught both answers for it; fix the "
            "labels (run.json lists them under data_hygiene.label_conflicts)")
    # the split's units: copies of a film, joined by patient where MANIFEST.csv names them (train.patients)
    units, hygiene["patients"] = split_units([i.path for i in items], groups, data_dir, given, log, s.add_data)
    index = {id(it): k for k, it in enumerate(items)}
    external: list[Item] = []
    left_out: list[Item] = []
    if s.holdout_source:
        external, left_out, hygiene["holdout_left_out"] = hold_out(s.holdout_source, items, units, groups)
        if not external:
            raise DataError(no_holdout_match(s.holdout_source, items))
    ext_ids = {id(it) for it in [*external, *left_out]}  # left-out films: the held-out patients' films filed elsewhere
    kept = [it for it in items if id(it) not in ext_ids]
    if emptied := holdout_emptied(s.holdout_source, kept, external, classes):
        raise DataError(emptied)  # before 'holding out N images ... as an external set', which said it would go on
    if s.holdout_source:
        log(holdout_line(s.holdout_source, external, hygiene["holdout_left_out"]))
    for folder in s.add_data:
        added = [it for it in items if it.path.startswith(added_prefix(folder))]
        if added and all(id(it) in ext_ids for it in added):
            log(held_out_note(folder, len(added), s.holdout_source))
    # The audit looks at what the model learns from: the held-out films are scored, never trained on.
    audit = shortcut_audit([res.traits[index[id(it)]] for it in kept],
                           np.array([classes.index(i.label) for i in kept]), classes)
    if audit["warn"]:
        log(f"warning: {summary_line(audit)}. A model can score by recognising the archive instead of the lungs; "
            "compare the per-source results and validate on another site (cxr-evaluate)")
    parts = stratified_split(kept, [units[index[id(it)]] for it in kept], s.seed, s.val_fraction, s.test_fraction, given,
                             log=log)
    for name in ("train", "val", "test"):
        missing = [c for c in classes if not any(i.label == c for i in parts[name])]
        if missing and given is not None and (folder := given_folder(given, name)):
            raise DataError(f"the given {folder}/ folder holds no images of class {', '.join(missing)} (a {folder}/"
                            f"{missing[0]} folder is missing or empty, or its films are copies of films given in another "
                            f"folder, which went with them: see any warning above): a split given in folders needs every class "
                            f"in train/ and test/" + (" and val/" if name == "val" else ""))
        if missing:
            # enough films, but of one or two patients (or a film and its copies): more of theirs would not help
            by_patient = hygiene["patients"] is not None
            few = next(((c, text) for c in missing if (text := few_units_text(
                c, [units[index[id(it)]] for it in kept if it.label == c], by_patient))), None)
            why = few[1] if few else (f"too few images (need at least ~"
                                      f"{int(np.ceil(2 / min(s.val_fraction, s.test_fraction)))} per class)")
            more = f"{few[0]} {'from other patients' if by_patient else '(not copies)'}" if few else missing[0]
            raise DataError(f"the {name} split has no images of class {', '.join(missing[:5])}"
                            f"{f' and {len(missing) - 5} more' if len(missing) > 5 else ''}: {why}"
                            + (folders_not_classes(classes, [i.label for i in kept]) or (
                                f"; add films of {more}, or train without it: "
                                f"{classes_option(c for c in classes if c not in missing)}"
                                if len(classes) - len(missing) >= 2 else "")))
    # a part's films of a class that are few patients' (or a film and its copies): kept in split.json for a student
    few_units = units_in_parts(parts, lambda it: units[index[id(it)]], hygiene["patients"] is not None)
    for note in split_warnings(parts, classes, few_units):
        log(f"warning: {note}")
    for folder in s.add_data:  # a site's films in validation and test do not train the model: say how many do
        root = added_prefix(folder)
        n = {p: sum(i.path.startswith(root) for i in parts[p]) for p in ("train", "val", "test")}
        if sum(n.values()):
            log(parts_line(folder, n))
    if external:
        parts["external"] = sorted(external, key=name_order)
    hygiene["groups_across_splits"] = cross_split_duplicates(
        {k: [index[id(i)] for i in v] for k, v in parts.items()}, groups)
    from train.synthetic_set import synthetic_folders, unfinished_line

    given = [*([] if synthetic else [data_dir]), *map(Path, s.add_data)]
    made_by_synth = synthetic_folders(given)
    if made_by_synth:  # cxr-synth's output: the model is as synthetic as one trained on --data synthetic
        log(f"note: {', '.join(made_by_synth)} holds SYNTHETIC images (its README.md says cxr-synth wrote it): the "
            "model is marked as trained on synthetic images, and its figures say nothing about real X-rays")
    # and every folder given: a README.md there that is a FIFO or a folder is said (unread)
    for line in filter(None, map(unfinished_line, dict.fromkeys([*made_by_synth, *map(str, given)]))):
        log(f"warning: {line}")
    drawn, of = drawn_films(res, parts), sum(map(len, parts.values()))
    # cxr-synth's films known by their own mark: copied without their README, or among real films
    if drawn and not synthetic and not (made_by_synth and len(drawn) == of):
        n = len(drawn)
        log(f"note: {drawn_among(n, of)} by cxr-synth (e.g. "
            f"{shown(drawn[0])}; marked in the file, or named synthetic-CLASS-NNNN.png): the model is marked as "
            f"trained on {'' if n == of else 'partly '}synthetic images, and its figures say nothing about real X-rays")
    notes = {"synthetic": synthetic or bool(made_by_synth) or bool(drawn), "holdout_source": s.holdout_source,
             "added_data": [str(Path(d).resolve()) for d in s.add_data]}
    if few_units:
        notes["few_units"] = few_units
    if drawn and not synthetic:
        notes["synthetic_share"] = {"synthetic": len(drawn), "of": of}
    split = Split(str(data_dir.resolve()), classes, parts, layout, s.seed, notes)
    arrays = {k: res.x[[index[id(i)] for i in v]] for k, v in parts.items()}
    return split, arrays, {"hygiene": hygiene, "skipped": res.skipped, "audit": audit, "data": data}


def drawn_films(res: Scan, parts: dict[str, list[Item]]) -> list[str]:
    """The paths of the split's films that are cxr-synth's drawings (train.synthetic_mark), sorted."""
    ours = {id(it) for it, d in zip(res.items, res.drawn if res.drawn is not None else ()) if d}
    return sorted(i.path for part in parts.values() for i in part if id(i) in ours)


def given_folder(given: dict[str, str], part: str) -> str | None:
    """The name of the given folder whose films make up ``part`` (e.g. "Testing"), or None where
    cxr-train drew that part itself (val carved from a given train/)."""
    return next((path.split("/", 1)[0] for path, p in given.items() if p == part), None)


def find_films(data_dir: Path, classes: list[str] | None, add_data: list[str], say=lambda msg: None,
               out: Path | None = None, class_map: str | None = None,
               folders_warning: bool = True) -> tuple[list[Item], dict[str, str] | None, str, list[str]]:
    """(films, given split, layout, classes) of the data folder and its --add-data folders, listed
    without decoding: what prepare_data trains on, and what a finished teacher's data is compared
    with before it is reused (train.run; ``folders_warning`` False: the sub-folder warning, which may
    read every DICOM header, is not made, as it would not be said)."""
    try:
        items, given, layout = discover(data_dir, classes, out=out, log=say)
    except DataError as e:  # a class short because cxr-synth was stopped: say so, not only "needs 2 classes"
        from train.synthetic_set import is_synthetic_folder, unfinished_line

        if is_synthetic_folder(data_dir) and (line := unfinished_line(data_dir)):
            raise DataError(f"{e} ({line})") from None
        raise
    found = sorted({i.label for i in items})
    classes = as_folders(list(classes), found) if classes else found  # --classes Unauffällig, its folder spelt NFD
    if odd := [(c, problem) for c in classes if (problem := label_problem(c))]:  # as --labels names are checked
        raise DataError(f"class folder {odd[0][0]!r} of {said_name(str(data_dir))}: {odd[0][1]}; rename the folder")
    say(f"found {len(items)} images in {len(classes)} classes ({layout}){left_out_text(data_dir, classes, out)}")
    items, classes = composed_labels(items, classes)  # after the folders above are named by their own spelling
    if add_data:
        items = add_folders(items, data_dir, add_data, classes, say, class_map)
    if folders_warning and (warning := patient_folders_warning([i.path for i in items], data_dir, add_data,
                                                               given is not None)):
        say(warning)  # COVID/patient 4/*.png: a patient's films split as separate films
    return items, given, layout, classes


def data_text(s: TrainSettings) -> str:
    return " and ".join([s.data, *s.add_data])


def data_changed(run_dir: Path, s: TrainSettings, record: str = "run.json") -> str | None:
    """What changed in the data since the finished run in ``run_dir`` was trained, listed now without
    decoding: its films, or the files that give their sources; "": nothing; None: its run.json (or
    ``record``) has no record of its films. The built-in synthetic set is made from the settings
    alone, which other_settings compares."""
    if s.data == "synthetic":
        return ""
    classes = s.classes
    if classes is None and s.teacher:  # a student's classes are its teacher's: not every class folder of its data
        from train.teacher_split import teacher_record  # it logs as this module does: imported here, not at the top

        classes = teacher_record(s.teacher).get("classes")
    items = find_films(Path(s.data), classes, s.add_data, out=Path(s.out), class_map=s.class_map, folders_warning=False)[0]
    changed = films_changed(run_dir, film_stamps(Path(s.data), items), Path(s.data), log, record)
    if changed is None:
        return None
    if changed != (0, 0):
        return f"the films in {data_text(s)} changed ({changed[0]} added, {changed[1]} removed or changed)"
    if sources_changed(run_dir, [s.data, *s.add_data], record, items):
        return f"the MANIFEST.csv or metadata spreadsheets that give the films of {data_text(s)} their sources changed"
    return ""


def folders_not_classes(classes: list[str], labels: list[str]) -> str:
    """A hint where most class folders hold a film or three: a hospital export filed by patient or
    study (PAT0001/, PAT0002/, ...) read as that many classes, where more films would not help."""
    small = [c for c in classes if labels.count(c) <= 3]
    if len(classes) < 6 or len(small) < len(classes) / 2:
        return ""
    return (f"; {len(small)} of the {len(classes)} class folders hold 3 films or fewer: cxr-train takes each sub-folder of "
            "the data folder as a class (DATA/CLASS/...); is this a folder per patient or study? File the films in a "
            "folder per label (MANIFEST.csv's patient_id column keeps a patient's films together)")
