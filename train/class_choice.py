"""How cxr-train's --classes names class folders, and the command lines its messages suggest.

--classes is a comma list, so a folder whose name holds a comma ("Viral pneumonia, non-COVID")
could never be named in it as spelt. Its names therefore match folders as --class-map's do:
exactly, then in Unicode's composed form, then ignoring case, then ignoring case, punctuation and
Unicode spelling (same_class_key); the closest of these wins, so covid-19 picks COVID-19 beside
COVID. A name that fits two folders equally (NORMAL beside Normal and normal) picks neither: it
must be spelt as one of them is. The label is the folder's own name.

A suggested line is shell-quoted and written so that it survives the comma split: a name's commas
are dropped, which the matching ignores.
"""

from __future__ import annotations

import codecs
import sys
import unicodedata
from pathlib import Path
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Iterable

from edge.shell_words import command_text, shell_quote
from edge.class_key import same_class_key
from edge.output import said_name
from train.class_folders import class_folder_names, not_a_data_folder, spelt

if TYPE_CHECKING:
    from train.data import Item


def nameless(name: str) -> bool:
    """Whether ``name`` has no letter or digit (``-``, ``+``, ``__``): such a name cannot be matched
    to a folder or label safely (its key is empty), and ``-`` is --class-map's "leave out"."""
    return not same_class_key(name)


def nameless_error(name: str, what: str, todo: str) -> str:
    """The one line that refuses a class name without a letter or digit."""
    return f"{what} {name}: a class name needs a letter or digit ('-' in --class-map means 'leave out'): {todo}"


def not_text_error(folder: str, data_dir: Any) -> str:
    """The one line that refuses a class folder whose name is not text (bytes held as lone surrogates): its
    name would be the model's label, which run.json, the .tflite and labels.txt must hold as UTF-8. Where
    the file-system encoding is not UTF-8, the locale is the cause: the same name read as UTF-8 is text."""
    where = f"class folder {said_name(folder)} in {said_name(str(data_dir))}"  # one line, whatever they hold
    if codecs.lookup(sys.getfilesystemencoding()).name != "utf-8":
        return (f"{where}: its name is not text in this locale's encoding ({sys.getfilesystemencoding()}): run "
                "cxr-train in a UTF-8 locale (LANG=C.UTF-8) or with PYTHONUTF8=1")
    return (f"{where}: its name is not UTF-8 text (Latin-1, as from an old Windows zip?) and a class name becomes the "
            f"model's label: rename the folder, e.g. {command_text('convmv', '-f', 'latin1', '-t', 'utf8', '-r', '--notest', str(data_dir))}")


def folder_matches(name: str, found: Iterable[str]) -> list[str]:
    """The folders of ``found`` that ``name`` may name, from the closest kind of match that has any:
    the exact name, the same in Unicode's composed form (macOS spells Normál decomposed), the same
    ignoring case, then ignoring case and punctuation. More than one: the name is ambiguous."""
    found = list(found)
    nfc = unicodedata.normalize("NFC", name)
    key = same_class_key(name)
    kinds = (lambda f: f == name,
             lambda f: unicodedata.normalize("NFC", f) == nfc,
             lambda f: unicodedata.normalize("NFC", f).casefold() == nfc.casefold(),
             lambda f: bool(key) and same_class_key(f) == key)
    for kind in kinds:
        if hits := [f for f in found if kind(f)]:
            return hits
    return []


def as_folders(classes: list[str], found: Iterable[str]) -> list[str]:
    """Each name of --classes spelt as the one folder it names (folder_matches); else as typed, which
    discovery then reports as not found."""
    found = list(found)
    return [hits[0] if len(hits := folder_matches(c, found)) == 1 else c for c in classes]


def picked_folders(classes: list[str] | None, data_dir: Any, out: Any = None) -> list[str] | None:
    """The class folders ``classes`` picks in ``data_dir`` as it is now, in Unicode's composed form (as a
    run records its classes); a name that picks none stays as typed. None without a list of names, or
    where the folder cannot be listed ('synthetic', a share not mounted, no class folders): two runs'
    --classes are one setting only where they pick the same folders (COVID and COVID-19 are two)."""
    found = _folders_now(data_dir, out) if classes else None
    return [unicodedata.normalize("NFC", f) for f in as_folders(classes, found)] if found else None


