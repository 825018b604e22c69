"""The films whose class a quantized file flipped against the Keras model, as cxr-convert's report.md lists them: made
wrong first, then made right, then still wrong."""

from __future__ import annotations

from convert.report_text import md_cell, md_code

FLIPS_SHOWN = 50


def _label(p: dict) -> str:
    return max(p, key=p.get)  # ties to the first class listed, as argmax does


def flip_what(flip: dict) -> str:
    """'now wrong', 'now right' or 'still wrong' (another wrong class), with ', a tie' where the
    quantized file's top two classes are equal and the class listed first took the film. Judged by
    each side's own answer where the record keeps it (reports before 0.25.0 kept rounded figures)."""
    before = flip.get("reference_label", _label(flip["reference"])) == flip["true"]
    after = flip.get("quantized_label", _label(flip["quantized"])) == flip["true"]
    what = "now wrong" if before else "now right" if after else "still wrong"
    top = sorted(flip["quantized"].values(), reverse=True)
    tie = flip["quantized_tie"] if "quantized_tie" in flip else len(top) > 1 and top[0] == top[1]
    return what + (", a tie" if tie else "")


def flip_order(flip: dict) -> int:
    """Films the quantized file made wrong first, then those it made right, then the rest."""
    return ("now wrong", "now right", "still wrong").index(flip_what(flip).split(",")[0])


def flip_line(flip: dict, name: str) -> str:
    """One film whose class flipped, with both models' probabilities as 'COVID 0.054, Normal 0.946'."""
    def probs(p: dict) -> str:
        return ", ".join(f"{md_cell(c)} {v:.3f}" for c, v in p.items())

    return (f"- {md_code(flip['file'])} (true {md_cell(flip['true'])}; {flip_what(flip)}): keras {probs(flip['reference'])} → "
            f"{name} {probs(flip['quantized'])}")
