"""The classes the verdict on balanced accuracy passes over. A site of 40 COVID and 40 Normal films gave
B - A balanced accuracy -3.8 points (-11.7 to +4.7, McNemar p = 0.508) under 'these films cannot tell the two
models apart', while B missed 5 COVID films A caught and caught none A missed: COVID sensitivity -12.5 points
(-23.2 to -1.2), an interval that excludes 0, in the table below only. A site choosing a model by its
COVID sensitivity read the opposite of what its films showed (hunt 62, H27)."""

from __future__ import annotations

import sys

from convert.equivalence import end_text
from edge.message_case import after_prefix


def shown_difference(r: dict) -> tuple[float | None, float | None, float | None, list]:
    """A comparison's one figure (A's, B's, B - A and its interval): balanced accuracy, or on films of one class that
    class's sensitivity, whose balanced accuracy compare.json holds null (balanced_accuracy_no_value says why)."""
    if r.get("only_class") and (held := r.get("per_class")):
        c = held[0]
        return c["sensitivity_a"], c["sensitivity_b"], c["difference"], c["difference_ci"]
    return (r.get("balanced_accuracy_a"), r.get("balanced_accuracy_b"), r.get("balanced_accuracy_difference"),
            r["balanced_accuracy_difference_ci"])


def sides(r: dict) -> tuple[int, int]:
    """Which model the balanced-accuracy interval favours (on films of one class, its sensitivity's) and which
    McNemar's test does (p <= 0.05): 1 B, -1 A, 0 neither. compare.verdict names a model better where both favour it."""
    lo, hi = shown_difference(r)[3]
    p, only_a, only_b = r["mcnemar_p"], r["only_a_right"], r["only_b_right"]
    return (1 if lo > 0 else -1 if hi < 0 else 0), ((1 if only_b > only_a else -1) if p <= 0.05 else 0)


def _side(ci) -> int:
    """Which model a class's interval favours: 1 B, -1 A, 0 neither (or no interval)."""
    lo, hi = ci if ci else (None, None)
    if lo is None or hi is None or lo != lo or hi != hi:
        return 0
    return 1 if lo > 0 else -1 if hi < 0 else 0


def class_note(r: dict, name=str) -> list[str]:
    """compare.md's lines after the verdict: a paragraph naming each class whose sensitivity interval favours a model
    the verdict did not name as better (none where one class was scored: the headline is that class's). ``name``:
    how a class name is shown. Each interval is a 95% one on its own, and with several classes one of them excludes 0 by
    chance more often than 1 in 20: said, so that the note is read as a lead, not a finding."""
    per_class = r.get("per_class") or []
    if r.get("only_class") or len(per_class) < 2:
        return []
    interval, films = sides(r)
    winner = interval if interval == films else 0  # the model the verdict names as better, 0: none
    parts = []
    for c in per_class:
        side = _side(c.get("difference_ci"))
        if side and side != winner:
            c_lo, c_hi = c["difference_ci"]
            parts.append(f"{name(c['class'])} sensitivity B - A {100 * c['difference']:+.1f} points (95% CI "
                         f"{end_text(100 * c_lo)} to {end_text(100 * c_hi)}; right only by A {c['only_a_right']}, only by B "
                         f"{c['only_b_right']}): model {'B' if side > 0 else 'A'} did better on these "
                         f"{name(c['class'])} films")
    if not parts:
        return []
    return [("Within a class, though: " + "; ".join(parts) + f". Each class's interval is a 95% one on its own: "
            f"among {len(per_class)} classes one may exclude 0 by chance, so take it as a lead for more films of "
            "that class, not a finding."), ""]


def say_class_note(r: dict) -> None:
    """The class note on cxr-compare's terminal, under its headline: a user who read only the terminal saw 'B - A
    balanced accuracy -3.8 points (95% CI -11.7 to +4.7)' and not that B missed 5 COVID films A caught (hunt 62,
    H27's note was in compare.md alone). One line on stderr, as the command's other notes; names as they are."""
    for line in class_note(r)[:1]:
        print(f"cxr-compare: note: {after_prefix(line, r.get('classes') or [])}", file=sys.stderr)


def groups_unadjusted(n_groups: int) -> str | None:
    """The sentence under cxr-compare's --by table: each group's interval and McNemar p are its own 95% (0.05) ones,
    not adjusted for the other groups. Without it the one ward of ten at p = 0.03 reads as a finding, where with two
    equally good models up to about one ward in 20 shows p <= 0.05 (or an interval excluding 0) by chance alone. None for a single group: its figures are then the comparison's own."""
    if n_groups < 2:
        return None
    return (f"Each group's interval and McNemar p are its own, unadjusted for the {n_groups} groups compared: where the "
            "two models do equally well, up to about one group in 20 shows p ≤ 0.05 (exact McNemar is conservative), or "
            "an interval excluding 0, by chance alone, so a group that does is a lead for more films of that kind, "
            "not a finding.")
