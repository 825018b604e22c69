"""A Kaggle class folder whose name was changed by mistake, told by the database's own metadata sheets.

The COVID-19 Radiography Database ships ``CLASS.metadata.xlsx`` beside each class folder. Where a class folder has no
sheet while a sheet of a name close to it has no folder (Nromal/ beside Normal.metadata.xlsx), the folder was most
likely misspelt: cxr-train, given no --classes, trains each folder's name as its class, so the model would carry the
misspelt class to the device and into every report, and said only that Nromal.metadata.xlsx was missing. Both are
named in one warning, in the place of that one (train.film_sources). A warning, not a refusal, as the missing sheet
was and as every other mismatch between a data folder's sheets and its films is: a folder of one's own beside a
class whose folder was removed on purpose is no mistake. Names far apart (Tuberculosis/ beside
Lung_Opacity.metadata.xlsx) are no respelling of each other and are not paired.

A student of ``cxr-train --teacher RUN`` reads no folder: it takes its teacher's split and classes, and says the
teacher's data warnings again, this one among them. Its way on ('rename it, or give --classes') does nothing there,
so a note after it says the teacher's (student_note; up to 0.57.0 nothing was asked of a student, nor of its teacher).
"""

from __future__ import annotations

import difflib
from pathlib import Path

from edge.class_key import same_class_key
from edge.output import said_name
from train.kaggle_metadata import SUFFIX, SUFFIXES
from train.manifest import NOT_GIVEN

# how alike two names' keys must be (difflib's ratio: Nromal/Normal 0.83, COVD/COVID 0.89, Healthy/Normal 0.31,
# Tuberculosis/Lung_Opacity 0.17); a pairing only asks the question, the folder is trained as it is either way
CLOSE = 0.75
MISSPELT = "misspelt folder"  # in the warning's question, one folder or more: how a student tells it (student_note)


def sheets_without_folder(data_dir: Path) -> list[str]:
    """The classes whose metadata sheet lies in ``data_dir`` with no folder of their name there (exact, else ignoring
    case and punctuation, as train.kaggle_metadata.metadata_files matches them), in name order, each once."""
    try:
        entries = list(Path(data_dir).iterdir())
        keys = {same_class_key(p.name) for p in entries if p.is_dir()}
        names = {p.name[: -len(s)] for p in entries for s in SUFFIXES if p.name.endswith(s) and not p.is_dir()}
    except OSError:
        return []
    return sorted(n for n in names if n and same_class_key(n) not in keys)


def misspelt_pairs(folders: list[str], sheets: list[str]) -> list[tuple[str, str]]:
    """(folder, sheet's class) of each folder without a sheet that is a likely respelling of a sheet without a
    folder: the closest pairs first, each folder and each sheet in one pair at most; in folder order."""
    scored = sorted(((difflib.SequenceMatcher(None, same_class_key(f), same_class_key(s)).ratio(), f, s)
                     for f in folders for s in sheets), key=lambda t: -t[0])
    pairs: dict[str, str] = {}
    for ratio, folder, sheet in scored:
        if ratio >= CLOSE and folder not in pairs and sheet not in pairs.values():
            pairs[folder] = sheet
    return sorted(pairs.items())


def misspelt_warning(pairs: list[tuple[str, str]], data_dir: Path) -> str:
    """One warning line for ``pairs`` (misspelt_pairs): each folder and the sheet it lost, the way on (rename it, or
    give --classes to train it as spelt), and what going on costs: the class's name, its films' source."""
    one = len(pairs) == 1
    met = "; ".join(f"{said_name(f)}/ has no {said_name(f)}{SUFFIX}, and {said_name(_sheet(data_dir, s))} has no "
                    f"{said_name(s)}/ folder" for f, s in pairs)
    folders = ", ".join(said_name(f) for f, _ in pairs)
    return (f"warning: in {said_name(str(data_dir))}, {met}: {'a ' + MISSPELT if one else MISSPELT + 's'}? "
            f"rename {'it' if one else 'them'}, or give --classes to train {'it' if one else 'them'} as spelt. As "
            f"{'it is' if one else 'they are'}, {folders} {'is a class' if one else 'are classes'} of the model, of the "
            f"device and of every report, and {'its' if one else 'their'} films' source is {NOT_GIVEN}: one group in "
            "the per-source figures, a shortcut audit blind to their archive, and --holdout-source can match their "
            "file names only")


def student_note(warnings: list[str], teacher: str) -> str | None:
    """The note a student of ``teacher`` adds where the teacher's recorded ``warnings`` ask about a misspelt folder:
    renaming it, or --classes on the student (which must be the teacher's), changes nothing for a student."""
    if not any(MISSPELT in line for line in warnings):
        return None
    return (f"note: the misspelt folder asked about above is a class of --teacher {said_name(teacher)}, and a student "
            "takes its teacher's classes and split: renaming the folder, or --classes here, changes nothing; rename "
            "it, train the teacher again, then this student")


def _sheet(data_dir: Path, name: str) -> str:
    """The file name of class ``name``'s sheet as it lies in ``data_dir``: the older release's 'Viral
    Pneumonia.matadata.xlsx' was said as a 'Viral Pneumonia.metadata.xlsx' that is nowhere to be found."""
    return next((f"{name}{s}" for s in SUFFIXES if (Path(data_dir) / f"{name}{s}").is_file()), f"{name}{SUFFIX}")
