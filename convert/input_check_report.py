"""cxr-evaluate's report on the films the model file's input check (edge.typicality) flags.

How many of a site's films look unlike the training films is read against how many of the
training sites' own films the same check flags: each model file stores that rate, measured on
its validation images when cxr-convert fitted the check (convert.split_scores.fit_input_check).
"""

from __future__ import annotations

import numpy as np

from convert.report_text import md_cell, md_code
from edge.figures import fixed
from train.manifest import NOT_GIVEN


def own_rate(flagged_validation: float | None) -> str:
    """The file's own false-alarm rate, in words; files made before it was stored do not say it."""
    if flagged_validation is None:
        return "this model file does not store how often it flags its own validation images"
    return f"on its own validation images, this file's check flagged {fixed(flagged_validation, 1, 100)}%"


def times_text(unlikeness: float) -> str:
    """A flagged film's score as a multiple of the threshold, '2.3x': one just above it (flagged: above 1) was
    written '1.0x', as if at the threshold; it gets more decimals, and one closer still (a nearly uniform
    thumbnail counts as the float just above 1) is said to be just over it."""
    for d in (1, 2, 3):
        if (text := f"{unlikeness:.{d}f}") != f"{1:.{d}f}" or unlikeness <= 1:
            return f"{text}x"
    return "just over 1x"


def input_check_section(report: dict, unlikeness: np.ndarray, y: np.ndarray, classes: list[str], files: list[str],
                        sources: list[str] | None = None, flagged_validation: float | None = None,
                        listed: int = 20) -> list[str]:
    """Markdown (and report["input_check"]) on the images the model file's input check flags
    (``unlikeness``, edge.typicality, above 1), by class and, when a MANIFEST.csv names them, by
    source: one site's films all flagged points at that site's storage or orientation, not at its
    patients; the files most unlike the training images are listed first, as those are the ones to
    open. ``flagged_validation``: the share of its own validation images the file's check flagged,
    as the file stores it: the rate to hold this set's share against (it need not be the 1% the
    check's threshold aims at)."""
    atypical = unlikeness > 1.0
    check = {"flagged": int(atypical.sum()), "n": int(len(atypical)), "share": float(atypical.mean()),
             "per_class": {c: int(atypical[y == k].sum()) for k, c in enumerate(classes)}}
    if sources and any(sources):
        src = np.array([s.strip() or NOT_GIVEN for s in sources])
        check["per_source"] = {s: {"flagged": int(atypical[src == s].sum()), "n": int((src == s).sum())} for s in sorted(set(src))}
    check["flagged_validation"] = flagged_validation
    report["input_check"] = check
    md = ["## Input check", "",
          f"{int(atypical.sum())} of {len(atypical)} images ({fixed(float(atypical.mean()), 1, 100)}%) look{'s' if int(atypical.sum()) == 1 else ''} unlike the images the "
          f"model was trained on (edge.typicality; {own_rate(flagged_validation)}): upside-down, inverted or rotated "
          "films, images that are not chest X-rays, and real films of another population or processing"
          + ("; look at them" if atypical.any() else "") + ". A film not flagged is not thereby like the training films, nor free of other disease. A large share means these films differ from "
          "the training data in layout or view, and the figures above may not carry over to them.", ""]
    if atypical.any():
        md += ["| class | flagged |", "|---|---:|"] + [f"| {md_cell(c)} | {n} |" for c, n in check["per_class"].items()] + [""]
        if "per_source" in check:
            md += ["| source | flagged | n |", "|---|---:|---:|"]
            md += [f"| {md_cell(s)} | {v['flagged']} | {v['n']} |" for s, v in check["per_source"].items()] + [""]
        first = (f"the {listed} of {int(atypical.sum())} " if atypical.sum() > listed else "") + "most unlike the training images first"
        md += [f"Flagged files, {first}, with their score as a multiple of the check's threshold (predictions.csv and "
               "report.json mark every one; report.json also gives every film's score):", ""]
        worst = sorted(np.flatnonzero(atypical), key=lambda i: (-unlikeness[i], files[i]))
        md += [f"- {md_code(files[i])} ({times_text(float(unlikeness[i]))})" for i in worst[:listed]] + [""]
    return md
