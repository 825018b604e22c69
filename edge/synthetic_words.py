"""How a model trained on cxr-synth's drawings says so, in one set of words wherever it is said.

The card, edge-classify's note, an evidence map, cxr-convert's report.md and its plots, and cxr-evaluate all
name a synthetic model's images the same way (wholly or partly SYNTHETIC, with the share where it was mixed), and
a model trained on drawings alone gets DRAWN in place of the sentences on hospitals and reference standards.
"""

from __future__ import annotations

from typing import Any


def synthetic_words(record: dict[str, Any]) -> str:
    """'SYNTHETIC images', or 'partly SYNTHETIC images (12 of 48 films)' where cxr-synth's films were found
    among real ones (a model's metadata, run.json or report: synthetic_share); for a record whose
    synthetic_data is set."""
    films = record.get("synthetic_share")
    films = films if isinstance(films, dict) else {}  # a damaged record: the plain words, never a crash
    n, of = films.get("synthetic"), films.get("of")
    if isinstance(n, int) and isinstance(of, int) and 0 < n < of:
        return f"partly SYNTHETIC images ({n} of {of} films)"
    return "SYNTHETIC images"


def synthetic_mark(record: dict[str, Any]) -> str:
    """'TRAINED ON SYNTHETIC IMAGES: says nothing about real X-rays' for a record (a model's metadata, run.json or
    report) whose synthetic_data is set, else '': said on every picture such a model draws (an evidence map, a report
    plot), since a picture travels without the report's banner: a demo model's map of a real film read "COVID 1.00"
    with its evidence in the lungs, and nothing on it said the model had seen only drawings (hunt 58, H1)."""
    if not (isinstance(record, dict) and record.get("synthetic_data")):
        return ""
    return f"TRAINED ON {synthetic_words(record).upper()}: says nothing about real X-rays"


# For a model trained on drawings alone, in place of the sentences on hospitals, archives, the reference standard, what
# an answer is worth at a clinic and a site's own films: a demo's card spoke of "the hospitals and archives of its
# training films" (hunt 58, L1). Partly synthetic runs keep those, with their own notes.
DRAWN = ("drawn images (cxr-synth), no hospital and no reference standard: these figures test the pipeline only, "
         "not how a model reads X-rays")


def drawn_only(record: dict[str, Any]) -> bool:
    """Whether a record (a model's metadata, run.json or report) says its films were all cxr-synth's drawings."""
    return (isinstance(record, dict) and bool(record.get("synthetic_data"))
            and not synthetic_words(record).startswith("partly"))


def drawn_among(n: int, of: int, films: str = "films") -> str:
    """'all 14 films are SYNTHETIC drawings', '8 of the 14 films are ...', '1 of the 14 films is a SYNTHETIC drawing'
    (it read '1 of the 14 films are SYNTHETIC drawings'), 'the one film is a SYNTHETIC drawing' where one was scored:
    cxr-train's, cxr-evaluate's and an older run's note on cxr-synth's films found by their mark. ``films``: the noun
    with what follows it ('films of its split')."""
    one = films.replace("films", "film", 1)
    if n == of == 1:
        return f"the one {one} is a SYNTHETIC drawing"
    share = f"all {of} {films}" if n == of else f"{n} of the {of} {films}"
    return f"{share} {'is a SYNTHETIC drawing' if n == 1 else 'are SYNTHETIC drawings'}"
