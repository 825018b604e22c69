"""CSV files meant for a spreadsheet: edge-classify --csv and the case reviews predictions.csv and
left_out.csv."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from edge.controls import escaped
from edge.names import as_text

# Excel, LibreOffice and Google Sheets run a cell that starts with one of these as a formula: a
# film named "=HYPERLINK(...).png" in a folder from elsewhere would run when the review is opened.
# (A leading TAB or CR, which start one too, is escaped before this is looked at.)
_FORMULA_START = ("=", "+", "-", "@")


def cell(value: object) -> object:
    """``value`` as a spreadsheet shows it without running it: text that would start a formula gets a
    leading apostrophe (which spreadsheets hide and keep as text); numbers stay numbers; a name
    that is not UTF-8 is written as text (edge.names); control characters (ESC, BEL, U+202E, ...) as
    their \\uXXXX escapes, as the text answers and --json write them: ``cat predictions.csv`` or --csv on a
    terminal ran a film name's ESC sequences (title set, screen cleared) and U+202E reversed its row."""
    if not isinstance(value, str):
        return value
    value = escaped(as_text(value))  # a name's undecodable bytes as \xNN: the file stays UTF-8 (edge.names)
    return "'" + value if value.startswith(_FORMULA_START) else value


def spreadsheet_csv(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """The CSV text of ``header`` and ``rows``, with every text cell guarded by :func:`cell`."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([cell(h) for h in header])
    for row in rows:
        w.writerow([cell(v) for v in row])
    return buf.getvalue()
