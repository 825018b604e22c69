"""report.md's section on where the model looked on its most confident mistakes: occlusion maps of them
(occlusion.png), their table, and the share of the evidence in the films' borders.

A model that reads a hospital's markers or a film's edges scores well on films of its own hospitals and fails on
others': the maps are where a reader sees it. Shared by cxr-evaluate's report (convert.report) and cxr-convert's
(convert.quant_report).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from convert import plots
from convert.evidence_words import NO_EVIDENCE, evidence_line
from convert.report_text import image, md_cell
from edge.decision import beside_rule, for_json
from edge.figures import counted, exact_text, fixed, kept_as_shown
from edge.synthetic_words import synthetic_mark


Rule = tuple[int, float] | list[tuple[int, float]] | None  # the report's threshold rules (edge.decision.beside_rule)


def occlusion_rows(mistakes: list[dict], classes: list[str], files: list[str], rule: Rule = None) -> list[dict]:
    """report.json's rows for the most confident mistakes, each probability as every other in report.json
    (edge.decision.for_json: a tiny one to 6 significant digits; round(p, 6) wrote a covered 1.1e-07 as 0), on its
    side of ``rule``, the thresholds the report states: a film the rule called COVID at its threshold 0.2000660002
    read 0.200066, under it."""
    return [{"file": files[m["index"]], "true": classes[m["true"]], "predicted": classes[m["predicted"]],
             "probability": for_json(m["probability"], m["predicted"], rule),
             "border_share": None if m["border_share"] is None else kept_as_shown(m["border_share"], share_text, 3),
             "covered_probability": for_json(m["map"].probability(covered=True), m["predicted"], rule)}
            for m in mistakes]


def share_text(share: float) -> str:
    """A mistake's border share as report.md's table writes it, in whole percent ('45'); report.json keeps the share
    with the decimals that give the same (0.4451, not 0.445: read again, that was written 44)."""
    return str(round(100 * share))


def shown(p: float, k: int, rule: Rule) -> str:
    """Class ``k``'s probability ``p`` to 2 decimals for report.md and the maps' titles, on its side of ``rule``'s
    thresholds (more decimals where 2 cannot keep it there): a film called COVID by 'COVID whenever p >= 0.3049' at
    0.30495 read 'p = 0.30', one the rule does not call COVID. Elsewhere as fixed() writes it (a covered 1.1e-07
    stays 1.1e-07, not the 0.000001 beside_rule keeps it off 0 with)."""
    kept = beside_rule(p, k, rule, 2)
    return fixed(p, 2) if kept == beside_rule(p, k, None, 2) else exact_text(kept, 2)


def mistake_lines(rows: list[dict], classes: list[str], rule: Rule = None) -> list[str]:
    """report.md's table rows of the most confident mistakes (``rows``: occlusion_rows'), probabilities as shown()."""
    return [f"| {md_cell(r['file'])} | {md_cell(r['true'])} | {md_cell(r['predicted'])} | "
            f"{shown(r['probability'], classes.index(r['predicted']), rule)} | "
            f"{shown(r['covered_probability'], classes.index(r['predicted']), rule)} | "
            f"{'no evidence' if r['border_share'] is None else share_text(r['border_share'])} |" for r in rows]


def occlusion_section(out_dir: Path, mistakes: list[dict], x: np.ndarray, classes: list[str], files: list[str],
                      report: dict, evidence: dict | None = None, scope: str = "", rule: Rule = None) -> list[str]:
    """Markdown (and occlusion.png, and report["occlusion"]) for the most confident mistakes, led by
    the share of the evidence in the border over the whole set when ``evidence`` is given.
    ``scope`` ends the heading, e.g. " (int8, test split)"; ``rule``: the thresholds the report states, each
    probability kept on its side of them (shown)."""
    report["occlusion"] = occlusion_rows(mistakes, classes, files, rule)
    md = [f"## Where the model looked on its most confident mistakes{scope}", ""]
    if evidence:
        report["evidence_border_share"] = evidence
        md += [evidence_line(evidence), ""]
    if not mistakes:
        return md + ["No image was misclassified.", ""]
    titles = [f"{Path(files[m['index']]).name}\ntrue {classes[m['true']]}, said {classes[m['predicted']]} "
              f"(p = {shown(m['probability'], m['predicted'], rule)})" for m in mistakes]
    drawn = plots.available()
    if drawn:
        from convert.evidence_plot import occlusion_grid

        occlusion_grid([x[m["index"]] for m in mistakes], [m["map"] for m in mistakes], titles,
                       out_dir / "occlusion.png", synthetic_mark(report))
    if not any(r["border_share"] is not None for r in report["occlusion"]):
        return md + unpainted_lines(report["occlusion"], evidence, drawn, classes, rule)
    if not drawn:  # the table and border shares are still worked out; the pictures need matplotlib
        md += ["No maps drawn here (matplotlib is not installed): `edge-classify --explain DIR` on these films draws "
               "each one with Pillow alone. The border shares below are computed all the same.", ""]
    md += ["Occlusion maps: each film is dimmed, and the areas painted over it (orange to pale yellow, outlined by a "
           "white line edged in black) are those whose cover (a "
           "square an eighth of the image's side, of the film's mean grey) most lowered the log-odds of the wrong "
           "answer, i.e. where the model found its evidence; the brighter, the stronger within one map, in colour and "
           "in a greyscale print alike, as in edge-classify --explain. 'covered' is that answer's probability with its "
           "strongest square covered: how much "
           "the brightest part matters. A map where no square lowers the answer's log-odds by 0.05 or more is left "
           "unpainted ('no evidence'). "
           "Evidence on text, markers or the film's edges suggests the model reads the film's origin, not the disease; "
           "on the heart, mediastinum or diaphragm it may be either. A map shows which areas changed the answer when "
           "covered, not that the model recognised a finding there. "
           "'border %' is the share of that evidence in the film's outer eighth (the black padding around a film that "
           "is not square left out), outside the frame drawn as a black and a white line (about 44% if it were spread "
           "evenly).", "",
           *([image("occlusion"), ""] if drawn else []), "| file | true | predicted | probability | covered | border % |",
           "|---|---|---|---:|---:|---:|"]
    md += mistake_lines(report["occlusion"], classes, rule)
    return md + [""]


def unpainted_lines(rows: list[dict], evidence: dict | None, drawn: bool, classes: list[str], rule: Rule) -> list[str]:
    """The section's lines where no map of the mistakes found evidence: said once, and the films shown for what they
    are, without the maps' long key and the 'covered' and 'border %' columns, which need evidence. 'None of the 24
    images ... gave evidence' was followed by the key to painted maps, a picture with nothing painted and six rows
    each marked 'no evidence'. The films themselves stay (occlusion.png and the table): the films a model was most
    sure of and wrong on are worth a look. ``rows``: occlusion_rows'."""
    n = len(rows)
    none = "its map found no evidence" if n == 1 else "none of their maps found evidence"
    said = f"as over the set, {none}" if evidence and not evidence.get("n") else f"{none} ({NO_EVIDENCE})"
    shown_as = ("The picture shows them dimmed, nothing painted, for a look at them" if drawn else
                "No pictures drawn here (matplotlib is not installed): `edge-classify --explain DIR` draws these films "
                "with Pillow alone")
    lines = [f"The model's {counted(n, 'most confident mistake')} below: {said}, so nothing is painted and no share "
             f"in the border is given. {shown_as}; the table gives each answer's probability.", ""]
    return [*lines, *([image("occlusion_unpainted", "occlusion.png"), ""] if drawn else []),
            "| file | true | predicted | probability |", "|---|---|---|---:|",
            *(f"| {md_cell(r['file'])} | {md_cell(r['true'])} | {md_cell(r['predicted'])} | "
              f"{shown(r['probability'], classes.index(r['predicted']), rule)} |" for r in rows), ""]
