"""Where each film of the Kaggle COVID-19 Radiography Database comes from, from its own metadata.

The database ships one spreadsheet per class beside the class folders (``COVID.metadata.xlsx``,
``Normal.metadata.xlsx``, ``Viral Pneumonia.metadata.xlsx``, ...), with columns ``FILE NAME``
(the image's name without ``.png``; ``NORMAL-1`` for ``Normal/images/Normal-1.png``), ``FORMAT``,
``SIZE`` and ``URL``: the archive the film was taken from. That URL is the film's source. It
matters more here than anywhere: the COVID films come from BIMCV, a German hospital and case
collections, the Normal films from RSNA and a children's hospital, so a model can score well by
telling the archives apart. With the sources known, cxr-train's shortcut audit, the per-source
figures and ``--holdout-source`` work on the database as it is downloaded, without a MANIFEST.csv.

An .xlsx is a zip of XML files; the standard library reads the first sheet, so nothing is added
to what an install pulls.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
import zlib
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit
from xml.etree import ElementTree

from edge.film_files import is_image_name
from edge.figures import counted
from edge.output import said_name
from train.side_file import SideFileError, read_side_file

SUFFIX = ".metadata.xlsx"
# the older release ("COVID-19 Radiography Database") ships "Viral Pneumonia.matadata.xlsx", and loaders open it so
SUFFIXES = (SUFFIX, ".matadata.xlsx")
MAX_COLUMNS = 16384  # XFD, the last column Excel (and the .xlsx format) allows
HEADER_ROWS = 10  # how far down a sheet its FILE NAME / URL header is looked for
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
# hosts whose first path segment (after "c/" or "datasets/") names the collection, not the host alone
_BY_OWNER = {"github.com", "kaggle.com", "figshare.com", "gitlab.com"}


class MetadataError(ValueError):
    """A metadata spreadsheet that cannot be read; the message names the file and what is wrong."""


def xlsx_rows(path: Path) -> list[list[str]]:
    """The first sheet of an .xlsx as rows of strings (empty cells ""), as Excel shows them for
    text and plain numbers. Raises MetadataError for a file that is no readable .xlsx: a FIFO, device
    or folder so named, one far larger than a real sheet, or a cell beyond the last column a sheet can have."""
    try:
        data = read_side_file(path)
    except SideFileError as e:
        raise MetadataError(str(e)) from None
    except OSError as e:
        raise MetadataError(f"{said_name(str(path))}: cannot be read ({e.strerror or e})") from None
    if not data.startswith(b"PK") and (what := _not_a_workbook(data)):  # "File is not a zip file" said nothing
        raise MetadataError(f"{said_name(str(path))}: not a readable .xlsx spreadsheet: {what}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            shared = _shared_strings(_part(z, "xl/sharedStrings.xml")) if "xl/sharedStrings.xml" in names else []
            root = ElementTree.fromstring(_part(z, _first_sheet(z, names)))
    # a damaged deflate stream (zlib.error), a password (RuntimeError), Deflate64 (NotImplementedError), cut short
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, zlib.error, RuntimeError,
            NotImplementedError, EOFError, ValueError) as e:
        raise MetadataError(f"{said_name(str(path))}: not a readable .xlsx spreadsheet ({e})") from None
    rows: list[list[str]] = []
    for row in root.iter(f"{{{_NS['m']}}}row"):
        cells: dict[int, str] = {}
        for k, c in enumerate(row.findall("m:c", _NS)):
            col = _column(c.get("r"), k)
            if col >= MAX_COLUMNS:  # a forged reference (ZZZZZZZZ9) made a row of 2e11 empty cells
                raise MetadataError(f"{said_name(str(path))}: cell {c.get('r') or k + 1} is beyond any spreadsheet's last column (XFD): "
                                    "a damaged sheet")
            cells[col] = _cell_text(c, shared)
        rows.append([cells.get(k, "") for k in range(max(cells) + 1)] if cells else [])
    return rows


def _not_a_workbook(data: bytes) -> str | None:
    """What a file named .xlsx is where it is no zip: empty, an old .xls, or text (a CSV given the sheet's name)."""
    if not data:
        return "it is empty: 0 bytes"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "it is an old Excel .xls workbook: open it in Excel and save it as \"Excel Workbook (.xlsx)\""
    if b"\x00" not in data[:4096]:
        return ("it is text, not a workbook (a CSV given the sheet's name?): open it in Excel and save it as "
                "\"Excel Workbook (.xlsx)\", or give the sources in a MANIFEST.csv (columns file, source)")
    return None


# Excel's "Strict Open XML Spreadsheet" names the same elements in other namespaces
_STRICT = ((b"http://purl.oclc.org/ooxml/spreadsheetml/main", _NS["m"].encode()),
           (b"http://purl.oclc.org/ooxml/officeDocument/relationships", _NS["r"].encode()))


def _part(z: zipfile.ZipFile, name: str) -> bytes:
    """One XML part of the workbook, in the usual (transitional) namespaces whichever it was saved in."""
    data = z.read(name)
    for strict, usual in _STRICT:
        data = data.replace(strict, usual)
    return data


def _first_sheet(z: zipfile.ZipFile, names: set[str]) -> str:
    """The zip path of the workbook's first sheet (by the workbook's own order and relationships)."""
    try:
        book = ElementTree.fromstring(_part(z, "xl/workbook.xml"))
        rels = ElementTree.fromstring(_part(z, "xl/_rels/workbook.xml.rels"))
        first = book.find("m:sheets/m:sheet", _NS)
        rid = first.get(f"{{{_NS['r']}}}id") if first is not None else None
        target = next(r.get("Target") for r in rels.findall("rel:Relationship", _NS) if r.get("Id") == rid)
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        if path in names:
            return path
    except (KeyError, StopIteration, ElementTree.ParseError, AttributeError):
        pass
    sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    if not sheets:
        raise KeyError("no worksheet")
    return min(sheets, key=lambda n: int(re.search(r"(\d+)\.xml$", n).group(1)))


def _shared_strings(data: bytes) -> list[str]:
    root = ElementTree.fromstring(data)
    return [_text(si) for si in root.findall("m:si", _NS)]


def _text(item) -> str:
    """A string item's text: its own <t>, or its runs' (<r><t>), never a phonetic reading (<rPh><t>),
    which Excel keeps beside Japanese text and does not show: COVID-1, not COVID-1コ."""
    return "".join(t.text or "" for t in [*item.findall("m:t", _NS), *item.findall("m:r/m:t", _NS)])


def _column(ref: str | None, position: int) -> int:
    """'C7' -> 2; a cell without a reference, or one without column letters ('7'), by its ``position``."""
    letters = re.match(r"[A-Z]+", (ref or "").upper())
    if letters is None:
        return position
    k = 0
    for ch in letters.group(0):
        k = k * 26 + ord(ch) - 64
    return k - 1


def _cell_text(c, shared: list[str]) -> str:
    kind = c.get("t")
    if kind == "inlineStr":
        return "".join(_text(item) for item in c.findall("m:is", _NS))
    v = c.find("m:v", _NS)
    text = "" if v is None or v.text is None else v.text
    if kind == "s":
        return shared[int(text)] if text.isdigit() and int(text) < len(shared) else ""
    if kind in (None, "n") and re.fullmatch(r"-?\d+\.0+", text):
        return text.split(".")[0]  # 3.0 as Excel shows it: 3
    return text


def source_from_url(url: str) -> str:
    """A short, stable source name from an archive's URL: the host without www., and for hosts of
    many collections (GitHub, Kaggle, figshare) the collection's owner or name:
    https://github.com/ml-workgroup/covid-19-image-repository -> github.com/ml-workgroup,
    https://www.kaggle.com/c/rsna-pneumonia-detection-challenge/data -> kaggle.com/rsna-pneumonia-detection-challenge.
    Text that is no URL is kept as it is (stripped): also where urlsplit refuses it ('[removed]' read as an IPv6
    address), which had stopped cxr-train with a traceback over one cell."""
    text = url.strip()
    try:
        parts = urlsplit(text if "://" in text else f"//{text}")
        host = (parts.hostname or "").lower()
    except ValueError:
        return text
    if not host or "." not in host:
        return text
    host = host[4:] if host.startswith("www.") else host
    segments = [s for s in parts.path.split("/") if s]
    if host in _BY_OWNER:
        segments = segments[1:] if segments[:1] in (["c"], ["datasets"], ["articles"]) else segments
        if segments:
            return f"{host}/{segments[0]}"
    return host


def metadata_files(data_dir: Path) -> dict[str, Path]:
    """Class folder name -> its ``CLASS.metadata.xlsx`` beside the class folders (the database's
    own layout), for those whose folder is there: of the sheet's name, else one that differs only in
    case or punctuation, as class folders are matched everywhere (NORMAL/ beside Normal.metadata.xlsx:
    its films had no source, without a word, and the shortcut audit missed the archive that gave them away).
    The older release's own misspelling, ``Viral Pneumonia.matadata.xlsx``, is a class's sheet too (it was said
    to be missing while it lay there); where a class has both, the one spelt right is read."""
    from edge.class_key import same_class_key

    try:
        entries = sorted(Path(data_dir).iterdir())
        # a FIFO or device so named too (not a folder): its sheet is said to be unreadable, not passed over unsaid
        found = [(p, suffix) for suffix in SUFFIXES for p in entries
                 if p.name.endswith(suffix) and p.exists() and not p.is_dir()]
        folders = [p.name for p in entries if p.is_dir()]
    except OSError:
        return {}
    out = {}
    for p, suffix in found:  # the right spelling first: it wins
        name = p.name[: -len(suffix)]
        folder = name if name in folders else next((f for f in folders if same_class_key(f) == same_class_key(name)), None)
        if folder is not None:
            out.setdefault(folder, p)
    return out


def kaggle_sources(data_dir: Path, log: Callable[[str], None]) -> dict[tuple[str, str], str]:
    """(class folder case-folded, image name without extension as name_key has it) -> source, from every class's
    metadata spreadsheet; {} where there is none. A spreadsheet that cannot be read, or lacks the
    FILE NAME and URL columns, is said in one line and passed over (its films get no source)."""
    out: dict[tuple[str, str], str] = {}
    for folder, path in metadata_files(data_dir).items():
        try:
            st = path.stat()
            by_name, conflicts = _sheet_sources(str(path), st.st_mtime_ns, st.st_size)
        except (MetadataError, OSError) as e:
            log(f"warning: {e}; its films get no source")
            continue
        if conflicts:  # as MANIFEST.csv's rows: the first stands, and the others are said
            log(f"warning: {path.name} names {counted(len(conflicts), 'film')} twice with other sources, e.g. "
                f"{conflicts[0]}: {'it keeps' if len(conflicts) == 1 else 'each keeps'} its first row's")
        out.update({(folder.casefold(), name): source for name, source in by_name.items()})
    return out


@functools.lru_cache(maxsize=16)
def _sheet_sources(path: str, mtime_ns: int, size: int) -> tuple[dict[str, str], list[str]]:
    """Image name (name_key: case-folded, spaces left out, without .png or another image suffix) -> source,
    of one spreadsheet; read once per version of the file (the data folder's discovery runs for each part of a run); and
    the names given again with another source (the first row stands)."""
    rows = xlsx_rows(Path(path))
    # the header row: the first, or below a title or blank rows someone added above it
    at = next((k for k, row in enumerate(rows[:HEADER_ROWS])
               if {"file name", "url"} <= {h.strip().casefold() for h in row}), None)
    if at is None:
        raise MetadataError(f"{said_name(str(path))} has no 'FILE NAME' and 'URL' columns (its columns: "
                            f"{', '.join(rows[0][:6]) if rows and rows[0] else 'none'})")
    header = [h.strip().casefold() for h in rows[at]]
    name_at, url_at = header.index("file name"), header.index("url")
    out: dict[str, str] = {}
    conflicts: list[str] = []
    for row in rows[at + 1:]:
        name = row[name_at].strip() if name_at < len(row) else ""
        url = row[url_at].strip() if url_at < len(row) else ""
        if name and url:
            key = name_key(Path(name).stem if is_image_name(name) else name)  # as film_key
            if out.setdefault(key, source := source_from_url(url)) != source:
                conflicts.append(name)
    return out, conflicts


def name_key(name: str) -> str:
    """A film's name without its suffix as sheets and files are matched: ignoring case (NORMAL-1 for Normal-1.png) and
    spaces (COVID-19(1) for 'COVID-19 (1).png', as the older release's names may be written in its sheets)."""
    return "".join(name.split()).casefold()


def film_key(path: str) -> tuple[str, str]:
    """A film's path in the data folder ("Normal/images/Normal-1.png") as kaggle_sources keys it."""
    parts = path.replace("\\", "/").split("/")
    return parts[0].casefold(), name_key(Path(parts[-1]).stem)
