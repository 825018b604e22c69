"""Where a model looks over a set, in words: the report's line under "Where the model looked".

Two figures, because each misses what the other sees. The share of the evidence in the film's outer eighth
weighs it by area: a model that reads borders, collimation or burned-in text all along the edge scores high.
A small marker that decides the answer holds little area, and a planted corner marker that flipped 19 of 51
answers scored 40%, below the 44% of evidence spread evenly; the share of images whose strongest square lies
in the outer eighth caught it (61% against the 25% of any square alike; a model without the marker: 8%).
"""

from __future__ import annotations

NO_EVIDENCE = "no square's cover lowered the answer's log-odds by 0.05 or more"
# The strongest square at the border this many times as often as any square alike: worth a look at the maps.
SUSPECT_RATIO = 2


def evidence_line(evidence: dict) -> str:
    """The line for ``evidence`` (convert.occlusion.overall_border_share)."""
    none = evidence.get("without_evidence", 0)
    apart = f" ({none} more gave no evidence to map: {NO_EVIDENCE})" if none else ""
    if not evidence["n"]:
        return f"None of the {none} images mapped over this set gave evidence to map: {NO_EVIDENCE}."
    line = (f"Over {evidence['n']} images of this set{apart}, {evidence['mean']:.0%} of the evidence for the model's "
            "answers lies in the film's outer eighth (borders, collimation, burned-in text; 44% if it looked everywhere "
            "alike).")
    strongest, even = evidence.get("strongest_at_border"), evidence.get("strongest_at_border_even")
    if strongest is not None and even is not None:
        line += (" That share weighs evidence by area, and a small marker that decides the answer holds little of it: "
                 f"on {strongest:.0%} of the images the square whose cover lowers the answer most lies in the outer "
                 f"eighth ({even:.0%} if it were any square alike)")
        line += (", more than twice as often: look at the maps for a marker, text or border that the model reads."
                 if strongest > SUSPECT_RATIO * even else ".")
    return line + (" benchmarks/RESULTS.md gives earlier figures on cxr-dev (the tutorial's CNN 60%, the default model "
                   "25%), measured by cxr-edge 0.29 and before on the padded square and by probability, not log-odds.")
