"""CSV files meant for a spreadsheet: edge-classify --csv and the case reviews predictions.csv and
left_out.csv."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from edge.controls import escaped
from edge.names import as_text

# Excel, LibreOffice and Google Sheets run a cell that starts with one of these as a formula: a
# film named "=HYPERLINK(...).png" in a folder from elsewhere would run when the review is opened.
# (A leading TAB or CR, which start one too, is escaped before this is looked at.)
_FORMULA_START = ("=", "+", "-", "@")
# ... but a plain decimal number ('-1', '-0.5' in a MANIFEST column) computes to itself: it stays a number, not the
# text "'-1" (which sorted as text and was left out of a sum).
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def cell(value: object) -> object:
    """``value`` as a spreadsheet shows it without running it: text that would start a formula gets a
    leading apostrophe (which spreadsheets hide and keep as text); numbers stay numbers; a name
    that is not UTF-8 is written as text (edge.names); control characters (ESC, BEL, U+202E, ...) as
    their \\uXXXX escapes, as the text answers and --json write them: ``cat predictions.csv`` or --csv on a
    terminal ran a film name's ESC sequences (title set, screen cleared) and U+202E reversed its row."""
    if not isinstance(value, str):
        return value
    return formula_guarded(escaped(as_text(value)))  # a name's undecodable bytes as \xNN: the file stays UTF-8


def formula_guarded(value: str) -> str:
    """``value`` with a leading apostrophe where a spreadsheet would run it as a formula (OWASP's advice on CSV
    injection), a plain number left as it is; also train.sheet_manifest's, whose reader (train.manifest) takes the
    apostrophe off again, as spreadsheets hide it."""
    return "'" + value if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value) else value


def formula_unguarded(value: str) -> str:
    """``value`` as written before :func:`formula_guarded`: the apostrophe before a formula's first character taken
    off (a value a hand began with an apostrophe and a letter keeps it)."""
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


# csv.writer quotes a field holding a character of its line terminator (CPython's writer does, though the csv
# docs do not say so; tests/test_spreadsheet.py holds it to that): rows are formatted ending in these, which are
# then cut off. A line break in a field would split its row (readers split a lone \r too); a ';' splits a field
# into cells where Excel's list separator is ';' (German, French): 'x;=1+1;.png' became a '=1+1' cell that the
# first-character guard never saw. Numbers hold none of them: they stay unquoted.
_QUOTED = ";\r\n"


def spreadsheet_row(row: Iterable[object], end: str = "\r\n") -> str:
    """One CSV row of ``row``, every text cell guarded by :func:`cell`, any field holding ';', '\\r' or '\\n'
    quoted, ending in ``end``."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator=_QUOTED).writerow([cell(v) for v in row])
    return buf.getvalue()[: -len(_QUOTED)] + end


def spreadsheet_csv(header: list[str], rows: Iterable[Iterable[object]]) -> str:
    """The CSV text of ``header`` and ``rows`` (:func:`spreadsheet_row`), each row ending in \\r\\n."""
    return "".join(spreadsheet_row(row) for row in (header, *rows))
