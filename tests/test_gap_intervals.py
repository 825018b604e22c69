"""The paired interval beside the gate's per-class sensitivity change (convert/gap_intervals.py): report.json's
models.<mode>.delta.sensitivity_points_ci and report.md's Δ sens. cells. Without it, '+0.0' on 9 films a class read as
'int8 costs nothing', where those films leave about 10 points either way."""

import numpy as np

from convert.gap_intervals import sensitivity_gap_intervals
from convert.gate import change_text, deltas, gate
from convert.intervals import paired_difference
from convert.quant_report import summary_table
from convert.summary import summarize

CLASSES = ["COVID", "Normal"]


def _probs(labels, n_classes=2):
    p = np.full((len(labels), n_classes), 0.2)
    p[np.arange(len(labels)), labels] = 0.8
    return p


def test_no_flips_still_leaves_room():
    y = np.array([0] * 9 + [1] * 9)
    pred = np.array([0] * 5 + [1] * 4 + [1] * 8 + [0])
    ci = sensitivity_gap_intervals(y, _probs(pred), _probs(pred), CLASSES)
    lo, hi = ci["COVID"]
    assert lo < -5 and hi > 5  # 9 films: far from the point 0
    assert lo == round(100 * paired_difference(5, 0, 0, 4)[0], 2)


def test_a_film_made_wrong_moves_its_class_only():
    y = np.array([0] * 9 + [1] * 9)
    ref = np.array([0] * 9 + [1] * 9)
    new = ref.copy()
    new[0] = 1  # one COVID film made wrong
    ci = sensitivity_gap_intervals(y, _probs(ref), _probs(new), CLASSES)
    assert ci["COVID"][0] < -100 / 9 < ci["COVID"][1]
    assert ci["Normal"][0] < 0 < ci["Normal"][1]


def test_class_without_test_films_is_none():
    y = np.array([0, 0, 0])
    ci = sensitivity_gap_intervals(y, _probs([0, 0, 1]), _probs([0, 0, 1]), CLASSES)
    assert ci["Normal"] is None and ci["COVID"] is not None


def test_deltas_and_summary_table_carry_it():
    y = np.array([0] * 9 + [1] * 9)
    ref_p, new_p = _probs(np.r_[[0] * 9, [1] * 9]), _probs(np.r_[[1], [0] * 8, [1] * 9])
    ref, new = summarize(y, ref_p, CLASSES, n_boot=50), summarize(y, new_p, CLASSES, n_boot=50)
    d = deltas(ref, new, (y, ref_p, new_p))
    assert set(d["sensitivity_points_ci"]) == set(CLASSES)
    lo, hi = d["sensitivity_points_ci"]["COVID"]
    assert lo <= d["sensitivity_points"]["COVID"] <= hi
    report = {"classes": CLASSES, "models": {
        "keras": {**ref, "size_bytes": 4096},
        "int8": {**new, "size_bytes": 2048, "tflite_bytes": 1024, "size_ratio_to_fp32": None, "delta": d,
                 "agreement": {"class_agreement": 17 / 18, "max_abs_prob_error": 0.6},
                 "gate": {"passed": False, "reasons": []}}}}
    text = "\n".join(summary_table(report))
    assert f"-11.1 ({lo:+.1f} to {hi:+.1f})" in text
    assert "paired 95% interval" in text


def test_a_drop_over_the_limit_reads_over_it():
    """2 of 98 Normal films made wrong is a 2.04-point drop: over the default 2-point limit, so the gate fails, and the
    Summary's cell read '-2.0' beside **FAILED**. It now shows the decimals that put it over."""
    y = np.array([0] * 98 + [1] * 98)
    ref_p = _probs(y)
    new = y.copy()
    new[98:100] = 0
    new_p = _probs(new)
    ref, cand = summarize(y, ref_p, CLASSES, n_boot=50), summarize(y, new_p, CLASSES, n_boot=50)
    verdict = gate(ref, cand, max_drop=5.0, max_class_drop=2.0)
    assert not verdict["passed"] and "Normal sensitivity fell 2.04 points" in verdict["reasons"][0]
    report = {"classes": CLASSES, "gate": {"max_drop": 5.0, "max_class_drop": 2.0}, "models": {
        "keras": {**ref, "size_bytes": 4096},
        "int8": {**cand, "size_bytes": 2048, "tflite_bytes": 1024, "size_ratio_to_fp32": None,
                 "delta": deltas(ref, cand), "agreement": {"class_agreement": 194 / 196, "max_abs_prob_error": 0.6},
                 "gate": verdict}}}
    row = next(line for line in summary_table(report) if line.startswith("| int8"))
    cells = [c.strip() for c in row.split("|")]
    assert cells[7] == "-1.0" and cells[8] == "+0.0" and cells[9] == "-2.04" and "**FAILED**" in row
    assert change_text(-2.0, 2.0) == "-2.0" and change_text(None) == "n/a" and change_text(0.5) == "+0.5"
