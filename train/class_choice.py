"""How cxr-train's --classes names class folders, and the command lines its messages suggest.

--classes is a comma list, so a folder whose name holds a comma ("Viral pneumonia, non-COVID")
could never be named in it as spelt. Its names therefore match folders as --class-map's do:
exactly, then ignoring case, punctuation and Unicode spelling (same_class_key). cxr-train refuses
two folders with one such key, so the match is unique. The label is the folder's own name.

A suggested line is shell-quoted and written so that it survives the comma split: a name's commas
are dropped, which the matching ignores.
"""

from __future__ import annotations

import shlex
import unicodedata
from pathlib import Path
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable

from edge.decision import same_class_key
from train.class_folders import spelt

if TYPE_CHECKING:
    from train.data import Item


def nameless(name: str) -> bool:
    """Whether ``name`` has no letter or digit (``-``, ``+``, ``__``): such a name cannot be matched
    to a folder or label safely (its key is empty), and ``-`` is --class-map's "leave out"."""
    return not same_class_key(name)


def nameless_error(name: str, what: str, todo: str) -> str:
    """The one line that refuses a class name without a letter or digit."""
    return f"{what} {name}: a class name needs a letter or digit ('-' in --class-map means 'leave out'): {todo}"


def as_folders(classes: list[str], found: Iterable[str]) -> list[str]:
    """Each name of --classes spelt as the folder it names: the exact name, then the same in Unicode's
    composed form (macOS spells Normál decomposed), then the one folder with its key; else as typed."""
    found = list(found)
    nfc = {unicodedata.normalize("NFC", f): f for f in found}
    by_key: dict[str, list[str]] = {}
    for f in found:
        by_key.setdefault(same_class_key(f), []).append(f)

    def folder(name: str) -> str:
        if name in found:
            return name
        if unicodedata.normalize("NFC", name) in nfc:
            return nfc[unicodedata.normalize("NFC", name)]
        same = by_key.get(same_class_key(name), []) if same_class_key(name) else []
        return same[0] if len(same) == 1 else name

    return [folder(c) for c in classes]


def typable(name: str) -> str:
    """A name as a comma list can carry it: commas (and '=') dropped, spaces kept single."""
    return " ".join(name.replace(",", " ").replace("=", " ").split())


def classes_option(names: Iterable[str]) -> str:
    """``--classes 'COVID,Viral pneumonia non-COVID'``: a line that works pasted into a shell."""
    return "--classes " + shlex.quote(",".join(typable(n) for n in names))


def leave_out_option(folders: Iterable[str]) -> str:
    """``--class-map 'Lung Opacity=-'``: leave these folders out, pasted into a shell."""
    return "--class-map " + shlex.quote(",".join(f"{typable(f)}=-" for f in folders))


def listed(names: Iterable[str]) -> str:
    """Folder names for a message, comma-separated; one that holds a comma is quoted, so the list reads one way."""
    return ", ".join(repr(n) if "," in n else spelt(n) for n in names)


def not_found(unknown: list[str], classes: list[str], found: list[str], data_dir: Path) -> str:
    """Why --classes names no folder, and the line to type instead where a folder's comma split its name."""
    split_up = [f for f in found if "," in f and all(p.strip() in unknown for p in f.split(",") if p.strip())]
    if split_up:
        pieces = {p.strip() for f in split_up for p in f.split(",")}
        kept = [c for c in classes if c not in pieces] + split_up
        return (f"--classes splits its list at commas, so the folder {split_up[0]!r} was read as "
                f"{' and '.join(map(repr, (p.strip() for p in split_up[0].split(','))))}: write a folder's name "
                f"without its commas (--classes matches folders ignoring case and punctuation): {classes_option(kept)}")
    below = [f for f in found if all((Path(data_dir) / f / c).is_dir() for c in unknown)]
    return (f"class folder(s) {listed(unknown)} not found in {data_dir}; its class folders: {listed(found) or 'none'}"
            + (f" (they are one level down: give --data {Path(data_dir) / below[0]})" if below else ""))


def twins_remedy(twins: list[str]) -> str:
    """What to do about class folders whose names differ only in case or punctuation. Where punctuation
    tells them apart (TB+ and TB-, positive and negative), merging would mix two classes: rename first."""
    bare = {"".join(unicodedata.normalize("NFKC", n).casefold().split()) for n in twins}
    if len(bare) == 1:  # Normal and normal: most likely one class filed twice
        return "merge them into one folder, or rename one"
    stems = {n.rstrip("+-") for n in twins}
    example = (f"{min(stems)}_positive and {min(stems)}_negative" if len(stems) == 1 and {n[-1] for n in twins} <= {"+", "-"}
               else "TB_positive and TB_negative for TB+ and TB-")
    return (f"rename them so that letters or digits tell them apart (e.g. {example}), or merge them into one folder "
            "if they are one class")


def composed_labels(items: list["Item"], classes: list[str]) -> tuple[list["Item"], list[str]]:
    """The films and classes with each label in Unicode's composed form (NFC), as users type it: a folder
    copied from a Mac spells Lungenödem decomposed, and --json's labels then differed byte for byte from
    the name typed. Films keep their paths, so they are still read from the folder's real name."""
    def nfc(label: str) -> str:
        return unicodedata.normalize("NFC", label)

    if all(nfc(c) == c for c in classes):
        return items, classes
    return [replace(i, label=nfc(i.label)) for i in items], [nfc(c) for c in classes]
