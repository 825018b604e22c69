"""A DICOM header's text value (InstitutionName, StationName, ...) as a viewer shows it where the header's
Specific Character Set (0008,0005) is absent or wrong, as sites' exports often have it: Latin-1 or Windows
bytes under "ISO_IR 192" (UTF-8) came out as 'Klinikum D�sseldorf', a --by InstitutionName group of its own
that no one could read; UTF-8 bytes with no character set named came out as 'DÃ¼sseldorf'; and Windows
bytes as Latin-1 turned a dash into an invisible control character. For a Western set (none named, ASCII,
Latin-1 or UTF-8) the bytes are read as UTF-8 where they are valid UTF-8 (Latin-1 text beyond ASCII
almost never is), else as code page 1252 (Latin-1 where it has no letter for a byte): what Windows viewers
show. Any other set named is pydicom's to decode; only where that gives U+FFFD is UTF-8 tried.
"""

from __future__ import annotations

from typing import Any

# the names a header gives Western text: none, ASCII, Latin-1 (ISO 8859-1) and UTF-8, with or without ISO 2022
_WESTERN = {"", "ISO_IR 6", "ISO 2022 IR 6", "ISO_IR 100", "ISO 2022 IR 100", "ISO_IR 192"}


def header_text(ds: Any, keyword: str) -> str:
    """``keyword``'s value in the data set ``ds`` (pydicom's) as text, stripped; '' where it has none."""
    element = ds.get_item(keyword)
    raw = getattr(element, "value", None)
    if element is None or not isinstance(raw, bytes) or raw.isascii():
        return str(getattr(ds, keyword, "") or "").strip()  # pydicom's own reading: numbers, names, ASCII
    charset = ds.get("SpecificCharacterSet") or ""
    declared = {str(c).strip() for c in ([charset] if isinstance(charset, str) else charset)}  # one, or several
    if declared <= _WESTERN:
        return western_text(raw).strip(" \x00")
    value = str(getattr(ds, keyword, "") or "")
    if "\ufffd" in value:
        try:
            return raw.decode("utf-8").strip(" \x00")
        except UnicodeDecodeError:
            pass
    return value.strip()


def western_text(raw: bytes) -> str:
    """``raw`` as UTF-8 where it is valid UTF-8, else as code page 1252, else as Latin-1 (every byte a letter)."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return raw.decode("latin-1")
