"""cxr-evaluate --operating-point with --by: the "By Scanner" table is under the report's labels (the most probable
class), not under the threshold chosen in the same run; the section of that threshold says so and gives the run
that shows each group's figures at it (convert.rule_sections.groups_not_at_it)."""

from __future__ import annotations

import numpy as np

from convert.operating_point import site_operating_point
from convert.report import evaluation_report


def _report(tmp_path, subgroups):
    covid = np.array([*np.linspace(0.1, 0.45, 4), *np.linspace(0.55, 0.95, 16), *np.linspace(0.05, 0.6, 20)])
    y = np.array([0] * 20 + [1] * 20)
    probs = np.stack([covid, 1 - covid], 1)
    site = site_operating_point(y, probs, ["COVID", "Normal"], 0, 0.95, films="films in site (40, cxr-evaluate)")
    evaluation_report(tmp_path / "r", "t", y, probs, ["COVID", "Normal"], [f"f{k}.png" for k in range(len(y))],
                      n_boot=10, site_point=site, subgroups=subgroups)
    return site, (tmp_path / "r" / "report.md").read_text(encoding="utf-8")


def test_a_by_table_beside_a_chosen_threshold_is_said_to_be_under_the_reports_labels(tmp_path):
    """A physicist read each scanner's COVID sensitivity in "By Scanner" as the one at the threshold chosen in the
    same run (COVID=0.95): it was the most probable class's, 62.5% where the threshold gave 87.5%."""
    scanners = ["Agfa DX-D 300", "Carestream"] * 20
    site, md = _report(tmp_path, {"Scanner": scanners, "Modality vendor": scanners})
    from edge.decision import EXACT_DIGITS, fmt_threshold
    t = fmt_threshold(site["decision"]["threshold"], EXACT_DIGITS)
    assert ('The "By Scanner" and "By Modality vendor" tables are under this report\'s labels, not this threshold: '
            f"run again with `--threshold COVID={t} --by 'Scanner,Modality vendor'` for each group's figures at it") in md
    assert md.index("## By Scanner") < md.index("## A threshold chosen on these films") < md.index("tables are under")


def test_without_by_no_such_line(tmp_path):
    _, md = _report(tmp_path, None)
    assert "## A threshold chosen on these films" in md and "under this report's labels" not in md
