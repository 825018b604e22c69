"""cxr-evaluate's films: found in the site's class folders, read once, and checked before the model scores them.

Films the model was trained or validated on, copies of one another, label conflicts and shortcuts
in how the classes were acquired all flatter or blur the figures; each is left out or said here,
on stderr and (through Films) in the report, so that no figure goes without what qualifies it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np

from convert.evaluate_checks import Settings
from convert.evaluate_model import Loaded, rule_words
from edge.synthetic_words import drawn_among
from train.scan import Scan


class Films(NamedTuple):
    """The films scored, their true classes, and what the report says about them beside the figures."""

    scan: Scan  # the readable films not left out as seen, with the files that could not be read
    y: np.ndarray  # each film's class, as an index into the model's labels
    matched: dict[str, str]  # class folder: the model's label it stands for
    data_warnings: list[str]
    seen_note: dict | None  # convert.seen.leave_out_seen's note; None: no model could be checked
    drawn: bool | dict  # cxr-synth's drawings: all of them (True), or how many of how many
    design: dict  # convert.study_design.evaluation_design
    rule_warnings: list[str]
    twins: list[list[str]]  # copies of one another within the set
    conflicts: list[list[dict]]  # copies filed under different classes
    groups: dict[str, list[str]] | None  # --by's value of each film, by column
    given_values: dict[str, list[str]]  # the same, as the manifest or header gave them
    audit: dict  # train.audit.shortcut_audit
    header_says: dict[str, str]  # film -> why its DICOM header says it is no frontal chest film (edge.dicom_view)
    frames: dict[str, int]  # film -> its frame count, where it holds several not all the same (convert.frame_films)


def _say_skipped(skipped: list[dict]) -> None:
    """Each file that could not be read, with why: before the figures, and before an error that cites them."""
    from edge.output import said_name

    for bad in skipped:  # a name with a newline was split over two lines, the second like another film's
        print(f"cxr-evaluate: {said_name(bad['path'])}: {bad['error']}", file=sys.stderr)


def _read_films(s: Settings, m: Loaded, data_warnings: list[str]) -> tuple[Scan, dict[str, str]]:
    """The class folders matched to the model's labels, and their films read once. --by's columns and the films
    an --operating-point needs are checked on the files' names first, not after minutes of reading."""
    from convert import site_folders
    from convert.site_rule_notes import check_site_films
    from edge.preprocess import PreprocessConfig
    from train.data import DataError
    from train.scan import scan

    items, matched = site_folders.site_items(s.data_dir, m.labels, s.class_map, "cxr-evaluate", s.quiet,
                                             data_warnings, s.columns)
    if s.columns:  # the names, and the values among the films to be scored
        from convert.group_values import check_columns

        check_columns(s.data_dir, s.columns, [i.path for i in items])
    if m.point is not None:  # films that cannot choose (or price) the threshold
        check_site_films([i.label for i in items], m.point[0], m.labels, s.here, s.save_model is not None)
    res = scan(s.data_dir, items, PreprocessConfig.from_dict(m.info["preprocess"]), progress=not s.quiet,
               crops=s.find_crops)
    if not res.items:  # each file's reason first: a missing JPEG Lossless decoder is named there, and only there
        _say_skipped(res.skipped)
        from edge.output import said_name

        raise DataError(f"no readable images in {said_name(str(s.data_dir))}" + site_folders.unreadable_clause(len(res.skipped)))
    return res, matched


def _drawn(drawn: bool, res: Scan) -> bool | dict:
    """Whether the films are cxr-synth's drawings where the folder's README did not say so, said once."""
    if not drawn and res.drawn is not None and (n := int(res.drawn.sum())):  # drawings without their README
        drawn = True if n == len(res.items) else {"synthetic": n, "of": len(res.items)}
        print(f"cxr-evaluate: note: {drawn_among(n, len(res.items))} by cxr-synth (marked in the file, or named "
              "synthetic-CLASS-NNNN.png): these figures, and any rule chosen on them, say nothing about real X-rays",
              file=sys.stderr)
    return drawn


