"""How the report plots draw names: the fonts, what they do with letters no font has, long names wrapped.

matplotlib looks only among its own list (DejaVu Sans, Arial, ...), none of which has Chinese,
Japanese or Korean letters: four CJK class names came out as four rows of boxes, the ROC curves
told apart by nothing, and silently. The plots now fall back on the CJK fonts edge.caption finds for
the --explain captions (Noto Sans CJK, Droid Sans Fallback, ...) where the system has one; where
none has a letter, it is drawn as '?' and the command says so once on stderr, rather than drawing
a box the reader cannot decode.
"""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache

LABEL_CHARS = 16  # a confusion matrix's class name is wrapped to lines of this many letters ("cardiopulmonary" whole)
_told: list[bool] = []  # whether the note was given: once a command is enough


@lru_cache(maxsize=1)
def font_files() -> tuple[str, ...]:
    """The font files the plots draw with, first the default one; a CJK one added where found.
    Sets matplotlib's font family to them, in that order (matplotlib takes each letter from the
    first font that has it)."""
    import matplotlib
    from matplotlib import font_manager

    from edge import caption

    first = font_manager.findfont(matplotlib.font_manager.FontProperties(family="DejaVu Sans"))
    files, families = [first], ["DejaVu Sans"]
    for path in caption.WIDE_FONT_FILES:
        if not os.path.isfile(path):
            continue
        try:
            font_manager.fontManager.addfont(path)
            families.append(font_manager.FontProperties(fname=path).get_name())
        except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read
            continue
        files.append(path)
        break
    matplotlib.rcParams["font.family"] = families
    return tuple(files)


@lru_cache(maxsize=8)
def _font(path: str):
    from matplotlib.ft2font import FT2Font

    return FT2Font(path)


@lru_cache(maxsize=4096)
def _has(path: str, letter: str) -> bool:
    return _font(path).get_char_index(ord(letter)) != 0


def drawable(text: str) -> str:
    """``text`` with each letter no plot font has written '?', noting those letters once on stderr."""
    files = font_files()
    lacking = {ch for ch in set(text) if not ch.isspace() and ord(ch) >= 0x80
               and not any(_has(f, ch) for f in files)}
    if not lacking:
        return text
    if not _told:
        _told.append(True)
        some = "".join(dict.fromkeys(ch for ch in text if ch in lacking))
        prog = os.path.basename(sys.argv[0]) if os.path.basename(sys.argv[0]).startswith("cxr-") else "cxr-edge"
        print(f"{prog}: note: the plots cannot draw some letters of the names ({some} in \"{text}\"): no font on this "
              "system has them, so the plots show '?' in their place; the report's tables give the names in full. "
              "A font with them (fonts-noto-cjk on Debian and Ubuntu) lets the plots draw them.", file=sys.stderr)
    return "".join("?" if ch in lacking else ch for ch in text)


def wrap_label(name: str, width: int = LABEL_CHARS) -> str:
    """A class name in lines of at most ``width`` letters, broken after a space, '_', '-' or '/' where it
    has one, else anywhere: 'COVID-19 (RT-PCR confirmed)' as a tick label took the whole figure."""
    lines, current = [], ""
    for part in re.findall(r"[^ _/-]*[ _/-]?", name):
        if current and len(current + part.rstrip()) > width:
            lines.append(current.rstrip())
            current = ""
        while len(part.rstrip()) > width:
            lines.append(part[:width])
            part = part[width:]
        current += part
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return "\n".join(lines)
