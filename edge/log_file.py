"""What a file that answers are appended to (``>> answers.csv``, a watch's log) holds already: answers in the
other format, or CSV rows under other columns or under none, which a reader would take wrongly, and whether
it needs this run's header row. Pure functions of the file's first bytes (edge.stdout_file.file_start)."""

from __future__ import annotations

import csv


def other_format(start: bytes | None, fmt: str) -> str | None:
    """Why answers in ``fmt`` ("csv", "json", else text) must not be appended to a file that starts with
    ``start``: it holds answers in the other format (a unit edited from --json to --csv, the log
    kept), and a file of both is read right by no reader. None where it does not."""
    if start is None:
        return None
    mine = {"csv": "CSV rows", "json": "JSON lines"}.get(fmt, "text answers")
    for text in (line.strip() for line in _lines(start)):
        if fmt != "json" and text.startswith('{"file"'):
            return f"standard output's file holds JSON answers (--json): {mine} among them are read by no reader; write to a new file"
        if fmt != "csv" and text.startswith("file,label,probability,"):
            return f"standard output's file holds CSV answers (--csv): {mine} among them are read by no reader; write to a new file"
    return None


def _lines(start: bytes) -> list[str]:
    """The whole lines of a file's start (the last may be cut at the read's limit), as an Excel-saved log holds
    them too: a byte-order mark, CRLF."""
    return [line.decode("utf-8", "replace").lstrip("\ufeff").rstrip("\r") for line in start.split(b"\n")[:-1]]


def has_header(start: bytes | None, header: str) -> bool:
    """Whether a file's start (None: unreadable, trusted) holds this header row (another watch appending to the
    same log wrote it since its rotation)."""
    return start is None or header.rstrip("\n") in _lines(start)


def _rows_of(lines: list[str], header: str) -> bool:
    """Whether any of these lines is an answer's row under this header: its width, and a class of the header's
    (p_ columns) as its label, or no label and an error."""
    columns = next(csv.reader([header]))
    labels = {c[2:] for c in columns[3:columns.index("atypical")]}
    error = columns.index("error")
    for line in lines:
        cells = next(csv.reader([line]), [])
        if len(cells) == len(columns) and (cells[1].lstrip("'") in labels or (cells[1] == "" and cells[error])):
            return True
    return False


def csv_header_needed(start: bytes | None, header: str) -> bool:
    """Whether a CSV appended to a file (``>> answers.csv``) needs its header row, given the file's
    start: not where the file has that header (a restarted watch), yes where it has none (notes sent
    there too, `2>&1`); a file of answers under other columns (another model, --explain or --watch's
    time column) is refused (ValueError), since rows under another header are read into the wrong
    columns without a word. ``start`` None: the file cannot be read back, so it is trusted."""
    if start is None:
        return False
    lines = _lines(start)
    given = next((line for line in lines if line.startswith("file,label,probability,")), None)
    if given is None:
        # a header written after rows would be read as one of them: rows of this run's columns, or of an older
        # release's (0.56.0 and earlier: no synthetic; 0.53.0 and earlier: no model_sha256
        # either; 0.44.0 and earlier: no header_says either)
        if put_back := next((h for h in (header, *(o for o, _ in _older(header))) if _rows_of(lines, h)), None):
            raise ValueError("standard output's file holds CSV rows without their header (cut off by a copytruncate "
                             "rotation under an older release?): a header written after them would have every CSV "
                             f"reader take a row for it; put this header back at its top ({put_back.strip()}), or "
                             "write to a new file")
        return True
    if given == header.rstrip("\n"):
        return False
    raise ValueError(f"standard output's file holds answers with other columns ({given}); this run's are "
                f"{header.strip()}: rows under another header would be read into the wrong columns; write to a new file")


def older_columns(start: bytes | None, header: str) -> tuple[bool, bool, bool] | None:
    """Where a file's CSV header is this run's header less its newest last columns, as an earlier release began the
    log: (whether it has header_says, added after 0.44.0; model_sha256, added after 0.53.0; synthetic, added after
    0.56.0); None where it is not. A restarted watch goes on appending to such a log in its own columns: refused, a
    unit with Restart=on-failure failed at every restart after an upgrade until its log was moved, and rows of two
    layouts under one header are read into the wrong columns."""
    given = None if start is None else next((line for line in _lines(start) if line.startswith("file,label,probability,")), None)
    if given is None:
        return None
    for older, layout in _older(header):
        if given == older:
            return layout
    return None


# the last columns, newest last, each added at the end by a release: a log an older one began lacks a tail of them
_ADDED = ("header_says", "model_sha256", "synthetic")


def _older(header: str) -> list[tuple[str, tuple[bool, bool, bool]]]:
    """This header row as earlier releases wrote it, each with its (header_says, model_sha256, synthetic) columns:
    0.56.0's without synthetic, then 0.53.0's without model_sha256 too, then 0.44.0's without header_says too; none
    where this one has none of them."""
    row, found = header.rstrip("\n"), []
    for column in reversed(_ADDED):
        if row.endswith("," + column):
            row = row.removesuffix("," + column)
            found.append((row, _kept(row)))
    return found


def _kept(row: str) -> tuple[bool, bool, bool]:
    """Which of the last columns (_ADDED) a header row ends in."""
    present = set()
    for column in reversed(_ADDED):
        if row.endswith("," + column):
            present.add(column)
            row = row.removesuffix("," + column)
    return tuple(c in present for c in _ADDED)  # type: ignore[return-value]
