"""A data folder's MANIFEST.csv, as people save it: Excel's UTF-8 with a byte-order mark, Windows
code page 1252 (Latin-1), UTF-16, and semicolons (Excel where the decimal mark is a comma) or tabs
between the columns. Its ``file`` column (a film's path relative to the folder) keys the rows; the
other columns say what the film is: a ``source`` for the per-source figures and ``--holdout-source``,
anything for ``cxr-evaluate --by``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

DELIMITERS = (",", ";", "\t")


class ManifestError(ValueError):
    """A MANIFEST.csv that cannot be used as it is; the message says why and what to do."""


def read_manifest(data_dir: str | Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    """(columns, rows by their ``file`` value) of ``data_dir``/MANIFEST.csv; ([], {}) without one.

    Header names are stripped of spaces and the ``file`` column is found whatever its case; paths
    are given with forward slashes (Excel on Windows may write back-slashes), as files are listed.
    Raises ManifestError when there is no ``file`` column, so that sources never silently vanish."""
    path = Path(data_dir) / "MANIFEST.csv"
    if not path.is_file():
        return [], {}
    text = decode(path.read_bytes())
    header = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header.count)  # the one the header uses most; a tie (none): comma
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns = [c.strip() for c in next(reader, [])]
    key = next((c for c in columns if c.lower() == "file"), None)
    if key is None:
        shown = ", ".join(repr(c) for c in columns[:8]) + (", ..." if len(columns) > 8 else "")
        raise ManifestError(f"{path} has no 'file' column (its columns: {shown or 'none'}); its first line must name "
                            "the columns, one of them 'file' with each film's path relative to the folder "
                            "(e.g. COVID/img-001.png), separated by commas, semicolons or tabs")
    rows: dict[str, dict[str, str]] = {}
    for values in reader:
        row = {c: v.strip() for c, v in zip(columns, values)}
        name = row.get(key, "").replace("\\", "/")
        if name:
            row[key] = name
            rows[name] = row
    return columns, rows


def decode(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark) or UTF-16 with one; else code page 1252, else Latin-1."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")  # every byte is a character
