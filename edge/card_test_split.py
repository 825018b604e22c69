"""The card's lines on the test split (edge-classify --card): its figures with 95% intervals, where they stand
against chance, what may flatter them, each class's, and what an answer is worth where no rule is stored."""

from __future__ import annotations

from typing import Any

from edge.answer_worth import is_normal_class, ppv_line
from edge.card_figures import _auc, _ci, _num, balanced_ci
from edge.card_warnings import chance_verdict
from edge.figures import fixed
from edge.missed_films import misses_line
from edge.stamped_by import RESTAMP_BELOW, converter_version
from edge.synthetic_words import DRAWN
from edge.text_width import padded, shown_width

# Which kind of validation the test split was (convert.study_design.test_split_design), in words.
_DESIGN_WORDS = {"internal": "from the hospitals and archives of its training films: internal validation",
                 "external": "from sources none of its training films came from, by name: external validation",
                 "mixed": "partly from the sources of its training films: partly internal validation"}
CARD_ECE_MIN_FILMS = 20  # as report.md's (convert.report_text.ECE_MIN_FILMS): the card drops no caveat the report makes


def unanswered(per_class: dict[str, dict], films: str = "test split") -> str:
    """Said after a PPV line of each class: the classes it leaves out, and why. A chance-level model that answers
    every film Lung_Opacity got a line of Lung_Opacity's PPV alone, the other classes silently missing."""
    rates = {c: ((r.get("sensitivity") or [None])[0], (r.get("specificity") or [None])[0]) for c, r in per_class.items()}
    if len(rates) == 2 and sum(is_normal_class(c) for c in rates) == 1:  # its line says so itself
        return ""
    never = [c for c, (se, sp) in rates.items() if se == 0 and sp == 1]
    absent = [c for c, (se, sp) in rates.items() if se is None or sp is None]
    why = ([f"never answered on the {films}: {', '.join(never)}"] if never else []) + (
        [f"no films of theirs among the {films}: {', '.join(absent)}"] if absent else [])
    return f"; no PPV for the classes {'; '.join(why)}" if why else ""


def test_split_lines(meta: dict[str, Any], v: dict, labels: list[str], drawn: bool) -> list[str]:
    """The card's lines on the test split (``v``: the file's validation record), from its lead line to what an
    answer by the most probable class is worth; the lines on a stored rule follow them (edge.card_rule)."""
    lines = []
    t = v["test"]
    design = DRAWN if drawn else _DESIGN_WORDS.get(t.get("study_design"), "")  # said where recorded (cxr-edge 0.23+)
    # a file that stores a rule answers by it: the lead figures are not its answers, and say so (hunt 58, M2)
    ruled = " (not the device's answers: it answers by its rule, below)" if meta.get("decision") else ""
    lines.append(f"Test split of {v['data']} (n = {t['n']}, kept out of training with the copies cxr-train found"
                 f"{'; ' + design if design else ''}), most probable class{ruled}: balanced accuracy "
                 f"{balanced_ci(t['balanced_accuracy'], 1 / max(1, len(labels)))}, macro AUROC "
                 f"{_auc(t)}, ECE {_num(t['ece'])}"
                 + (f" (under {CARD_ECE_MIN_FILMS} films: too few to judge calibration)"
                    if isinstance(t.get("n"), int) and t["n"] < CARD_ECE_MIN_FILMS else ""))
    where = chance_verdict(meta)
    if where == "below":
        lines.append("  Its balanced accuracy's interval lies wholly below chance: on its test films it is "
                     "systematically wrong, as if labels were swapped: check its training folders' labels "
                     "before any use.")
    elif where == "reaches":
        lines.append("  Its balanced accuracy's interval reaches down to chance: its test films do not show that it "
                     "tells the classes apart.")
    stamped_by = converter_version(meta)
    # a run split before cxr-train looked for them (0.15.0 and older; files converted then lack the key)
    if t.get("crops_searched") is False or ("crops_searched" not in t and stamped_by and stamped_by <= (0, 15, 0)):
        lines.append("  Cropped, moved, turned or mirrored copies were not looked for when this split was drawn: "
                     "test films may be such copies of training films, and then these figures flatter the model.")
    if stamped_by and stamped_by < RESTAMP_BELOW:
        lines.append(f"  These figures are as cxr-edge {'.'.join(map(str, stamped_by))} worked them out (intervals of "
                     "small test sets collapsed to one value, caveats since added): cxr-convert RUN --report-only "
                     "on its run folder stamps them again as this version does.")
    name_w = max([16, *map(shown_width, t["per_class"])])
    lines += [f"  {padded(c, name_w)} n = {r['n']:<4} sensitivity {_ci(r['sensitivity'])}  specificity "
              f"{_ci(r['specificity'])}" for c, r in t["per_class"].items()]
    if line := misses_line(t, labels):
        lines.append(line)
    f = v.get("against_float")
    if f:
        lines.append(f"  Against the float (Keras) model on the same films: the same class for {f['same_class']} of "
                     f"{f['n']}, probabilities at most {fixed(f['max_abs_prob_error'], 4)} apart")
    rule, site_rule, decision = v.get("rule_on_test"), v.get("rule_on_site"), meta.get("decision")
    # the device answers as these figures; a clinic's prevalence means nothing for drawings
    if not (rule or site_rule or decision or drawn) and (ppv := ppv_line(t["per_class"])):
        lines.append(ppv + unanswered(t["per_class"]))
    return lines
