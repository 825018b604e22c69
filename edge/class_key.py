"""One class under its many spellings: COVID, covid, COVID-19 and Covid_19 are one class.

Every command matches a class name typed or found by the same key (same_class_key): edge-classify's
--threshold (edge.threshold_text), cxr-train's class folders (train.class_names), cxr-evaluate's site folders
and cxr-compare's two models' labels, so that a name one of them takes names the same class in all the others.
"""

from __future__ import annotations

import unicodedata


_SAME_AS = {"covid19": "covid"}  # the disease's two common spellings


def same_class_key(name: str) -> str:
    """A class name ignoring case, punctuation and Unicode spelling (é composed or not), with COVID-19
    for COVID: names with one key are one class. Letters of any script count (Нормальный keeps them)."""
    key = _plain_key(name)
    return _SAME_AS.get(key, key)


def _plain_key(name: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())


def matched_how(names: list[str], as_names: list[str]) -> str:
    """How ``names`` were matched to ``as_names`` (same_class_key), for a note: 'names matched ignoring case and
    punctuation', and the pairs only _SAME_AS matched named: cxr-compare said covid-19 matched COVID 'ignoring case
    and punctuation', which gives covid19, not covid."""
    aliased = [f"{a} as {b}" for a, b in zip(names, as_names) if _plain_key(a) != _plain_key(b)]
    return "names matched ignoring case and punctuation" + (
        f"; {', '.join(aliased)}: COVID-19 and COVID, one disease's two spellings" if aliased else "")
