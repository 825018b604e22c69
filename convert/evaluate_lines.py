"""What cxr-evaluate says on the terminal beside report.md, and its optional pass under shifts.

The report holds everything; these lines are the few a user must not miss when the only thing
they read is the terminal: the headline, too few films, classes never answered, the answers
films of left-out classes got, groups (or a class within one) wholly below the overall figure, and a chosen threshold.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import numpy as np

from edge.decision import EXACT_DIGITS, fmt_threshold


TO = " to "  # between an interval's ends on the terminal, as every other line there says it (report.md: an en dash)


def _say(line: str) -> None:
    print(f"cxr-evaluate: {line}", file=sys.stderr)


def below_text(groups: dict) -> str:
    """What the marks of ``groups`` (as per_source found them) say, for a terminal line: 'A: wholly below the
    same figure over all films; B: COVID sensitivity wholly below COVID's over all films'; '' where none is
    marked. A group where only a class is below is not 'wholly below': its balanced accuracy may be the best."""
    from convert.subgroups import below_overall, classes_below_overall

    parts = [f"{', '.join(below)}: wholly below the same figure over all films"] if (
        below := below_overall(groups)) else []
    by_class: dict[str, list[str]] = {}
    for v, cs in classes_below_overall(groups).items():
        for c in cs:
            by_class.setdefault(c, []).append(v)
    parts += [f"{', '.join(vs)}: {c} sensitivity wholly below {c}'s over all films" for c, vs in by_class.items()]
    return "; ".join(parts)


def closing_lines(report: dict, left_out: dict, labels: list[str], site: dict | None) -> None:
    """The headline on stdout, then warnings and notes on stderr (``site``: --operating-point's result)."""
    from convert.left_out_words import answers_line
    from convert.figures_md import fmt_ci, headline
    from convert.set_notes import too_few_line
    from convert.source_training import training_line
    from edge.message_case import after_prefix

    print(headline(report["metrics"], sep=TO, name=str))
    if few := too_few_line(report["metrics"]):  # report.md says it in bold under the headline
        _say(f"warning: {after_prefix(few, labels)}")  # report.md starts a paragraph with it
    if report.get("chance_warning"):  # and this beneath it
        _say(f"warning: {report['chance_warning']}")
    for line in report["missed_classes"]:
        _say(f"note: {line}")
    for folder, answers in left_out.items():
        _say(f"note: {answers_line(folder, answers, labels)}")
    for column, sub in report.get("subgroups", {}).items():
        if marked := below_text(sub["groups"]):
            _say(f"warning: by {column}, {marked} (report.md, \"By {column}\")")
    if marked := below_text(report.get("per_source", {})):
        _say(f"warning: per source, {marked} (report.md, \"Per source\"); a model that learnt the hospital instead "
             "of the disease shows it there")
    if line := training_line(report.get("per_source", {}), (report.get("study_design") or {}).get("holdout_source")):
        _say(f"note: {line}")
    if site is not None:
        d, nf = site["decision"], site["next_films"]
        def pct(key: str) -> str:  # "n/a", not "n/a %", where these films have none of the class or of the others
            return "n/a" if nf[key] is None else f"{fmt_ci(nf[key], nf[key + '_ci'], TO)} %"

        print(f"{d['class']} whenever p >= {fmt_threshold(d['threshold'], EXACT_DIGITS)}; expected on this site's next films: sensitivity "
              f"{pct('sensitivity')}, specificity {pct('specificity')}"
              + (f"; saved in {site['saved_to']}" if site.get("saved_to") else "")
              + ("; the float model's threshold, not the device file's (report.md)"
                 if str(site.get("model_file", "")).endswith(".keras") else ""))


def site_shifts(predict: Callable[[np.ndarray], np.ndarray], data_dir: Path, files: list[str], info: dict,
                y: np.ndarray, rule: tuple[int, float] | None, quiet: bool) -> dict:
    """--shifts: every film read again and scored under each simulated shift (convert.shifts)."""
    from convert.shifts import SHIFTS, robustness, shift_workers
    from edge.preprocess import PreprocessConfig, load_grayscale
    from train.progress import progress_bar

    if not quiet:
        _say(f"--shifts reads and scores every film again under {len(SHIFTS)} shifts: on full-size films (about 0.6 s "
             f"of one core a 2500x2000 film, read and shifted; {shift_workers()} at work here) it takes longer than "
             "everything else")
    bar = progress_bar(len(y), "scoring under simulated shifts", not quiet)
    rob = robustness(predict, [Path(data_dir) / f for f in files], PreprocessConfig.from_dict(info["preprocess"]), y,
                     len(info["labels"]), done=bar.update, rule=rule, load=load_grayscale)
    bar.close()
    return rob
