"""cxr-train --holdout-source: which films are the external set, and which are kept out of every
figure. A held-out source's patients may have films filed under other sources (patient ids are per
folder, so archives that number patients 1, 2, 3 ... link unrelated people), and its films may have
copies filed elsewhere. Those films stay out of training, or the held-out patients would leak in;
but they are not the held-out source's films, so they are not scored as its external set either."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edge.figures import counted
from train.data import Item
from train.patients import text_key


def source_counts(items: list[Item]) -> dict[str, int]:
    """How many of ``items`` each source names, most first (films of none under one note of why they matched)."""
    counts: dict[str, int] = {}
    for it in items:
        src = it.source or "no source: matched by file name"  # --holdout-source also matches names, without a MANIFEST.csv
        counts[src] = counts.get(src, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def source_held(holdout: str, source: str) -> bool:
    """Whether a source's name holds the --holdout-source text, ignoring case, spaces and Unicode form (as patient
    ids are compared): how cxr-train picks the held-out source's films, and cxr-evaluate names its rows."""
    return text_key(holdout) in text_key(source)


def matches(holdout: str, item: Item) -> bool:
    """Whether ``item`` is of the held-out source: by part of its source (:func:`source_held`), or by the start of
    its file name, compared alike."""
    return source_held(holdout, item.source) or text_key(Path(item.path).name).startswith(text_key(holdout))


def hold_out(holdout: str, items: list[Item], units: list[int],
             groups: list[int]) -> tuple[list[Item], list[Item], dict[str, Any]]:
    """(the external set: the films ``holdout`` matches; the films left out of every split and figure:
    the other films of their split units, i.e. their copies and their patients' other films; run.json's
    counts of those, and the films, as cross_folder_copies lists its own: a later call knows them as
    films of this run, train.resume). ``units`` and ``groups``: each film's split unit and copy group."""
    held = [it for it in items if matches(holdout, it)]
    held_ids = {id(it) for it in held}
    held_units = {units[k] for k, it in enumerate(items) if id(it) in held_ids}
    held_copies = {groups[k] for k, it in enumerate(items) if id(it) in held_ids}
    left_out = [k for k, it in enumerate(items) if units[k] in held_units and id(it) not in held_ids]
    copies = sum(groups[k] in held_copies for k in left_out)
    films = [{"file": items[k].path, "label": items[k].label, "sha256": items[k].sha256} for k in left_out]
    return held, [items[k] for k in left_out], {"copies": copies, "same_patients": len(left_out) - copies, "films": films}


def no_holdout_match(holdout: str, items: list[Item]) -> str:
    """Why --holdout-source found no film, with the sources there are to name instead."""
    counts = source_counts([i for i in items if i.source])
    if not counts:
        return (f"--holdout-source {holdout!r} matches no image's file name, and these films have no sources (no "
                "source column in MANIFEST.csv, no Kaggle metadata spreadsheets): give the start of the file names "
                "of the films to hold out, or a MANIFEST.csv with a source column")
    shown = ", ".join(f"{src} ({n})" for src, n in list(counts.items())[:8]) + (", ..." if len(counts) > 8 else "")
    return (f"--holdout-source {holdout!r} matches no image's source or file name; the sources of the films of "
            f"the classes used are {shown} (a source of a class left out by --classes is no choice)")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def left_out_text(left_out: dict[str, int]) -> str:
    """The films kept out of every figure, said as what they are: '3 other films of the same patients
    and 1 copy of them filed elsewhere are left out of training, validation, test and the external
    figures'; '' when there are none."""
    copies, patients = left_out["copies"], left_out["same_patients"]
    said = [*([_count(patients, "other film", "other films") + " of the same patients"] if patients else []),
            *([_count(copies, "copy", "copies") + " of them filed elsewhere"] if copies else [])]
    if not said:
        return ""
    verb = "is" if copies + patients == 1 else "are"
    return (f"{' and '.join(said)} {verb} left out of training, validation, test and the external figures (run.json: "
            "data_hygiene.holdout_left_out)")


def holdout_line(holdout: str, held: list[Item], left_out: dict[str, int] | None = None) -> str:
    """What --holdout-source took: it matches by part of a name, so 'covid' may take several
    sources, and the user must see which ones and how many films of each (``held``: the films
    it matched; ``left_out``: :func:`hold_out`'s counts of the films kept out with them)."""
    counts = source_counts(held)
    also = left_out_text(left_out or {"copies": 0, "same_patients": 0})
    if len(counts) == 1:
        line = f"holding out {counted(len(held), 'image')} of source {held[0].source or holdout!r} as an external set"
    else:
        each = ", ".join(f"{n} of {src}" for src, n in counts.items())
        line = (f"holding out {len(held)} images of {len(counts)} sources matching {holdout!r} as an external set "
                f"({each}); name a source in full to hold out fewer")
    if by_name := sum(text_key(holdout) not in text_key(it.source) for it in held):
        line += (f"; {by_name} of them by file name alone (their names begin with {holdout!r}, their sources do not "
                 "name it)")
    return line + (f"; {also}" if also else "")


def holdout_emptied(holdout: str | None, kept: list[Item], external: list[Item], classes: list[str]) -> str | None:
    """The reason to stop when the held-out films take every film of a class: said as it is, since
    the split's message ("too few images") would send the user looking for more films."""
    gone = [c for c in classes if any(i.label == c for i in external) and not any(i.label == c for i in kept)]
    if not gone:
        return None
    every = " and ".join(f"every {c} film (sources: {', '.join(source_counts([i for i in external if i.label == c]))})"
                         for c in gone)
    return f"--holdout-source {holdout} takes {every}; nothing is left to train {', '.join(gone)} on"
