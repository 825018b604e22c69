"""The films whose class a quantized file flipped against the Keras model, as cxr-convert's report.md lists them: made
wrong first, then made right, then still wrong."""

from __future__ import annotations

from convert.report_text import md_cell, md_code
from edge.figures import fixed

FLIPS_SHOWN = 50
RECORDED_DIGITS = 4  # convert.gate.compare keeps each probability of a flip to 4 decimals


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


def _digits(flip: dict) -> int:
    """3 decimals, or 4 where at 3 a model's top class reads no higher than another but does at 4: a near tie (0.4996
    against 0.5004) read 'COVID 0.500, Normal 0.500' on both sides of a flip. Not more: the record keeps 4
    (convert.gate); a tie at 4 (0.5 and 0.5) keeps 3, where more zeros would say nothing."""
    def top_reads_highest(p: dict, digits: int) -> bool:
        shown = sorted((float(fixed(v, digits)) for v in p.values()), reverse=True)
        return len(shown) < 2 or shown[0] > shown[1]

    sides = [flip[side] for side in ("reference", "quantized") if top_reads_highest(flip[side], RECORDED_DIGITS)]
    return next(d for d in range(3, RECORDED_DIGITS + 1) if all(top_reads_highest(p, d) for p in sides))


def flip_line(flip: dict, name: str) -> str:
    """One film whose class flipped, with both models' probabilities as 'COVID 0.054, Normal 0.946' (decimals as
    _digits gives them, each figure as edge.figures.fixed writes it: 0.9996 is not '1.000')."""
    digits = _digits(flip)

    def probs(p: dict) -> str:
        return ", ".join(f"{md_cell(c)} {fixed(v, digits)}" for c, v in p.items())

    return (f"- {md_code(flip['file'])} (true {md_cell(flip['true'])}; {flip_what(flip)}): keras {probs(flip['reference'])} → "
            f"{name} {probs(flip['quantized'])}")


def flip_lines(flips: list[dict], name: str) -> list[str]:
    """report.md's class flips of one quantized file: their count, then the first FLIPS_SHOWN in flip_order's order
    (films made wrong first: what quantization cost), then how many more report.json lists."""
    flipped = sorted(flips, key=flip_order)
    md = [f"Class flips against Keras: {len(flipped)}" + (":" if flipped else "."), ""]
    md += [flip_line(f, name) for f in flipped[:FLIPS_SHOWN]]
    if len(flipped) > FLIPS_SHOWN:
        md.append(f"- ... and {len(flipped) - FLIPS_SHOWN} more (report.json lists every flip)")
    return md + ([""] if flipped else [])
