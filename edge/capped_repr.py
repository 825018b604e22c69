"""A field's value as an error line quotes it, cut to a length a terminal line can hold.

A model file's metadata is anyone's to edit (its checksum covers the weights only): a label or a stored rule's
class of 100,000 characters was quoted whole, one error line of 100 kB on the device's terminal or log."""

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
