"""Whether cxr-compare's films show two models equivalent, not merely no different. A Keras model against its own int8
file gave an interval of -10.2 to +10.2 points and "these films cannot tell the two models apart": worded as a test
for a difference, it read as "the int8 file is as good", which 9 films a class cannot show. Read as two one-sided
tests (TOST) on each class's paired 95% sensitivity interval: the two are equivalent within a margin only where every
class's interval lies inside +/- that margin, the per-class limit of cxr-convert's gate (the one a file stores, else
its default of 2 points)."""

from __future__ import annotations

import math

from convert.gate import points_text
from edge.figures import kept_as_shown, listed

DEFAULT_MARGIN = 2.0  # cxr-convert --max-class-drop's default, in points


def margin_of(info_a: dict, info_b: dict) -> tuple[float, str]:
    """The margin in points and where it comes from, in words: the per-class limit of the gate cxr-convert judged
    B's file by (stored in its card), else A's, else the gate's default."""
    for who, info in (("B", info_b), ("A", info_a)):
        v = info.get("validation") if isinstance(info.get("validation"), dict) else {}
        limit = (v.get("gate") or {}).get("max_class_drop") if isinstance(v.get("gate"), dict) else None
        if isinstance(limit, (int, float)) and not isinstance(limit, bool) and 0 < limit < float("inf"):
            return float(limit), f"the per-class limit of the gate cxr-convert judged {who}'s file by"
    return DEFAULT_MARGIN, "the default per-class limit of cxr-convert's gate"


def equivalence(per_class: list[dict], margin: float, source: str, classes: list[str] | None = None) -> dict:
    """compare.json's ``equivalence``: whether every class's paired 95% interval of B - A sensitivity lies within
    +/- ``margin`` points, and the class whose interval reaches furthest from 0 (its ``difference_ci`` in points).
    ``classes``: every label of the model; one with no interval (no film of it scored, as --class-map NAME=- leaves
    it) is ``unmeasured`` and rules equivalence out: "equivalent" was said with Normal left out. ``differing``: the
    classes whose interval excludes 0, a difference these films did see."""
    # judged on the intervals themselves, rounded only as stored: +/-2.0024 rounded to 2.0 read as within a margin of
    # 2 ("equivalent"), and +0.0046 to +9.48 as 0.0 to 9.48, "no difference" above a note that B did better
    spans = [(c["class"], [100 * v for v in c["difference_ci"]]) for c in per_class
             if c.get("difference_ci") and all(v is not None and v == v for v in c["difference_ci"])]
    measured = {c for c, _ in spans}
    unmeasured = [c for c in (classes or [c["class"] for c in per_class]) if c not in measured]
    widest = max(spans, key=lambda s: max(abs(s[1][0]), abs(s[1][1])), default=None)
    inside = bool(spans) and not unmeasured and all(-margin <= lo and hi <= margin for _, (lo, hi) in spans)
    kept = [kept_as_shown(v, lambda x: end_text(x, margin)) for v in widest[1]] if widest else None
    return {"margin_points": margin, "margin_from": source, "equivalent": inside,
            "widest": {"class": widest[0], "difference_ci": kept} if widest else None,
            "unmeasured": unmeasured, "differing": [c for c, (lo, hi) in spans if lo > 0 or hi < 0]}


def end_text(v: float, margin: float = math.inf) -> str:
    """An end of an interval in points as cxr-compare writes it ('+2.0'), with the decimals that show an end beyond
    ``margin`` beyond it ('+2.0024' for a margin of 2: "-2.0 to +2.0 reaches beyond +/- 2" read as a contradiction),
    an end within it within it ('+1.96' for a margin of 1.96, not '+2.0'), and an end off 0 off it ('+0.005', where "+0.0
    to +9.5" stood beside "its interval excludes 0")."""
    digits = 1
    while digits < 12 and abs(v) > margin >= abs(float(f"{v:.{digits}f}")):  # 4 at most read +2.0000 beyond 2
        digits += 1
    while digits < 12 and abs(v) <= margin < abs(float(f"{v:.{digits}f}")):  # within: +1.96 for 1.96, not +2.0
        digits += 1
    while v != 0 == float(f"{v:.{digits}f}"):  # as many as its first digit needs (-0.0000003 within 0.0001 of 0)
        digits += 1
    return f"{v:+.{digits}f}"


def equivalence_words(e: dict, name=str) -> str:
    """The verdict's reading where neither model did better: equivalent within the margin, or not shown to be; a class
    whose interval excludes 0 is said to differ ("these films show no difference" was said beside one), and a class
    with no film scored is named as a reason equivalence is not shown ("equivalent" was said with Normal left out)."""
    margin = f"+/- {points_text(e['margin_points'])} ({e['margin_from']})"
    differing = e.get("differing") or []
    seen = (f"{listed([name(c) for c in differing])} sensitivity "
            + ("(its interval excludes 0)" if len(differing) == 1 else "(their intervals exclude 0)") if differing else "")
    if e["equivalent"]:
        return (f"every class's sensitivity interval lies within {margin}, so on these films the two are "
                "equivalent within that margin" + (f", though they show a difference in {seen}." if seen else "."))
    w, unmeasured = e.get("widest"), e.get("unmeasured") or []
    head = (f"these films show a difference in {seen}, and they cannot show the two equivalent: " if seen else
            "these films show no difference, but they cannot show the two equivalent either: ")
    ends = [end_text(v, e["margin_points"]) for v in w["difference_ci"]] if w else []
    reach = (f"{name(w['class'])} sensitivity's interval ({ends[0]} to {ends[1]} "
             "points) reaches beyond " if w else "no class's sensitivity has an interval within ")
    if not unmeasured:
        return f"{head}{reach}{margin}; more films narrow the intervals."
    lo, hi = w["difference_ci"] if w else (0, 0)
    also = f", and {reach}it" if w and not (-e["margin_points"] <= lo and hi <= e["margin_points"]) else ""
    return (f"{head}no film of {listed([name(c) for c in unmeasured])} was scored, so "
            f"{'its' if len(unmeasured) == 1 else 'their'} sensitivity has no interval to lie within {margin}{also}; "
            "score films of every class" + (", and more films narrow the intervals." if also else "."))
