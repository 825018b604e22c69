"""The warning that the films of a class folder's sub-folders (COVID/patient 4/) are split as separate films,
where nothing names their patients (train.patients): a folder per patient or study is no label."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from edge.output import said_name
from train.patients import patient_column, patients_judged


def patient_folders_warning(paths: list[str], data_dir: Path, add_data: list[str] | tuple[str, ...] = (),
                            given: bool = False) -> str | None:
    """A warning where sub-folders of the class folders hold 2 or more films each and neither their folder's
    MANIFEST.csv nor the films' DICOM headers name a patient: a hospital export filed under a label
    (COVID/patient 4/*.png) had its patient's films split across train, validation and test as separate films
    without a word, flattering the test figures. The Kaggle layout's images/ level is no sub-folder (masks/ are
    never films); ``given``: the main folder comes split in train/ and test/ folders, each holding the class
    folders. A warning only: the films are not grouped by folder."""
    from train.extra_data import added_prefix
    from train.manifest import ManifestError, read_manifest

    roots = [(added_prefix(f), Path(f)) for f in add_data]
    named: dict[Path, bool] = {}  # folder -> whether its MANIFEST.csv has a patient column
    inside: dict[str, str] = {}  # film in a sub-folder of a class folder -> that sub-folder
    for path in paths:
        prefix, root = next(((p, r) for p, r in roots if path.startswith(p)), ("", Path(data_dir)))
        if root not in named:
            try:
                named[root] = patient_column(read_manifest(root)[0]) is not None
            except ManifestError:  # said by discovery
                named[root] = False
        at = 1 if given and not prefix else 0  # where the class folder is: train/COVID/...
        folders = path[len(prefix):].split("/")[:-1]
        inner = at + 1 + (len(folders) > at + 1 and folders[at + 1].lower() == "images")  # COVID/images/ is no patient
        if not named[root] and len(folders) > inner:
            inside[path] = prefix + "/".join(folders[:inner + 1]) + "/"
    if max(Counter(inside.values()).values(), default=0) < 2:
        return None  # known from the paths alone: no header is read
    try:  # a film whose header's PatientID keeps it with its patient's others, as split_units judges it
        _, patients, from_header, _, odd = patients_judged(paths, data_dir, add_data)
        kept = {path for path, p, h in zip(paths, patients, from_header) if h and p not in odd}
    except ManifestError:
        kept = set()
    films = Counter(folder for path, folder in inside.items() if path not in kept)
    several = sorted((folder, n) for folder, n in films.items() if n >= 2)
    if not several:
        return None
    folder, n = max(several, key=lambda fn: fn[1])
    one = len(several) == 1
    return (f"warning: {len(several)} sub-folder{'' if one else 's'} of the class folders "
            f"hold{'s' if one else ''} 2 or more films {'' if one else 'each '}(e.g. {said_name(str(folder))}, {n} films), and "
            f"{'its' if one else 'their'} films are split as separate films: if each is a patient or study, its films "
            "may fall on both sides of the split and flatter the test figures; to keep each together, name each film's "
            "patient in a MANIFEST.csv patient_id column")
