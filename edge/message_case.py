"""A sentence said after a prefix ('cxr-evaluate: warning: ', 'note: ', 'error: ') starts lower case, as the house
writes every such line: cxr-evaluate's "Too few films to judge" after its warning prefix stood out as another kind of
message among the others. A sentence made for report.md, where it starts a paragraph, is lowered here where it is
said after one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# capitalised words that are names, not a sentence's first word: kept as they are (acronyms such as COVID, AUROC,
# DICOM, MANIFEST.csv and names with inner capitals such as McNemar or TensorFlow are kept by their form alone)
PROPER = frozenset({"Wilson", "Kaggle", "Pillow", "Keras", "Python", "Raspberry", "Linux", "Windows", "Markdown"})

_FIRST = re.compile(r"[^\s:;,()]+")


def after_prefix(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with its first letter lower case where its first word is an ordinary word written with a capital
    ('Too', 'Within'); a name is kept: a class (``names``), an acronym, a file name, model B's, one of PROPER."""
    first = _FIRST.match(text)
    word = first.group(0) if first else ""
    if len(word.split("'")[0]) == 1 and "'" in word:  # B's classes: model B, a name
        return text
    if not re.fullmatch(r"[A-Z][a-z]*", word.split("'")[0].split("\u2019")[0]) or "." in word \
            or word in set(names) or word.split("'")[0] in PROPER:
        return text
    return text[0].lower() + text[1:]
