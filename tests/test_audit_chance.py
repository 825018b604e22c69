"""A shortcut-audit figure at or below chance, said for what it is in report.md.

A physicist's report.md showed a format/mode score of 36% against 50% chance with no word: read as a finding, where
traits that carry no label score around chance on a small sample, below it as often as above."""

from __future__ import annotations

import numpy as np

from convert.audit_section import audit_section
from train.audit import shortcut_audit


def _traits(values: list[str]) -> list[dict[str, str]]:
    return [{"source": "", "format": v, "mode": "x", "size": "~256 px", "aspect": "1.0", "border": "none"} for v in values]


def test_a_figure_below_chance_is_said_to_say_nothing_about_the_label():
    # 16 films, a format that carries no label (PNG, PNG, JPEG, JPEG, ... beside COVID, Normal, COVID, Normal, ...)
    audit = shortcut_audit(_traits(["PNG" if i % 4 < 2 else "JPEG" for i in range(16)]), np.array([i % 2 for i in range(16)]),
                           ["COVID", "Normal"])
    assert audit["traits"]["format"]["balanced_accuracy"] < audit["chance"]  # 0.375: the cross-validation's noise
    md = audit_section(audit)
    (line,) = [ln for ln in md if ln.startswith("At or below chance")]
    assert line == ("At or below chance (format 37.5%, all together 37.5%): there the files alone say nothing about "
                    "the label; a score under chance is the noise of a small sample, not a finding.")


def test_figures_above_chance_get_no_such_line():
    y = np.array([0] * 30 + [1] * 20)
    audit = shortcut_audit(_traits(["JPEG"] * 30 + ["PNG"] * 20), y, ["COVID", "Normal"])
    assert not any("below chance" in ln for ln in audit_section(audit))
