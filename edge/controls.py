"""Text from outside (a file's name, a header value a library quotes in its message) made safe for one line.

A control character would split an answer's line or columns, an ESC sequence can erase its own error line on a
terminal, and a NUL makes a log a binary file to grep. So do what also breaks a line or reorders one: the line
and paragraph separators (Python's splitlines() split an answer at U+2028) and the bidirectional controls (a
right-to-left override showed a label and its probability in the wrong order). Each is written as its
\\uXXXX escape, as JSON writes it. Pure functions."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


# The control characters cxr-train refused in class folder names up to 0.39: what a model file's labels are read by.
OLD_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def escaped(text: str) -> str:
    """``text`` with each character CONTROL matches as its \\uXXXX escape (ESC as \\u001b); the rest as it is."""
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def label_problem(name: str, made: bool = True) -> str | None:
    """Why ``name`` cannot be a class name, or None: a '|' or a character CONTROL matches. One rule for the class
    folders cxr-train takes and the labels every reader of a model file takes: a '|' opened another column of every
    report's tables and a line break ended a row (figures under the wrong class), a tab split edge-classify's
    tab-separated answers, and an ESC sequence or a right-to-left override ran on the terminal that printed it.
    ``made=False``, for a model file's labels as read: '|' and the C0 controls and DEL only, the rule cxr-train held
    its folders to before 0.40, so that a file it made from a Hebrew class folder ending in a right-to-left mark
    still loads on a device that upgrades."""
    bad = re.search(r"\|", name) or (CONTROL if made else OLD_CONTROL).search(name)
    if bad is None:
        return None
    return (f"a class name may not hold '|' or control characters, which break report tables and answer lines, "
            f"nor bidirectional or line-separator marks, which reorder or split them on screen (it holds "
            f"'{escaped(bad.group())}')")
