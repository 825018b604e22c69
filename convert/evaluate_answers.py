"""cxr-evaluate's answers: the model run on the films, on the left-out classes' films, on shifted copies, with
maps of where it looked, and a site's own operating point chosen on the answers.

Everything the report shows beyond the films' own checks comes from here; nothing is written yet.
"""

from __future__ import annotations

import hashlib
import sys
from typing import NamedTuple

import numpy as np

from convert.evaluate_checks import Settings
from convert.evaluate_films import Films
from convert.evaluate_lines import site_shifts
from convert.evaluate_model import Loaded
from edge.decision import fmt_threshold
from edge.figures import counted
from edge.output import said_name

# films x resamples x (1 + groups) above which the intervals take long enough to say so (about 15 s here)
BOOTSTRAP_NOTE_WORK = 2_000_000_000


class Answers(NamedTuple):
    """What the model answered, on the films scored and beyond them."""

    probs: np.ndarray  # films x classes
    unlikeness: np.ndarray | None  # a .tflite's input check, per film
    left_out: dict  # the answers each left-out class folder's films got
    left_out_rows: str  # left_out.csv, or ''
    left_out_skipped: list[dict]  # left-out films that could not be read
    left_out_frames: dict[str, int]  # left-out films scored of several differing frames: on frame 1 (frame_films)
    mistakes: list[dict] | None  # occlusion maps of the most confident mistakes (--explain)
    evidence: dict | None  # the share of the evidence at the border
    robustness: dict | None  # --shifts


def answers(s: Settings, m: Loaded, f: Films) -> Answers:
    """Score the films, then whatever the options ask beyond them: the left-out classes' films, occlusion maps
    of the most confident mistakes (as the device's maps of the answers the report gives), and --shifts."""
    from convert.evaluate import scored
    from convert.left_out import one_model_answers

    res = f.scan
    probs, unlikeness = scored(m.predict, res.x, m.info.get("typicality"), not s.quiet)
    left_out, left_out_rows, left_out_skipped, left_out_frames = one_model_answers(
        s.data_dir, f.matched, m.labels, m.predict, m.info, m.rule, not s.quiet, s.model, s.keep_seen,
        s.crops_in) if s.score_left_out else ({}, "", [], {})
    for bad in left_out_skipped:
        print(f"cxr-evaluate: {said_name(bad['path'])}: {bad['error']}", file=sys.stderr)
    from convert.frame_films import LEFT_OUT_SCORED_ON, say_frames

    say_frames("cxr-evaluate", s.data_dir, left_out_frames, [], LEFT_OUT_SCORED_ON)  # in their folders' shares
    mistakes = evidence = None
    if s.explain:
        from convert.occlusion import EVIDENCE_SAMPLE, explain_mistakes, overall_border_share
        from edge.decision import labels_for
        from train.progress import progress_bar

        given = labels_for(probs, m.rule)  # the answers the report gives: their evidence, as the device's maps
        wrong = min(s.explain, int((given != f.y).sum()))  # the mistakes' maps, then the set's: one bar for both
        bar = progress_bar(wrong + min(len(f.y), EVIDENCE_SAMPLE), "mapping where the model looks", not s.quiet)
        mistakes = explain_mistakes(m.info["log_scores"], res.x, f.y, probs, s.explain, given, done=bar.update)
        evidence = overall_border_share(m.info["log_scores"], res.x, probs, done=bar.update, pred=given)
        bar.close()
    rob = site_shifts(m.predict, s.data_dir, [i.path for i in res.items], m.info, f.y, m.rule,
                      s.quiet) if s.shifts else None
    return Answers(probs, unlikeness, left_out, left_out_rows, left_out_skipped, left_out_frames, mistakes, evidence,
                   rob)


def site_point(s: Settings, m: Loaded, f: Films, probs: np.ndarray) -> tuple[dict | None, bytes | None]:
    """--operating-point's threshold chosen on these films, and with --save-model the bytes of the model copy that
    carries it (written only once the report is in). (None, None) without --operating-point."""
    if m.point is None:
        return None, None
    from convert.model_pin import pinned_bytes
    from convert.metrics import to_jsonable
    from convert.operating_point import site_operating_point, stamped
    from convert.site_flagged import header_flagged
    from convert.site_rule_notes import site_rule_warnings

    kind = "partly SYNTHETIC " if isinstance(f.drawn, dict) else "SYNTHETIC " if f.drawn else ""
    kept_seen = {e["file"] for e in (f.seen_note or {}).get("seen_films", [])} if s.keep_seen else set()
    site = site_operating_point(f.y, probs, m.labels, *m.point,
                                films=f"{kind}films in {s.here} ({len(f.y)}, cxr-evaluate)",
                                seen=np.array([i.path in kept_seen for i in f.scan.items], bool))
    site["keep_seen"] = s.keep_seen  # --save-model refuses it: the report says how to store a rule
    # chosen on flagged films too, as edge-classify answers them by default; the report says so, and what it gives without
    if flagged := header_flagged(f.y, probs, m.point[0], site["decision"]["threshold"],
                                 np.array([i.path in f.header_says for i in f.scan.items], bool)):
        site["header_flagged"] = to_jsonable(flagged)
    site["model_file"] = s.model.name  # a model.keras's threshold is not the device file's (rule_sections)
    site["foreign"] = bool(m.info.get("foreign"))  # no metadata to store the rule in: edge-classify --threshold is the way
    model_bytes = None
    if s.save_model is not None:
        if s.save_model.exists():  # its own choice: a file kept on purpose must not vanish without a word
            print(f"cxr-evaluate: note: replacing {s.save_model}", file=sys.stderr)
        if (old := m.info.get("decision")) is not None:
            print(f"cxr-evaluate: note: {s.model.name}'s stored rule, {m.labels[old[0]]} whenever p >= "
                  f"{fmt_threshold(old[1])}, is replaced in {s.save_model.name} by the one chosen here", file=sys.stderr)
        # Written once the report is in: a deployable rule with no report behind it is worse
        # than none, and an older file at that path stays until then.
        model_bytes = stamped(pinned_bytes(s.model, m.digests[0], "cxr-evaluate"), site["decision"], site,
                              [i.sha256 for i in f.scan.items])
        site["saved_to"] = str(s.save_model)
        site["saved_sha256"] = hashlib.sha256(model_bytes).hexdigest()  # the copy's, as its device's answer log names it
    for line in site_rule_warnings(site, m.labels):
        print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
    return site, model_bytes


def say_bootstrap_time(s: Settings, f: Films) -> None:
    """Say that the 95% intervals will take a while where they will, so that a quiet minute is not taken for a hang."""
    n_groups = len({i.source for i in f.scan.items} - {""}) + sum(len(set(v)) for v in (f.groups or {}).values())
    if not s.quiet and len(f.y) * s.n_boot * (1 + n_groups) > BOOTSTRAP_NOTE_WORK:
        groups = f" and each of {counted(n_groups, 'group')} (sources, --by)" if n_groups else ""  # not 'each of 0 groups'
        print(f"cxr-evaluate: computing the 95% intervals: {s.n_boot:,} bootstrap resamples of {len(f.y):,} films, "
              f"for the whole set{groups}; this can take a minute or more", file=sys.stderr, flush=True)
