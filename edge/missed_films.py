"""Where a class's missed test films went, in words: '3 of 11 (called Normal 3)'.

A 4-class file's sensitivities alone hid that 3 of its 11 COVID test films were called Normal, the harm a reader
must see (hunt 58 reader2, M4). The card says it from the counts cxr-convert stores in the file's metadata
(misses_line), report.md from the confusion matrix (convert.missed.misses_text): both count in missed_counts's words.
"""

from __future__ import annotations

from edge.answer_worth import is_normal_class


def _whole(v: object) -> bool:
    """Whether a stored count is a whole number: JSON's true is a Python int too, and was shown as 'called COVID True'."""
    return isinstance(v, int) and not isinstance(v, bool)


def missed_counts(called: dict, n: int) -> str:
    """'4 of 11 (called Normal 3, Lung_Opacity 1)': how many of a class's ``n`` films got another answer, by the answer
    they got (``called``: {answer: films}), most first; a count that is no positive whole number (a damaged file's) is
    left out, and '' is said where none is left."""
    ranked = sorted(((v, k) for k, v in called.items() if _whole(v) and v > 0), key=lambda t: -t[0])
    if not ranked:
        return ""
    return f"{sum(v for v, _ in ranked)} of {n} (called " + ", ".join(f"{k} {v}" for v, k in ranked) + ")"


def misses_line(test: dict, labels: list[str]) -> str:
    """The card's line, with three or more classes, on where the disease classes' missed test films went (convert.card
    stores them as 'misses'; older files: ''): 'COVID 3 of 11 (called Normal 3)'. A 4-class card gave sensitivities
    alone, and a COVID film called Normal is the harm a device reader must know of (hunt 58 reader2, M4). A Normal
    class's own misses, false alarms, are left to its specificity lines."""
    got = test.get("misses")
    if not isinstance(got, dict) or len(labels) < 3:
        return ""
    normal = [c for c in labels if is_normal_class(c)]
    parts = []
    for c, called in got.items():
        r = (test.get("per_class") or {}).get(c) or {}
        if c in normal[:1] and len(normal) == 1 or not isinstance(called, dict) or not _whole(r.get("n")):
            continue
        if counts := missed_counts(called, r["n"]):
            parts.append(f"{c} {counts}")
    if not parts:
        return ""
    whose = " of the disease classes" if len(normal) == 1 else ""
    return f"  Missed test films{whose} (most probable class), and what they were called: {'; '.join(parts)}"