def _folders_now(data_dir: Any, out: Any) -> list[str] | None:
    """The class folders of --data as it is now; None where it cannot be listed ('synthetic', a share not mounted)."""
    if not isinstance(data_dir, str) or data_dir == "synthetic" or not_a_data_folder(Path(data_dir)):
        return None
    try:
        return class_folder_names(Path(data_dir), Path(out) if isinstance(out, (str, Path)) else None)
    except OSError:
        return None


def same_class_setting(done: Any, now: Any, recorded: Any, data_dir: Any, out: Any = None) -> bool:
    """Whether --classes ``now`` is the setting a finished run had (``done``, which picked its
    ``recorded`` classes): where it picks the same folders of --data as it is now, in the same order
    ('covid,normal' for a run of COVID, Normal), or names the classes the run found without it. Folders
    whose names differ only in case or punctuation (COVID and COVID-19, Normal and normal) are two
    classes, so naming the other is another setting. No --classes now, after a run that had it, is every class
    folder of --data: the same setting only where those are the classes the run picked (COVID,Normal of a folder that
    also holds Viral_Pneumonia is another). Where --data cannot be listed, names compare as typed."""
    if not isinstance(recorded, list) or not all(isinstance(c, str) for c in recorded):
        return (done or recorded) == (now or recorded)
    recorded = [unicodedata.normalize("NFC", c) for c in recorded]  # 0.34.0 recorded a Mac's spelling
    if not now and done and (every := _folders_now(data_dir, out)):
        return sorted(unicodedata.normalize("NFC", f) for f in every) == sorted(recorded)
    picked = picked_folders(now, data_dir, out)
    if picked is not None:
        return picked == recorded
    return (done or recorded) == (now or recorded)


def typable(name: str) -> str:
    """A name as a comma list can carry it: commas (and '=') dropped, spaces kept single."""
    return " ".join(name.replace(",", " ").replace("=", " ").split())


def classes_option(names: Iterable[str]) -> str:
    """``--classes 'COVID,Viral pneumonia non-COVID'``: a line that works pasted into a shell."""
    return "--classes " + shell_quote(",".join(typable(n) for n in names))


def leave_out_option(folders: Iterable[str]) -> str:
    """``--class-map 'Lung Opacity=-'``: leave these folders out, pasted into a shell."""
    return "--class-map " + shell_quote(",".join(f"{typable(f)}=-" for f in folders))


def listed(names: Iterable[str]) -> str:
    """Folder names for a message, comma-separated; one that holds a comma is quoted, so the list reads one way."""
    return ", ".join(repr(n) if "," in n else spelt(n) for n in names)


def not_found(unknown: list[str], classes: list[str], found: list[str], data_dir: Path) -> str:
    """Why --classes names no folder: a name that fits two folders alike, or a folder's comma that split its
    name (with the line to type instead, in the order typed), or no such folder."""
    for name in unknown:
        if len(hits := folder_matches(name, found)) > 1:
            return (f"--classes names {spelt(name)}, which matches {'both' if len(hits) == 2 else 'each of'} the class "
                    f"folders {' and '.join(listed([h]) for h in hits)} in {said_name(str(data_dir))} (names match ignoring case and "
                    "punctuation): write it exactly as one of them is spelt, or rename one")
    split_up = [f for f in found if "," in f and all(p.strip() in unknown for p in f.split(",") if p.strip())]
    if split_up:
        owner = {p.strip(): f for f in split_up for p in f.split(",")}
        kept: list[str] = []
        for c in classes:  # the order typed is the order of the model's outputs: the folder where its pieces were
            if owner.get(c, c) not in kept:
                kept.append(owner.get(c, c))
        return (f"--classes splits its list at commas, so the folder {split_up[0]!r} was read as "
                f"{' and '.join(map(repr, (p.strip() for p in split_up[0].split(','))))}: write a folder's name "
                f"without its commas (--classes matches folders ignoring case and punctuation): {classes_option(kept)}")
    below = [f for f in found if all((Path(data_dir) / f / c).is_dir() for c in unknown)]
    return (f"{'class folder' if len(unknown) == 1 else 'class folders'} {listed(unknown)} not found in {said_name(str(data_dir))}; "
            f"its class folders: {listed(found) or 'none'}"
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
