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
_APOSTROPHE = re.compile("['\u2019]")


def after_prefix(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with its first letter lower case where its first word is an ordinary word written with a capital
    ('Too', 'Within'); a name is kept: a class (``names``), an acronym, a file name, model B's, one of PROPER."""
    first = _FIRST.match(text)
    word = first.group(0) if first else ""
    stem = _APOSTROPHE.split(word)[0]  # the word before its 's, typed (') or typeset (\u2019) alike
    if len(stem) == 1 and stem != word:  # B's classes: model B, a name
        return text
    named = set(names)
    if not re.fullmatch(r"[A-Z][a-z]*", stem) or "." in word or word in named or stem in named \
            or stem in PROPER:  # Normal's sensitivity, Wilson\u2019s interval: a class's, a name's
        return text
    return text[0].lower() + text[1:]
