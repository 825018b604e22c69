"""The input check, in words: whether a model file warns of a film unlike its training films, and how often.

A reader deciding where to put the file must know whether a scanned form or an inverted film gets a warning, and
how often an ordinary film does: the card's line (input_check_line) and edge-classify's notes say it from the
file's metadata ('typicality'), and why a file carries no input check (no_input_check_why).
"""

from __future__ import annotations

from typing import Any

from edge.figures import fixed
from edge.stamped_by import converter_version


def no_input_check_why(meta: dict[str, Any]) -> str:
    """Why a cxr-edge file carries no input check, and what gives it one."""
    made = converter_version(meta, stamped=False)  # a re-stamp of its figures adds no input check
    if made is None:  # every cxr-convert stamps its version: none readable is not a version before 0.4.0
        return "made by an unknown cxr-edge version: convert it again to add one"
    if made < (0, 4, 0):
        return "made before cxr-edge 0.4.0: convert it again to add one"
    return "its run had too few training films to fit one when it was converted: train on more films for one"


def flagged_share(meta: dict[str, Any]) -> float | None:
    """The share of its own validation films the file's input check flagged, where it stored one."""
    share = (meta.get("typicality") or {}).get("flagged_validation") if isinstance(meta.get("typicality"), dict) else None
    if not isinstance(share, (int, float)) or isinstance(share, bool) or not 0 <= share <= 1:
        return None
    return float(share)


def own_flags_words(share: float) -> str:
    """How often the input check flagged the file's own validation films, in words (the card, and edge-classify beside
    a flagged film): 'it flagged 0.0% of its own validation films too' read oddly; none is said as none."""
    if share <= 0:
        return "it flagged none of its own validation films, though it may flag ordinary films of another site"
    return f"it flagged {fixed(share, 1, 100)}% of its own validation films too, often more of another site's"


def input_check_line(meta: dict[str, Any]) -> str:
    """The card's line on the input check: a reader deciding where to put the file must know whether a film
    unlike its training films (a scanned form, an inverted film) gets a warning, and how often an ordinary one does."""
    if not isinstance(meta.get("typicality"), dict):
        why = "not made by cxr-convert" if meta.get("foreign") else no_input_check_why(meta)
        return f"Input check: none ({why}): a film unlike its training films gets an answer without a warning."
    share = flagged_share(meta)
    return ("Input check: a film unlike its training films (upside down, inverted, not a chest film) gets a warning "
            "beside its answer (--refuse-atypical: no answer)"
            + ("" if share is None else f"; {own_flags_words(share)}") + ".")
