"""File names that are not UTF-8, in outputs that must be.

A film exported by an old PACS or camera may be named in Latin-1 (``r\\xe9sum\\xe9.png``). Python
holds such a name's undecodable bytes as lone surrogates, and JSON would carry them as
``\\udce9`` escapes, which jq, Go and JavaScript turn into U+FFFD (two films, one name) or
refuse; a CSV declared UTF-8 would hold a byte that makes the whole file unreadable. So every
JSON document and CSV file is valid UTF-8: such a name is written as text with each undecodable
byte shown as ``\\xe9``, and in JSON the field beside it, ``<field>_bytes``, holds the name's exact
bytes in base64 (only for such names: ordinary records do not change). Pure functions.
"""

from __future__ import annotations

import base64
from typing import Any


def is_text(s: str) -> bool:
    """Whether ``s`` is valid Unicode text (no lone surrogates standing for undecodable bytes)."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def as_text(name: str) -> str:
    """``name`` as valid text: each undecodable byte as ``\\xNN`` (r\\xe9sum\\xe9.png)."""
    if is_text(name):
        return name
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte (from a JSON escape): shown as \udXXX
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def texts(obj: Any) -> Any:
    """``obj`` (JSON-ready) with every string made valid text; a dict's string field that was not
    gets ``<field>_bytes`` beside it, the exact name in base64 (a list of names: a list of the same shape,
    None for each name that is text)."""
    if isinstance(obj, str):
        return as_text(obj)
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if isinstance(k, str) and not is_text(k):  # a folder's name as a key (class_folders): text too
                k = as_text(k)
            out[k] = texts(v)
            if isinstance(k, str) and _any_bytes(v) and (exact := _exact(v)) is not None:
                out[f"{k}_bytes"] = exact
        return out
    if isinstance(obj, (list, tuple)):
        return [texts(v) for v in obj]
    return obj


def _any_bytes(v: Any) -> bool:
    """Whether ``v``, a string or a list of them (of lists: copies within a set), holds a string that is no text."""
    if isinstance(v, str):
        return not is_text(v)
    return isinstance(v, (list, tuple)) and any(_any_bytes(x) for x in v)


def _exact(v: Any) -> Any:
    """The exact bytes, in base64, of ``v``'s strings that are no text, in ``v``'s shape (a list's text names: None):
    compare.json's files and report.json's copies within a set lost a Latin-1 name's bytes."""
    if isinstance(v, (list, tuple)):
        return [_exact(x) for x in v]
    if not isinstance(v, str) or is_text(v):
        return None
    try:
        return base64.b64encode(v.encode("utf-8", "surrogateescape")).decode("ascii")
    except UnicodeEncodeError:  # no bytes it stands for
        return None


def exact_name(record: dict, field: str = "file") -> Any:
    """The name a record of :func:`texts` stands for: from ``<field>_bytes`` where it has one."""
    raw = record.get(f"{field}_bytes")
    if isinstance(raw, str):
        try:
            return base64.b64decode(raw, validate=True).decode("utf-8", "surrogateescape")
        except ValueError:
            pass
    return record.get(field)
