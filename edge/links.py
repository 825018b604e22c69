"""Linked sub-folders, which edge-classify --recursive (and --watch --recursive) does not enter: a link
may lead back up, and the walk would never end. Their films are not answered, so they are named on
stderr (once) and in the "no images found" error, never passed over without a word."""

from __future__ import annotations


def linked_text(linked: list[str]) -> str:
    """'linked sub-folders are not entered, even with --recursive, since ...: a/b, a/c; name one as an argument to
    classify its films', of at most 3 named."""
    shown = ", ".join(linked[:3]) + (f" and {len(linked) - 3} more" if len(linked) > 3 else "")
    return (f"linked sub-folders are not entered, even with --recursive, since a link may lead back up and the walk "
            f"would never end: {shown}; name one as an argument to classify its films")
