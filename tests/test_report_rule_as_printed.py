"""cxr-evaluate's report says the rule that labelled its films as it labelled them: the rule as report.md prints it,
applied to the probabilities its tables and predictions.csv print, gives the labels they print (as edge-classify's
output does: edge.decision.beside_rule, edge.output.rule_text)."""

from __future__ import annotations

import csv
import re

import numpy as np

from convert.occlusion import explain_mistakes
from convert.report import evaluation_report
from edge.decision import EXACT_DIGITS, fmt_threshold
from tests.conftest import unpadded

T = float(np.float32(0.2000660002231598))  # a float32 threshold (a film's own probability), printed 0.200066


def _log_scores(batch: np.ndarray) -> np.ndarray:
    """Each film's log-probabilities from its grey (every film one grey, which covering a square keeps): the film of
    grey 30 lies exactly at the threshold T, the others far from it."""
    p_covid = {10: 0.9, 20: 0.1, 30: T, 40: 0.05}
    p = np.array([p_covid[int(b.mean().round())] for b in batch])
    return np.log(np.stack([p, 1 - p], 1))


def test_a_mistake_the_rule_called_covid_is_shown_at_or_above_its_printed_threshold(tmp_path):
    """A Normal film at p(COVID) 0.2000660002, the threshold itself, is called COVID by 'COVID whenever p(COVID) >=
    0.200066': its row in report.md read 0.20 (covered 0.20), its title 'p = 0.20', and report.json 0.200066, all
    under the threshold as stored, the first two under it as printed."""
    x = np.stack([np.full((16, 16, 1), v, np.uint8) for v in (10, 20, 30, 40)])
    y = np.array([0, 1, 1, 1])  # COVID, then three Normal films
    probs = np.array([[p, 1 - p] for p in (0.9, 0.1, T, 0.05)])  # exp(log(T)) is not T: the film's own, as scored
    rule = (0, T)
    given = np.where(probs[:, 0] >= T, 0, 1)
    assert list(given) == [0, 1, 0, 1]  # the film at the threshold is called COVID: a mistake
    mistakes = explain_mistakes(_log_scores, x, y, probs, 4, given)
    out = tmp_path / "r"
    report = evaluation_report(out, "t", y, probs, ["COVID", "Normal"], [f"f{k}.png" for k in range(4)], n_boot=10,
                               mistakes=mistakes, x=x, threshold=rule)
    md = unpadded((out / "report.md").read_text())
    printed = float(fmt_threshold(T, EXACT_DIGITS))
    assert f"Labels follow the rule COVID whenever p(COVID) >= {fmt_threshold(T, EXACT_DIGITS)} " in md
    (row,) = [line for line in md.splitlines() if line.startswith("| f2.png |")]
    cells = [c.strip() for c in row.strip("|").split("|")]
    covered = mistakes[0]["map"].probability(covered=True)  # T give or take a float64 step: on its own side
    (rec,) = report["occlusion"]
    assert rec["predicted"] == "COVID" and rec["probability"] >= T and (rec["covered_probability"] >= T) == (covered >= T)
    assert cells[2] == "COVID" and float(cells[3]) >= printed, row
    # every film one grey, so covering a square changes nothing: no evidence, and report.md's table of such maps has
    # no 'covered' column (it would only repeat the probability); report.json keeps the figure, checked above
    assert not mistakes[0]["map"].found and len(cells) == 4, row


def test_a_stored_rule_is_printed_as_it_labels_the_films(tmp_path):
    """A stored rule at the float32 0.21875736 was printed 0.2187 (4 digits, rounded down) in the sentence 'Labels
    follow the rule', the rule's section heading, the confusion matrix's labelling and the advice on missed films
    ('any film whose COVID probability reaches 0.2187 is called COVID'), while predictions.csv gave a COVID film at
    0.21874, over 0.2187, the label Normal (and its rule column COVID>=0.218757361)."""
    t, under = float(np.float32(0.21875736)), float(np.float32(0.21874))
    covid = np.array([0.9, t, under, *[t] * 10, 0.1, 0.05])  # ten Normal films at the threshold: called COVID
    y = np.array([0, 0, 0, *[1] * 12])
    out = tmp_path / "r"
    evaluation_report(out, "t", y, np.stack([covid, 1 - covid], 1), ["COVID", "Normal"],
                      [f"f{k}.png" for k in range(len(y))], n_boot=10, threshold=(0, t), threshold_from="model file")
    md = (out / "report.md").read_text()
    printed = [re.search(pattern, md) for pattern in (r"Labels follow the rule COVID whenever p\(COVID\) >= ([0-9.]*[0-9])",
                                                      r"## COVID whenever p\(COVID\) ≥ ([0-9.]+)\n",
                                                      r"labels: COVID whenever p \\>= ([0-9.]+)\]",
                                                      r"These labels follow the rule COVID>=([0-9.]+): any film whose "
                                                      r"COVID probability reaches ([0-9.]+) is called COVID")]
    assert all(printed), printed
    with open(out / "predictions.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["rule"] for r in rows} == {f"COVID>={fmt_threshold(t, EXACT_DIGITS)}"}
    for found in printed:
        for threshold in found.groups():
            said = [("COVID" if float(r["p_COVID"]) >= float(threshold) else "Normal") for r in rows]
            assert said == [r["predicted"] for r in rows], (threshold, found.group(0))


def test_a_site_rule_is_printed_as_it_counts_the_films(tmp_path, capsys):
    """--operating-point COVID=0.95 on 20 COVID films chose a film's own probability, the float32 0.21875736, and
    report.md printed it 0.2187 (4 digits, rounded down) beside 'finds 19 of 20' and its warnings' 'most Normal films
    COVID (6 of 10)', as did report.json's warnings, the prevalence heading and the terminal, while predictions.csv gave the
    20th COVID film, and four Normal ones, p_COVID 0.21874: over 0.2187, under the rule chosen."""
    from convert.evaluate_lines import closing_lines
    from convert.operating_point import site_operating_point

    t, under = float(np.float32(0.21875736)), float(np.float32(0.21874))
    covid = np.array([under, t, *np.linspace(0.5, 0.9, 18), *[t] * 6, *[under] * 4])
    y = np.array([0] * 20 + [1] * 10)
    probs = np.stack([covid, 1 - covid], 1)
    site = site_operating_point(y, probs, ["COVID", "Normal"], 0, 0.95, films="films in site (30, cxr-evaluate)")
    assert site["decision"]["threshold"] == t
    out = tmp_path / "r"
    report = evaluation_report(out, "t", y, probs, ["COVID", "Normal"], [f"f{k}.png" for k in range(len(y))],
                               n_boot=10, site_point=site)
    closing_lines(report, {}, ["COVID", "Normal"], site)
    md = (out / "report.md").read_text()
    section = md[md.index("## A threshold chosen on these films"):]
    said = [section, *report["site_operating_point"]["warnings"], *capsys.readouterr()]  # the rule's line: stdout
    assert "finds 19 of 20 COVID films" in section and "(6 of 10)" in section, section
    with open(out / "predictions.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    printed = [x for text in said for x in re.findall(r"p(?:\(COVID\))? (?:≥|>=) ([0-9.]*[0-9])", text)]
    assert len(printed) >= 5, printed  # the section, its two warnings, the prevalence heading, the terminal
    for threshold in printed:
        found = [sum(float(r["p_COVID"]) >= float(threshold) for r in rows if r["true"] == c) for c in ("COVID", "Normal")]
        assert found == [19, 6], (threshold, found)
