"""Labels a sheet spells differently only in case or spaces (Normal, normal, NORMAL): one class, filed in the
folder of the spelling its first row gives. Filed in two folders, cxr-train refused the folder made for it
('class folders Normal and normal differ only in case'), after the command had said it filed every film.
Labels told apart by punctuation (TB+ and TB-) may be two classes: they are not merged (train.class_choice)."""

from __future__ import annotations

import unicodedata


def spelling_key(folder: str) -> str:
    """``folder`` without case, spaces or Unicode spelling (é composed or not): folders of one key are one class
    spelt twice (train.class_choice.twins_remedy's rule for 'merge them')."""
    return "".join(unicodedata.normalize("NFKC", folder).casefold().split())


def first_spelling(folder: str, firsts: dict[str, str]) -> str:
    """The folder a label's films are filed in: the first folder of its key given to ``first_spelling`` (kept in
    ``firsts``), so that Normal's and normal's films share one."""
    return firsts.setdefault(spelling_key(folder), folder)
