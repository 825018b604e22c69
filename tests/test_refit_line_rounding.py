"""The int8 head refit's mean |logit change| (metadata and report.json head_refit.train_mean_abs_logit_change) is kept
with the decimals report.md's refit_line needs to write what the change itself reads: kept to 5 decimals alone,
0.123449 became 0.12345, which refit_line wrote "0.1235" (rounding twice)."""

from __future__ import annotations

import pytest

from convert.head_refit import kept_change, logit_change_text
from convert.quant_report import refit_line


@pytest.mark.parametrize("change, said", [(0.123449, "0.1234"), (0.018449, "0.0184"), (0.033049, "0.0330")])
def test_refit_line_writes_the_change_itself_from_the_stored_figure(change, said):
    stored = kept_change(change)
    assert logit_change_text(change) == said
    line = refit_line({"refit": True, "images": 40, "train_mean_abs_logit_change": {"before": stored, "after": stored}})
    assert f"went from {said} to {said}." in line


def test_a_change_that_five_decimals_keep_right_is_kept_to_five():
    """Only the figures that would read otherwise get more decimals: 0.12345678 is kept as 0.12346 ("0.1235" either
    way), 0.0184951 as 0.0185."""
    assert kept_change(0.12345678) == 0.12346 and kept_change(0.0184951) == 0.0185 and kept_change(0.123449) == 0.123449
