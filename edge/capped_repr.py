"""A field's value as an error line quotes it, cut to a length a terminal line can hold.

A model file's metadata is anyone's to edit (its checksum covers the weights only): a label or a stored rule's
class of 100,000 characters was quoted whole, one error line of 100 kB on the device's terminal or log. A runtime's
error message is cut too, after its repeats are taken out (error_text)."""

from __future__ import annotations

from typing import Any

LONGEST = 80


def capped_repr(value: Any) -> str:
    """repr(value), or its first characters and how long it is, where it is longer than LONGEST."""
    return capped_text(repr(value))


def capped_text(text: object) -> str:
    """str(text) cut the same way: an error's own message can quote the value whole (float('xxx...'))."""
    text = str(text)
    return text if len(text) <= LONGEST else f"{text[:LONGEST - 20]}... ({len(text):,} characters)"


def error_text(text: object) -> str:
    """A runtime's error message as one capped line, each sentence once. LiteRT keeps its error text across
    invokes and adds each run's to it, unseparated: a batch's tenth failing film quoted 'Input tensor 1 lacks data'
    ten times in a row. A text that is one piece repeated is that piece; a line seen before is dropped."""
    lines: list[str] = []
    for line in str(text).splitlines():
        line = _unrepeated(line.strip())
        if line and line not in lines:
            lines.append(line)
    return capped_text(" ".join(lines))


def _unrepeated(text: str) -> str:
    """The shortest piece (4 characters or more) that ``text`` is a whole number of copies of, else ``text``: a
    string is a repeat of its first k characters exactly when it occurs in itself doubled at offset k."""
    for whole in (text, text + " "):  # 'A. A. A.': copies each followed by a space, the last one's stripped
        k = (whole + whole).find(whole, 1)
        if 4 <= k < len(whole):  # a piece of a few characters ('...', '00') is no sentence
            return whole[:k].strip()
    return text
