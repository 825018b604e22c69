"""Whether cxr-compare's films show two models equivalent, not merely no different. A Keras model against its own int8
file gave an interval of -10.2 to +10.2 points and "these films cannot tell the two models apart": worded as a test
for a difference, it read as "the int8 file is as good", which 9 films a class cannot show. Read as two one-sided
tests (TOST) on each class's paired 95% sensitivity interval: the two are equivalent within a margin only where every
class's interval lies inside +/- that margin, the per-class limit of cxr-convert's gate (the one a file stores, else
its default of 2 points)."""

from __future__ import annotations

from convert.gate import points_text

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


def equivalence(per_class: list[dict], margin: float, source: str) -> dict:
    """compare.json's ``equivalence``: whether every class's paired 95% interval of B - A sensitivity lies within
    +/- ``margin`` points, and the class whose interval reaches furthest from 0 (its ``difference_ci`` in points)."""
    spans = [(c["class"], [round(100 * v, 2) for v in c["difference_ci"]]) for c in per_class
             if c.get("difference_ci") and all(v is not None and v == v for v in c["difference_ci"])]
    widest = max(spans, key=lambda s: max(abs(s[1][0]), abs(s[1][1])), default=None)
    inside = bool(spans) and len(spans) == len(per_class) and all(-margin <= lo and hi <= margin for _, (lo, hi) in spans)
    return {"margin_points": margin, "margin_from": source, "equivalent": inside,
            "widest": {"class": widest[0], "difference_ci": widest[1]} if widest else None}


def equivalence_words(e: dict, name=str) -> str:
    """The verdict's reading where neither model did better: equivalent within the margin, or not shown to be."""
    margin = f"+/- {points_text(e['margin_points'])} ({e['margin_from']})"
    if e["equivalent"]:
        return (f"every class's sensitivity interval lies within {margin}, so on these films the two are "
                "equivalent within that margin.")
    w = e.get("widest")
    reach = (f"{name(w['class'])} sensitivity's interval ({w['difference_ci'][0]:+.1f} to {w['difference_ci'][1]:+.1f} "
             "points) reaches beyond " if w else "no class's sensitivity has an interval within ")
    return (f"these films show no difference, but they cannot show the two equivalent either: {reach}{margin}; "
            "more films narrow the intervals.")
