"""Whether a run's split holds cxr-synth's drawings, read again from its films where its record predates
the check of today's release.

A run records whether it was trained on synthetic images (run.json's synthetic_data, split.json's notes)
by the rules of the release that trained it: none before 0.22, the folder's README from 0.22, each film's
own mark or name from 0.31 (train.synthetic_mark). A student of an older teacher, and cxr-convert of an
older run, took that record as it was: a model trained on drawings went out unmarked, its card and the
device silent. The films are at hand; only records older than MARKS_SINCE are read again. Either record's
mark counts: a run.json edited by hand to say otherwise does not take split.json's off (the checksums cover
damage, not forgery; this only keeps the warning).
"""

from __future__ import annotations

from pathlib import Path

from edge.synthetic_words import drawn_among
from train.data import Split
from train.scan import film_file
from train.side_file import SideFileError, read_side_file

MARKS_SINCE = (0, 31, 0)  # the first release that knew cxr-synth's films by their own mark or name
_HEAD = 64 * 1024  # the mark's text chunk comes before the pixels (train.synthetic_mark)


def _head(path: Path) -> bytes:
    try:
        return read_side_file(path, head=_HEAD)  # a FIFO put in a film's place must not stop the run
    except (OSError, SideFileError):  # gone, unreadable or no file: its name alone can tell
        return b""


def _older(record: dict) -> bool:
    from train.split_rules import version_of

    return (version_of(record.get("cxr_edge_version")) or (0,)) < MARKS_SINCE


def synthetic_in_split(split: Split) -> tuple[list[str], list[str]]:
    """(the split's folders cxr-synth wrote, by their README; the paths of its films that are cxr-synth's
    drawings, by their mark or name), as a run of today's release finds them (train.prepare)."""
    from train.synthetic_mark import is_synthetic_film
    from train.synthetic_set import synthetic_folders

    root = Path(split.data_dir)
    made = synthetic_folders([root, *map(Path, split.notes.get("added_data") or [])])
    films = [i.path for part in split.parts.values() for i in part]
    return made, sorted(p for p in films if is_synthetic_film(p, _head(film_file(root, p))))


def synthetic_unrecorded(record: dict, split: Split, where: str, whose: str) -> tuple[dict, str] | None:
    """({"synthetic": True, "synthetic_share": ...}, a note to print) where ``record`` (a run.json) does not
    mark its run as trained on synthetic images but its ``split``'s notes do (a run.json edited by hand), or,
    for a record made before MARKS_SINCE, the films of its split are cxr-synth's; else None. ``where``: the record, as the note names it; ``whose``: what
    the note says is marked ('the student is')."""
    if record.get("synthetic_data"):
        return None
    if split.notes.get("synthetic"):  # the mark is sticky: run.json edited by hand does not take it off
        return {"synthetic": True, "synthetic_share": split.notes.get("synthetic_share")}, (
            f"note: {where} does not mark the run as trained on synthetic images, but its split.json does (its films "
            f"are cxr-synth's, as the run that drew the split found them): {whose} marked as trained on synthetic "
            "images, and its figures say nothing about real X-rays")
    if not _older(record):
        return None
    made, drawn = synthetic_in_split(split)
    if not made and not drawn:
        return None
    n, of = len(drawn), sum(map(len, split.parts.values()))
    if made:
        found = f"{', '.join(made)} holds SYNTHETIC images (its README.md says cxr-synth wrote it)"
    else:
        found = (f"{drawn_among(n, of, 'films of its split')} by cxr-synth "
                 f"(e.g. {drawn[0]}; marked in the file, or named synthetic-CLASS-NNNN.png)")
    partly = "partly " if not made and n < of else ""
    line = (f"note: {where} (cxr-edge {record.get('cxr_edge_version') or 'older than 0.5'}, "
            f"which did not yet check every film) does not mark the run as trained on synthetic images, but {found}: "
            f"{whose} marked as trained on {partly}synthetic images, and its figures say nothing about real X-rays")
    return {"synthetic": True, "synthetic_share": {"synthetic": n, "of": of} if drawn else None}, line
