"""Words that stand beside the reports' figures, for readers who cannot see them.

A screen reader announces an image by its alt text, and a report printed in greyscale or read as
plain text in a terminal loses what the colours said: every figure gets alt text that says what
it shows and where its numbers are, and the reliability diagram's numbers get a table of their own.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from edge.controls import escaped
from edge.figures import fixed
from edge.text_width import shown_width

ALT = {
    "confusion": "Confusion matrix: rows are the true class, columns the answer; each cell gives the count and the "
                 "share of its row (the same counts as the table above)",
    "confusion_matrices": "Confusion matrix of each model, rows the true class, columns the answer, counts and row "
                          "shares (each model's table is in its section below)",
    "sensitivity": "Sensitivity of each class for each model, with 95% intervals (the numbers are in the summary "
                   "table and each model's per-class table)",
    "roc": "ROC curve of each class against the rest: sensitivity against 1 - specificity; each class's AUROC is in "
           "the per-class table",
    "reliability": "Reliability diagram: accuracy against the top class's probability in 15 bins, the diagonal being "
                   "perfect calibration (the numbers are in the table below it)",
    "operating_points": "Operating points: each class's sensitivity against specificity as its threshold moves, the "
                        "chosen thresholds marked (the numbers are in the table above)",
    "occlusion": "Evidence maps of the most confident mistakes: each film with the areas the model relied on drawn "
                 "over it (file, answer and the share of evidence in the border are in the table below)",
    "occlusion_unpainted": "The most confident mistakes, each film dimmed and unpainted: covering no part of it changed "
                           "the answer enough to map (file and answer are in the table below)",
}

TERMS = ("Sensitivity: the share of a class's films given that class; specificity: the share of the other films not "
         "given it; PPV: the share of that class's answers that were right; F1: the harmonic mean of sensitivity and "
         "PPV; AUROC: the area under the ROC curve (0.5 is chance, 1 perfect); balanced accuracy: the mean of the "
         "classes' sensitivities, so it needs films of two classes or more (a set of one class has none: its "
         "class's sensitivity is the figure then). 95% intervals: Wilson's for proportions; for balanced accuracy a percentile "
         "bootstrap (resampling within each class), or where a class's films were all right or all wrong, which no "
         "resample can vary, one combined from the classes' Wilson intervals (MOVER); for AUROC Newcombe's score "
         "interval (method 5), a class's films against the rest, and for a macro AUROC of three or more classes the "
         "mean of its classes' limits.")


def image(name: str, file: str | None = None, classes: list[str] | None = None, one_class: bool = False,
          absent: list[str] | None = None) -> str:
    """The Markdown of figure ``name`` (a key of ALT; the file is ``name``.png unless given). For the ROC of two
    ``classes`` it says that it shows one curve: a screen reader was told of a curve for each class; for films of
    ``one_class`` only, that it shows none (the text said 'its AUROC is in the per-class table' of an AUROC n/a).
    ``absent``: the classes with no films here, whose ROC curve or sensitivity bars the picture lacks: the alt text
    promised one each."""
    alt = ALT[name]
    them = "it" if len(absent or []) == 1 else "them"
    if name == "roc" and absent and not one_class and len(classes or []) > 2:
        alt += f"; no curve for {', '.join(map(md_cell, absent))}: no films of {them} here"
    if name == "sensitivity" and absent:  # the picture says 'no films here: n/a' in the empty slot; so must its words
        alt += f"; no bar for {', '.join(map(md_cell, absent))}: no films of {them} here"
    if name == "roc" and one_class:
        alt = "No ROC: these films hold one class only, so there is no curve and no AUROC"
    elif name == "roc" and classes is not None and len(classes) == 2:
        from convert.plots import positive_class

        shown = md_cell(classes[positive_class(classes)])
        alt = (f"ROC curve of {shown} against the other class, one curve (with two classes the other class's curve "
               "would say the same): sensitivity against 1 - specificity; its AUROC is in the per-class table")
    return f"![{alt}]({file or name + '.png'})"


def reliability_table(bins_by_model: dict[str, list[dict]], floor: float = 0.0) -> list[str]:
    """The reliability diagram as numbers: per confidence bin that holds films, each model's film count,
    mean top-class probability and accuracy (%). A bin of a few films says little, whatever its point.
    ``floor``: the lowest top-class probability there can be (1/classes), where the first bin's label
    starts; below the table, in words, the first model's bin of 10 films or more whose accuracy is
    furthest from its probability, since "ECE 0.09" tells a reader little."""
    names = list(bins_by_model)
    prefix = (lambda n: f"{n}: ") if len(names) > 1 else (lambda n: "")
    head = "| top-class probability | " + " | ".join(
        f"{prefix(n)}films | {prefix(n)}mean probability % | {prefix(n)}accuracy %" for n in names) + " |"
    lines = [head, "|---|" + "---:|---:|---:|" * len(names)]
    n_bins = max((len(b) for b in bins_by_model.values()), default=0)
    for i in range(n_bins):
        rows = [bins_by_model[n][i] if i < len(bins_by_model[n]) else None for n in names]
        if not any(r and r["count"] for r in rows):
            continue
        lo, hi = next((r["lo"], r["hi"]) for r in rows if r)
        cells = []
        for r in rows:
            if not r or not r["count"] or any(math.isnan(r[k]) for k in ("confidence", "accuracy")):
                cells += ["0", "—", "—"]
            else:
                cells += [str(r["count"]), fixed(r["confidence"], 1, 100), fixed(r["accuracy"], 1, 100)]
        lines.append(f"| {bin_range(lo, hi, floor)} | " + " | ".join(cells) + " |")
    return lines + _worst_bin_words(bins_by_model[names[0]] if names else [], floor)


def bin_range(lo: float, hi: float, floor: float) -> str:
    """A reliability bin's edges as people read them: '66.7 to 73.3%'. Whole percents put a bin's own
    mean outside its label (66.9 in '67 to 73%', a helper's case); edges on whole percents stay whole."""
    def pct(v: float) -> str:
        return f"{100 * v:.1f}".removesuffix(".0")
    return f"{pct(max(lo, floor))} to {pct(hi)}%"


ECE_MIN_FILMS = 20  # under this many films, report.md says they are too few to judge calibration
CALIBRATED_WITHIN = 0.05  # how close a bin's share of right answers must be to the probability given


def _right(b: dict) -> int:
    return round(b["accuracy"] * b["count"])


def _too_few_words(full: list[dict], n: int, floor: float) -> list[str]:
    """Why bins whose share of right answers is within 5 points of the probability given still do not show
    that the probabilities can be read as they stand: the set is under the report's floor, or a bin's 95%
    interval reaches beyond the 5 points (8 of 12 right, 67% against 70% given, is 39–86%). [] when neither."""
    from convert.metrics import wilson_interval

    cis = [(x, *wilson_interval(_right(x), x["count"])) for x in full]
    loose = [c for c in cis if c[1] < c[0]["confidence"] - CALIBRATED_WITHIN or c[2] > c[0]["confidence"] + CALIBRATED_WITHIN]
    if n >= ECE_MIN_FILMS and not loose:
        return []
    x, lo, hi = max(loose or cis, key=lambda c: c[2] - c[1])
    # the set is under the floor, or one bin's films are too few for its interval: that bin's count, not the set's
    few = f"{n:,} films, under {ECE_MIN_FILMS}, are" if n < ECE_MIN_FILMS else f"the {x['count']:,} films of a bin are"
    return ["", f"Where 10 films or more share a bin, the share of right answers is within 5 points of the probability "
                f"the model gave, but {few} too few to tell whether its probabilities can be read as "
                f"they stand: films given {bin_range(x['lo'], x['hi'], floor)} were right {fixed(x['accuracy'], 0, 100)}% "
                f"of the time ({_right(x)} of {x['count']}; 95% CI {fixed(lo, 0, 100)}–{fixed(hi, 0, 100)}%)."]


def _worst_bin_words(bins: list[dict], floor: float) -> list[str]:
    full = [b for b in bins if b["count"] >= 10 and not math.isnan(b["confidence"]) and not math.isnan(b["accuracy"])]
    if not full:
        return []
    b = max(full, key=lambda b: abs(b["confidence"] - b["accuracy"]))
    gap = b["accuracy"] - b["confidence"]
    if abs(gap) < CALIBRATED_WITHIN:
        n, judged = sum(x["count"] for x in bins), sum(x["count"] for x in full)
        if unsure := _too_few_words(full, n, floor):
            return unsure
        where = ", ".join(bin_range(x["lo"], x["hi"], floor) for x in full)
        if judged == n:
            return ["", "Where 10 films or more share a bin, the share of right answers is within 5 points of the "
                        "probability the model gave: its probabilities can be read as they stand on films like these."]
        # one full bin (93-100%) must not vouch for the films elsewhere: 11 films given 70% were right 55% of the time
        return ["", f"Where 10 films or more share a bin ({where}: {judged} of {n} films), the share of right answers "
                    f"is within 5 points of the probability the model gave. The other {n - judged} {'film lies' if n - judged == 1 else 'films lie'} in "
                    "bins too sparse to judge one by one (the ECE weighs them all): these films say nothing yet of how far "
                    "their probabilities can be read as they stand."]
    from convert.metrics import wilson_interval

    right = _right(b)
    lo, hi = wilson_interval(right, b["count"])
    how = f"{'over' if gap < 0 else 'under'}-confident"
    n = sum(x["count"] for x in bins)
    # a bin of 17 films cannot show a gap its interval spans; nor can a set under the headline's floor, whose ECE
    # report.md calls too few to judge calibration (13 films, 12 of one class all given it at 54%, read "there the
    # model is under-confident" below that)
    said = (f"{b['count']} films cannot tell whether the model is {how} there (the interval holds the "
            f"{fixed(b['confidence'], 0, 100)}% it gave)" if lo <= b["confidence"] <= hi else
            f"{n:,} films, under {ECE_MIN_FILMS}, are too few to tell whether the model is {how} there"
            if n < ECE_MIN_FILMS else f"there the model is {how}")
    return ["", f"For example, films given {bin_range(b['lo'], b['hi'], floor)} were right "
                f"{fixed(b['accuracy'], 0, 100)}% of the time ({right} of {b['count']}; 95% CI {fixed(lo, 0, 100)}–{fixed(hi, 0, 100)}%): "
                f"{said}. A probability is the model's score, not this patient's risk."]


def md_cell(text: object) -> str:
    """Text from a file or folder name, or a manifest value, as one Markdown table cell: a '|' in it
    opened another column and a line break ended the row (a film named 'a|b.png' broke report.md);
    '**below**' as a ward's name read as the report's own mark, and '<img ...>' or '[x](y)' as a
    picture or a link. Underscores within a word stay (no emphasis there, and names are full of them);
    one at a word's edge is escaped ('__init__' read as a bold 'init'). Other control characters (ESC, BEL,
    U+202E, ...) as their \\uXXXX escapes (edge.controls): 'cat report.md' ran a name's ESC c (a terminal reset),
    and a right-to-left override reversed the rest of its row."""
    text = re.sub(r"([\\`*\[\]<>|])", r"\\\1", re.sub(r"[\r\n]+", " ", str(text)))
    return escaped(re.sub(r"_(?![^\W_])|(?<![^\W_])_", r"\_", text))


def md_names(text: str, names) -> str:
    """A sentence written for the terminal and report.json, which hold names as they are, as report.md says it:
    each of ``names`` (class names, sources, group values) in it through md_cell, once ('<img src=x>' as a class
    folder's name was a picture in report.md, '*x*' emphasis). In one pass, the longest name first; a name md_cell
    leaves as it is ('COVID', 'Lung_Opacity') is left alone, so a report of plain names is unchanged. Only for text
    that holds no md_cell output yet: an escaped '\\*x' holds the name '*x' again."""
    odd = sorted({str(n) for n in names if n is not None and md_cell(n) != str(n)}, key=len, reverse=True)
    if not odd or not text:
        return text
    return re.sub("|".join(map(re.escape, odd)), lambda m: md_cell(m.group()), text)


def warning_lines(warnings: list[str], names) -> list[str]:
    """report.md's bold warnings, each a sentence said on stderr (names as they are) and here through md_names, then a
    blank line; [] for none. A rule's warnings on the terminal alone were gone once the terminal closed."""
    shown = [md_names(w, names) for w in warnings if w]
    return [f"**Warning:** {w[0].upper()}{w[1:]}." for w in shown] + [""] if shown else []


def md_code(text: object) -> str:
    """A file name as an inline code span, whatever it holds: fenced by more backticks than any run in it
    (two names with a backtick made one span across the sentence), its line breaks as spaces (a name with
    a newline and '# ' made a heading of the report); other control characters as their \\uXXXX escapes (md_cell)."""
    name = escaped(re.sub(r"[\r\n]+", " ", str(text)))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", name)), default=0) + 1)
    pad = " " if name.startswith("`") or name.endswith("`") else ""
    return f"{fence}{pad}{name}{pad}{fence}"


def _cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def align_tables(lines: list[str]) -> list[str]:
    """The same Markdown with each table's columns padded to one width as a terminal shows it (shown_width),
    so that report.md reads as a table in a terminal or a plain-text viewer too (rendered Markdown ignores
    the padding)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].startswith("|") and lines[j].rstrip().endswith("|"):
            j += 1
        rows = [_cells(line) for line in lines[i:j]]
        if j - i < 2 or not all(set(c) <= set("-:") and c for c in rows[1]) or len({len(r) for r in rows}) != 1:
            out.append(lines[i])
            i += 1
            continue
        content = rows[:1] + rows[2:]  # rows[1] is the |---|---:| line
        widths = [max(3, *(shown_width(r[k]) for r in content)) for k in range(len(rows[0]))]
        right = [c.endswith(":") for c in rows[1]]
        for n, r in enumerate(rows):
            if n == 1:
                cells = [(":" if c.startswith(":") else "-") + "-" * (w - 2) + (":" if c.endswith(":") else "-")
                         for c, w in zip(r, widths)]
            else:
                pads = [" " * (w - shown_width(c)) for c, w in zip(r, widths)]
                cells = [pad + c if at_right else c + pad for c, pad, at_right in zip(r, pads, right)]
            out.append("| " + " | ".join(cells) + " |")
        i = j
    return out


def reference_standard_line(data_dir: str | Path | None = None) -> str:
    """What every figure is measured against, and what it does not cover: a reader takes
    'sensitivity 93.9%' for agreement with a radiologist, when it is agreement with however the
    films were filed. A data folder's README.md (cxr-dev has one) says how its labels were made."""
    readme = Path(data_dir) / "README.md" if data_dir is not None else None
    return ("**Reference standard and scope:** every figure here measures agreement with the class each film was "
            "filed under (its folder, or its MANIFEST.csv label), however that label was established (a positive "
            "test, a radiologist's reading, words mined from a report): cxr-edge cannot check it, and no film was "
            "re-read, so some \"mistakes\" may be label errors. Patients, views (lateral, supine), devices, ages and "
            "findings that are not among these films were not tested."
            + (f" {md_code(readme)} describes where these films and their labels come from." if readme and readme.is_file() else ""))
