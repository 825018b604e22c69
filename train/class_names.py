"""Which of a model's labels each class folder of a user's data set stands for.

Sites name their folders their own way: the Kermany children's set says NORMAL, other
archives COVID-19 or covid19, where a model trained on the Kaggle database says Normal and
COVID. Refusing such a folder would send users off to rename thousands of files; guessing
freely could score pneumonia films as COVID. So names match exactly, then ignoring case and
punctuation (with COVID-19 for COVID), and anything else needs the user's own --class-map.
Used when scoring a site's folder (cxr-evaluate, cxr-compare) and when adding one to training
(cxr-train --add-data, train.extra_data).
"""

from __future__ import annotations

from typing import Any, Iterable

from edge.class_key import same_class_key  # the device matches --threshold's class by the same key
from edge.comma_list import comma_items
from train.class_choice import nameless, nameless_error, twins_remedy

LEAVE_OUT = "-"



def parse_class_map(text: str | None) -> dict[str, str]:
    """``"NORMAL=Normal,PNEUMONIA=-"`` -> ``{"NORMAL": "Normal", "PNEUMONIA": "-"}`` (``-``: leave the folder out)."""
    mapping: dict[str, str] = {}
    for part in comma_items(text, "--class-map", "FOLDER=LABEL pairs", "Healthy=Normal,PNEUMONIA=-") if text else []:
        folder, sep, label = part.partition("=")
        # 'COVID==Normal' and 'A=B=C' gave the labels '=Normal' and 'B=C', which match ignoring punctuation: taken unsaid
        if not sep or not folder.strip() or not label.strip() or "=" in label:
            raise ValueError(f"--class-map: {part.strip()!r} is not FOLDER=LABEL (or FOLDER=- to leave it out); a "
                             "folder or label whose name holds a comma or '=' is written without them ('Viral pneumonia, "
                             "non-COVID' as 'Viral pneumonia non-COVID'): folders and labels are matched ignoring "
                             "punctuation and case")
        folder, label = folder.strip(), label.strip()
        other = next((v for k, v in mapping.items() if same_class_key(k) == same_class_key(folder)), None)
        if other is not None and other != label:  # the last one silently won: healthy films scored as COVID
            from edge.output import said_name  # as typed, which may hold a newline: one line still

            raise ValueError(f"--class-map maps the folder {said_name(folder)} twice, to {said_name(other)} and to "
                             f"{said_name(label)}; give it once")
        mapping[folder] = label
    return mapping


def class_map_key(text: Any) -> Any:
    """--class-map as its meaning, for comparing two runs' settings: folders and classes are matched
    ignoring case and punctuation, and the pairs' order is none, so 'Healthy=Normal,Other=-' and
    'other=-, healthy=normal' are one setting (a finished teacher was refused for them, or trained again
    with --replace). Text cxr-train would refuse is kept as typed; no mapping is None."""
    try:
        mapping = parse_class_map(text) if isinstance(text, str) else None
    except ValueError:
        return text
    if not mapping:
        return None
    return sorted([same_class_key(k), v if v == LEAVE_OUT else same_class_key(v)] for k, v in mapping.items())


def parse_class_list(text: str | None, option: str = "--classes") -> list[str] | None:
    """``"COVID, Normal"`` -> ``["COVID", "Normal"]``; None for no text (every class folder found).

    Names match folders ignoring case and punctuation (train.class_choice), so two names with one
    key would name one folder: a model with two outputs for one class would miscount it. A name
    without a letter or digit matches nothing safely. All are refused rather than trained on."""
    if not text:  # --classes "" as a script passes an unset variable: every class, as before
        return None
    names = comma_items(text, option, "class folder names", "COVID,Normal")
    seen: dict[str, str] = {}
    for name in names:
        if nameless(name):
            raise ValueError(nameless_error(name, f"{option} names", "rename its folder"))
        first = seen.get(same_class_key(name))
        if first is not None:
            if first == name:
                raise ValueError(f"{option} names {name} twice; give each class once")
            remedy = twins_remedy([first, name])
            raise ValueError(f"{option} names {first} and {name}, one class (names match ignoring case and "
                             "punctuation); give each class once" + ("" if remedy.startswith("merge") else
                             f"; if their folders are two classes, {remedy.replace('rename them', 'rename the folders')}"))
        seen[same_class_key(name)] = name
    if len(names) == 1:  # else refused only after TensorFlow loaded and the films were read, as a folder of one class
        raise ValueError(f"{option} names one class ({names[0]}); a classifier tells two or more apart: name each "
                         f"class to train on, e.g. {option} COVID,Normal")
    return names


def as_spelt(mapping: dict[str, str], folders: Iterable[str], labels: list[str]) -> dict[str, str]:
    """--class-map with each folder and label spelt as on disk and in the model, where the name given
    matches exactly one of them ignoring case and punctuation, as folders are matched to labels
    ("viral pneumonia=-" for the folder "Viral Pneumonia", "Healthy=normal" for the label "Normal")."""
    def spelt(name: str, names: list[str]) -> str:
        if name in names:
            return name
        same = [n for n in names if same_class_key(n) == same_class_key(name)]
        return same[0] if len(same) == 1 else name

    folders = sorted(set(folders))
    return {spelt(k, folders): v if v == LEAVE_OUT else spelt(v, labels) for k, v in mapping.items()}


def match_classes(folders: Iterable[str], labels: list[str], mapping: dict[str, str] | None = None) -> dict[str, str]:
    """Map every folder class to a model label (or ``LEAVE_OUT``); raise ValueError naming what does not match.

    An explicit mapping wins; then the exact name; then the name ignoring case and punctuation,
    which must point at exactly one label.
    """
    if LEAVE_OUT in labels:  # a folder matched to it would read as --class-map's "leave out": its films in no figure
        raise ValueError(f"the model's class {LEAVE_OUT} cannot be scored: {LEAVE_OUT} is also --class-map's mark for "
                         "'leave this folder out', so its films would be in no figure; train the model again with that "
                         "class folder renamed (cxr-train refuses a class name without a letter or digit; 0.34.0 took it)")
    mapping = as_spelt(mapping or {}, folders, labels)
    bad_targets = sorted({v for v in mapping.values() if v != LEAVE_OUT and v not in labels})
    if bad_targets:
        raise ValueError(f"--class-map names {', '.join(bad_targets)}, not among the model's labels {', '.join(labels)}")
    by_key: dict[str, list[str]] = {}
    for label in (c for c in labels if not nameless(c)):  # a name without letters matches only itself
        by_key.setdefault(same_class_key(label), []).append(label)
    matched: dict[str, str] = {}
    unknown: list[str] = []
    for folder in sorted(set(folders)):
        if folder in mapping:
            matched[folder] = mapping[folder]
        elif folder in labels:
            matched[folder] = folder
        elif len(by_key.get(same_class_key(folder), [])) == 1:
            matched[folder] = by_key[same_class_key(folder)][0]
        else:
            unknown.append(folder)
    if unknown:
        raise ValueError(f"folder classes {', '.join(unknown)} are not among the model's labels {', '.join(labels)}; "
                         f"say which label each stands for with --class-map FOLDER=LABEL, or leave it out with "
                         f"--class-map FOLDER=-")
    return matched
