"""The shortcut audit (train.audit) as a section of report.md: what the files alone, never their pixels, say
about the label, per trait, and the values that give a class away."""

from __future__ import annotations

from convert.report_text import md_cell
from edge.figures import fixed, rounded_down
from train.audit import PERMUTATIONS, WARN_LIFT


def at_chance_lines(audit: dict) -> list[str]:
    """What a figure at or below chance means, said under the table where one is: a reader took a format/mode score of
    36% against 50% for a finding, where traits that carry no label score around chance, below it as often as above
    on a small sample (the cross-validation's noise). [] where every figure is above chance."""
    figures = {**{t: v["balanced_accuracy"] for t, v in audit["traits"].items()}, "all together": audit["combined"]}
    low = [f"{md_cell(t)} {fixed(v, 1, 100)}%" for t, v in figures.items() if v <= audit["chance"]]
    if not low:
        return []
    return [f"At or below chance ({', '.join(low)}): there the files alone say nothing about the label; a score under "
            "chance is the noise of a small sample, not a finding.", ""]


def audit_section(audit: dict | None, heading: str = "##") -> list[str]:
    """A report section: the table per trait and the give-aways."""
    if not audit or audit.get("combined") is None:
        return []
    md = [f"{heading} What the files alone say about the label", "",
          "A naive Bayes classifier that sees only how each image was stored (source in MANIFEST.csv or the Kaggle "
          "database's metadata, file format, "
          f"pixel mode, size, aspect ratio, trimmed border), never its pixels, scored by {audit.get('folds', 5)}-fold "
          "cross-validation. "
          "Well above chance means a model can score by recognising the archive instead of the lungs: compare the "
          "per-source results and validate on another site's films.", "",
          f"| traits | distinct values | balanced accuracy % (chance {fixed(audit['chance'], 1, 100)}%) |",
          "|---|---:|---:|"]
    md += [f"| {t} | {v['values']} | {fixed(v['balanced_accuracy'], 1, 100)} |" for t, v in audit["traits"].items()]
    ci, p = audit.get("combined_ci"), audit.get("combined_p")
    within = (f" (p = {p:.3f})" if p is not None else f" ({fixed(ci[0], 1, 100)}–{fixed(ci[1], 1, 100)})" if ci else "")
    md += [f"| **all together** | | **{fixed(audit['combined'], 1, 100)}**{within} |", ""]
    md += at_chance_lines(audit)
    if p is None and not ci and audit["lift"] < WARN_LIFT:  # 60.8% against 50% with no p and no verdict: say why
        # rounded down: a lift of 24.96% read "these traits close 25%" beside a warning level of 25%
        md += [f"Below the warning level ({fixed(WARN_LIFT, 0, 100)}% of the gap from chance to a perfect score; these "
               f"traits close {rounded_down(max(0.0, audit['lift']), 0)}%): no test run, no warning.", ""]
    if p is not None:
        md += [f"p: the share of {audit.get('permutations', PERMUTATIONS)} shufflings of the labels (each a set whose "
               "traits carry no label) in which these traits scored as well, counting this one; a warning needs it "
               "at most 0.025.", ""]
    if (p is not None or ci) and audit["lift"] >= WARN_LIFT and not audit["warn"]:
        why = ("traits that carry no label score as well too often (p above 0.025)" if p is not None else
               "its 95% interval reaches chance")  # an audit of 0.37-0.38, as it was recorded
        md += [f"On {audit['n']} films {why}: too few to tell the traits from chance, so no warning is given; audit a "
               "larger set of the same sites.", ""]
    if "source" not in audit["traits"]:
        md += ["No source was audited: no `MANIFEST.csv` (nor the Kaggle database's `*.metadata.xlsx`) names where these "
               "films come from (or it names one source "
               "for all). Where a film comes from is the strongest give-away in public sets, so this score may "
               "understate how much the files alone say.", ""]
    if audit["warn"]:
        md += [f"**Warning:** the traits close {fixed(audit['lift'], 0, 100)}% of the gap from chance to a perfect score.", ""]
    if audit["give_aways"]:
        md += ["| trait | value | images | share in one class |", "|---|---|---:|---|"]
        # a source's or class folder's name: text, never Markdown
        md += [f"| {g['trait']} | {md_cell(g['value'])} | {g['count']} | {fixed(g['share'], 0, 100)}% {md_cell(g['class'])} |"
               for g in audit["give_aways"][:10]]
        md.append("")
    return md
