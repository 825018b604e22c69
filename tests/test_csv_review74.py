"""Review 74 of --csv's synthetic column, as a reader who picks columns by position (awk's $NF, a spreadsheet's last
column): the CSV section of docs/commands.md calls "last" only the column that is last. Its prose read "and last a
`header_says` column", "then last a `model_sha256` column", "Then last a `synthetic` column", each true when it was
written, two false since model_sha256 (0.54.0) and synthetic (0.57.0) were added after them."""

from __future__ import annotations

import re
from pathlib import Path

from edge.output import csv_columns

ROOT = Path(__file__).resolve().parents[1]


def _csv_section() -> str:
    text = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
    start = text.index("### CSV (`--csv`)")
    return text[start:text.index("\n#", start + 1)]


def test_the_csv_docs_call_last_only_the_last_column():
    said_last = re.findall(r"\blast an? `(\w+)` column", _csv_section(), flags=re.IGNORECASE)
    assert said_last, "the CSV section no longer names its last column"
    for labels, explained, stamped in ((["COVID", "Normal"], False, False), (["COVID", "Normal"], True, True)):
        assert set(said_last) == {csv_columns(labels, explained, stamped)[-1]}, said_last
