"""A MANIFEST.csv's bytes as text and its separator, as spreadsheets and PACS tools export it: UTF-8 with or
without a byte-order mark, UTF-16 (Excel's "Unicode text", with a byte-order mark or, from other tools,
without), code page 1252, Mac Roman (Excel for Mac's "Comma Separated Values": train.mac_roman), and a file
pasted together from exports of each (a UTF-8 one and a Windows one: each line read in its own). Excel's
``sep=;`` first line names the separator; blank lines (``;;;`` included) before the header are passed over; a
header that holds two separators (``file;Lage, Drainage``) takes the one every row below it splits alike. A
workbook saved under a .csv name, or an empty file, is refused with what to do: read as text, it gave a "no
'file' column" error listing a column of binary noise. The messages for a line that cannot be read (a quote
never closed, values past the header's columns, a whole line quoted as one value) are here too.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from edge.output import said_name
from train.mac_roman import windows_or_mac

DELIMITERS = (",", ";", "\t")
_XLSX = b"PK\x03\x04"                         # a .xlsx (or .ods) is a zip archive
_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # an old .xls: an OLE2 compound file
_SEP = re.compile(r'"?sep=(.)"?', re.IGNORECASE)  # Excel's own first line naming the separator
_LINE_END = re.compile(r"\r\n|\r|\n")
_ESCAPED = re.compile("[\udc80-\udcff]+")
_UTF8_PAIR = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")  # how UTF-8 starts a letter beyond ASCII (rare in cp1252 text)


class ManifestError(ValueError):
    """A MANIFEST.csv that cannot be used as it is; the message says why and what to do."""


def decode(data: bytes) -> str:
    """UTF-16 (with a byte-order mark, or without one where every other byte of its start is zero), else UTF-8
    (with or without a byte-order mark); else each line as UTF-8, else code page 1252 or Mac Roman, else Latin-1:
    one line of another encoding turned every é of the UTF-8 lines into Ã©."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if (utf16 := _utf16_without_mark(data)) is not None:
        return data.decode(utf16, errors="replace")
    if not _UTF8_PAIR.search(data):  # not a letter of UTF-8 beyond ASCII: one encoding throughout, read at once
        return windows_or_mac(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
    text = data.decode("utf-8", errors="surrogateescape")  # a byte that is no UTF-8 as U+DC80..U+DCFF
    text = text[1:] if text.startswith("\ufeff") else text
    out, done = [], 0
    for bad in _ESCAPED.finditer(text):  # only the lines that are not UTF-8 are read again 
        if bad.start() < done:
            continue
        start = text.rfind("\n", 0, bad.start()) + 1
        end = text.find("\n", bad.end())
        end = len(text) if end < 0 else end
        out += [text[done:start], windows_or_mac(text[start:end].encode("utf-8", errors="surrogateescape"))]
        done = end
    return "".join(out) + text[done:] if out else text


def _utf16_without_mark(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' where the first bytes are text of that kind (ASCII letters and zeros taking
    turns), else None. No UTF-8 or code page 1252 CSV holds a zero byte."""
    head = data[:200]
    if len(head) < 4 or b"\x00" not in head:
        return None
    head = head[: len(head) // 2 * 2]
    even, odd = head[0::2], head[1::2]
    if odd.count(0) == len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) == len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def check_is_text(data: bytes, path: Path) -> None:
    """Refuse a MANIFEST.csv that is empty or a spreadsheet workbook under a .csv name, saying what to do."""
    if not data.strip():
        raise ManifestError(f"{said_name(str(path))} is empty: write its header line (e.g. file,source) and a line per film "
                            "below it, or delete it")
    kind = ".xlsx" if data.startswith(_XLSX) else ".xls" if data.startswith(_XLS) else None
    if kind:
        raise ManifestError(f"{said_name(str(path))} is an Excel workbook ({kind}) named .csv, not CSV text: open it in Excel and "
                            "save it with Save As, type \"CSV UTF-8 (Comma delimited)\", under the same name")


def separator(text: str) -> tuple[str, int]:
    """(the separator, the number of lines before the header): Excel's ``sep=X`` line names it; else the one of
    comma, semicolon and tab the header uses most (a tie, none: comma). The header is the first line that is
    not blank (a line of separators only is blank: Excel writes empty rows as ``;;;``). Each line ends in
    \\n, \\r\\n or a lone \\r (old Mac exports): split on \\n alone, a file of lone \\r was all one header."""
    lines = _LINE_END.split(text, maxsplit=50)
    skip, named = 0, None
    for line in lines:
        if named is None and (sep := _SEP.fullmatch(line.strip())):
            named = sep.group(1)
        elif line.strip().strip("".join(DELIMITERS)):
            break
        skip += 1
    header = lines[skip] if skip < len(lines) else ""
    return named or _rows_agree(header, lines[skip + 1:]) or max(DELIMITERS, key=header.count), skip


def _rows_agree(header: str, below: list[str]) -> str | None:
    """Of the separators a header holds, where it holds more than one, the only one that splits the header and
    the (up to 20) lines below it into as many cells each; else None. Excel with ';' as its list separator leaves
    a comma in a column's name ("Bemerkung (Lage, Drainage)") unquoted: counted alone, that header's commas
    tied with or outnumbered its semicolons, and MANIFEST.csv was refused as having no 'file' column."""
    held = [d for d in DELIMITERS if d in header]
    rows = [line for line in below if line.strip().strip("".join(DELIMITERS))][:20]
    if len(held) < 2 or not rows:
        return None
    agree = [d for d in held if all(_cells(line, d) == _cells(header, d) for line in rows)]
    return agree[0] if len(agree) == 1 else None


def _cells(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter), []))
    except csv.Error:  # a quote the line does not close (a cell on two lines): no count
        return -1


def csv_error(path: Path, text: str, whole: int, reached: int, e: Exception) -> str:
    """What is wrong on the first line not read whole: the advice on quotes only where a quote is."""
    lines = io.StringIO(text, newline="").readlines()[whole:max(reached, whole + 1)]
    if '"' not in "".join(lines):
        return f"{said_name(str(path))}, line {whole + 1}: {e}"
    return (f"{said_name(str(path))}, line {whole + 1}: {e}: a quote (\") opened on this line or before is never closed, or text "
            "follows a closing quote; a value holding the separator or a quote goes in quotes, with each quote inside "
            "it doubled (\"\")")


def extra_values(path: Path, line: int, n: int, given: int, extra: list[str], reader) -> str:
    """Why a row with values beyond the header's columns is refused: each value after a stray separator
    went into the next column (a source 'Hôpital Nord, Paris' split made ' Paris' the next column's value)."""
    sep = {",": "a comma", ";": "a semicolon", "\t": "a tab"}.get(reader.dialect.delimiter, repr(reader.dialect.delimiter))
    return (f"{said_name(str(path))}, line {line}: {given} values, but the header names {n} columns (the first value "
            f"past them: {extra[0][:40]!r}): a value holding {sep}, the separator, must be in quotes (\"Nord, Paris\"), "
            "or the header lacks a column's name; every value after it was read into the wrong column")


def line_in_one_cell(path: Path, line: int, value: str, n: int, reader) -> str | None:
    """Why a row that is one quoted value holding the whole line is refused, or None where it is none: Excel whose
    list separator is ';' opens a comma-separated file all in column A, and saves each line that holds a quote
    inside quotes of its own, each quote in it doubled. Read on, such rows named no film, and their films lost
    their sources, with a warning that blamed films deleted or moved."""
    delimiter = reader.dialect.delimiter
    if '"' not in value or _cells(value, delimiter) != n:
        return None
    sep = {",": "comma", ";": "semicolon", "\t": "tab"}.get(delimiter, repr(delimiter))
    return (f"{said_name(str(path))}, line {line} is one quoted value holding the whole line ({value[:60]!r}): a spreadsheet "
            f"opened this {sep}-separated file all in column A (Excel whose list separator is another) and saved it so; "
            f"restore the file as it was, or open it in Excel with Data > From Text/CSV, delimiter {sep}, and save it "
            "as \"CSV UTF-8 (Comma delimited)\"")