def site_films(s: Settings, m: Loaded) -> Films:
    """Find and read the films, leave out those the model was trained or validated on (unless --keep-seen),
    and say what qualifies the figures: the study design, a stored rule chosen on these films, copies and
    label conflicts within the set, the unreadable files, films of several frames (scored on frame 1), and acquisition
    shortcuts between the classes."""
    from convert.frame_films import note_frames
    from convert.rule_notes import chosen_films_line
    from convert.site_rule_notes import check_site_films
    from convert.seen import leave_out_seen
    from convert.set_notes import conflict_warning, copies_warning, split_copies
    from convert.source_training import held_out_source, seen_sources
    from convert.study_design import design_note, evaluation_design, trained_sources
    from edge.dicom_view import film_said, headers_warning, in_words
    from train.audit import shortcut_audit, summary_line
    from train.code_distance import copies_within

    data_warnings: list[str] = []  # said on stderr now, and in the report beside the figures they qualify
    res, matched = _read_films(s, m, data_warnings)
    foreign = m.info.get("foreign")  # no fingerprints, no record of its sources: a split.json beside it is another's
    drop, seen_note = (np.zeros(len(res.items), bool), None) if foreign else leave_out_seen(
        [s.model], res.items, s.keep_seen, "cxr-evaluate", s.crops_in, not s.quiet)
    items_before = res.items  # the seen films' sources, before they are left out
    res = res.take(~drop)
    drawn = _drawn(m.drawn, res)
    design = evaluation_design(None if foreign else trained_sources(s.model), [i.source for i in res.items],
                               (seen_note or {}).get("films", 0))
    # marks its row in the per-source table (source_training)
    design["holdout_source"] = None if foreign else held_out_source(s.model)
    design["seen_sources"] = seen_sources(seen_note, items_before)
    if line := design_note(design):
        print(f"cxr-evaluate: note: {line}", file=sys.stderr)
    rule_warnings = list(m.rule_warnings)
    if m.rule is not None and not s.threshold and (line := chosen_films_line(
            m.info, [i.sha256 for i in res.items], rule_words(m.rule, m.labels))):
        print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
        rule_warnings.append(line)
    twins, conflicts = split_copies(copies_within(res.items, not s.quiet, res.crops), [i.path for i in res.items],
                                    [i.label for i in res.items])
    if line := conflict_warning(conflicts):
        print(f"cxr-evaluate: warning: label conflict: {line}", file=sys.stderr)
    if line := copies_warning(twins):
        print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
    _say_skipped(res.skipped)
    said = {i.path: t for i in res.items if (t := film_said(Path(s.data_dir) / i.path))}  # each header read once
    by_file = {Path(s.data_dir) / f: t for f, t in said.items()}
    if line := headers_warning(s.data_dir, list(said), "scored all the same, and counted in every figure below; "
                               "edge-classify flags such films (--refuse-atypical: no answer)", said=by_file.get):
        print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
        data_warnings.append(line)  # beside the figures in the report
    frames = note_frames("cxr-evaluate", s.data_dir, [i.path for i in res.items], data_warnings)  # scored on frame 1
    y = np.array([m.labels.index(i.label) for i in res.items])
    if m.point is not None:  # again on the films scored: unreadable and seen films are gone
        check_site_films([i.label for i in res.items], m.point[0], m.labels, s.here, s.save_model is not None)
    groups, given_values = None, {}
    if s.columns:
        from convert.group_values import group_values

        groups = group_values(s.data_dir, [i.path for i in res.items], s.columns, as_given=given_values,
                              said=data_warnings)
    audit = shortcut_audit(res.traits, y, m.labels)
    if audit["warn"] and not s.quiet:
        print(f"cxr-evaluate: warning: {summary_line(audit)}; if your classes came from different archives or "
              "devices, a score here may reflect that rather than the lungs", file=sys.stderr)
    return Films(res, y, matched, data_warnings, seen_note, drawn, design, rule_warnings, twins, conflicts, groups,
                 given_values, audit, {f: in_words(t) for f, t in said.items()}, frames)
