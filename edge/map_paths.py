"""Where --explain writes its maps: a folder of their own (never the films' folder, nor one read with
--recursive or watched, where a map would replace the film of its name or come back as a film), and the name each
map takes there (its film's, less the image suffix, cut to fit). Apart from edge.explain, which draws the maps: the
folder is checked once, before any film, and neither needs Pillow."""

from __future__ import annotations

import os
from pathlib import Path

from edge.leftovers import clear_leftovers


# A map's name leaves room for "-99999.png" within the 255 bytes a file name may have.
MAX_STEM_BYTES = 240


def map_stem(name: str) -> str:
    """A film's name less its image suffix, as its map's name begins. A name with no image suffix keeps its
    last part (1.2.840.113619.2.55.3.1 and ...3.2, two films of one series, both lost their last UID part to
    a "suffix" and shared one stem), and a name too long is cut so that its -2, -3 still fits."""
    from edge.film_files import IMAGE_SUFFIXES

    base, suffix = os.path.splitext(name)
    stem = (base if suffix.lower() in IMAGE_SUFFIXES else name) or "image"
    raw = os.fsencode(stem)
    if len(raw) <= MAX_STEM_BYTES:
        return stem
    cut = MAX_STEM_BYTES
    while cut > 0 and raw[cut] & 0xC0 == 0x80:  # not inside a letter's UTF-8 bytes
        cut -= 1
    return os.fsdecode(raw[:cut])


def same_folder(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one folder (a link to it, or another spelling of its path); False where either
    cannot be looked at."""
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False


def maps_folder(out_dir: Path, inputs: list[str], recursive: bool) -> str | None:
    """Make ``out_dir`` for the maps of these inputs, or say why it cannot be (edge.cliutil.folder_problem,
    clash_with_inputs, or mkdir's error)."""
    from edge.cliutil import folder_problem

    if problem := folder_problem(out_dir):  # a read-only stick said so, with no way on: which folder to give instead
        return f"{problem}: give --explain a folder that can be written (on another disk, or your home folder)"
    if problem := clash_with_inputs(out_dir, inputs, recursive):  # says its way on
        return problem
    try:
        Path(out_dir).mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return f"cannot create it ({e.strerror or e}): give --explain a folder that can be written"
    clear_leftovers(out_dir, (".",))  # the temporary maps of a run that was killed (none still writing)
    return None


def clash_with_inputs(out_dir: Path, inputs: list[str], recursive: bool) -> str | None:
    """Why the maps must not go to ``out_dir`` for these inputs (files, folders, '-'), or None.

    A map named after its film, written into the film's own folder, replaces the film (NAME.png
    over NAME.png), and maps inside a folder that is read recursively or watched come back as
    films: under --watch an endless loop of maps of maps, each given a label. Paths read from
    stdin are checked one by one (explain_file)."""
    out = Path(out_dir).resolve()
    for a in inputs:
        if a == "-":
            continue
        p = Path(a)
        folder = p if p.is_dir() else p.parent
        same = same_folder(folder, out)
        if same or (p.is_dir() and recursive and folder.resolve() in out.parents):
            from edge.output import said_name  # a newline in a path forged a line of the error

            return (f"{said_name(str(out_dir))} is {'' if same else 'inside '}the folder of the films to map "
                    f"({said_name(str(a))}): the maps would be written among the films (over a film of the same name) and read as "
                    "films next time; give a folder outside them")
    return None
