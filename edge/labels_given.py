"""The names --labels gives a model's outputs (edge-classify): refused where they would mislead.

A foreign model carries no labels, and a cxr-edge file's may be renamed by position. Two outputs under
one name would merge into one class in every answer, a name without a letter or digit could not be
scored, and the file's own names given at other places would swap every answer while each looked right.
"""

from __future__ import annotations

from edge.controls import label_problem
from edge.class_key import same_class_key
from edge.figures import counted
from edge.metadata import ModelFileError


def check_label_names(names: list[str]) -> None:
    """Refuse --labels with an empty name or a class named twice (ignoring case and punctuation, COVID-19 as COVID,
    as every command matches class names): two outputs under one name would merge into one class in every answer,
    and --threshold or cxr-evaluate could not tell which output a name means."""
    given = ",".join(names)
    if any(not n.strip() for n in names):
        raise ValueError(f"--labels {given!r}: a class name is empty; give one name per output, e.g. --labels COVID,Normal")
    if bad := [n for n in names if not same_class_key(n)]:  # '-' would read as cxr-evaluate's --class-map "leave out"
        raise ValueError(f"--labels {given!r}: the class name {bad[0]} has no letter or digit; a class name needs one "
                         "(cxr-evaluate could not score it: '-' in its --class-map means 'leave out'), e.g. "
                         "--labels COVID,Normal")
    if said := next((problem for n in names if (problem := label_problem(n))), None):  # cxr-train's rule for its classes
        raise ValueError(f"--labels {given!r}: {said}; e.g. --labels COVID,Normal")
    folded = [n.casefold() for n in names]
    twice = [n for k, n in enumerate(names) if folded.index(folded[k]) == k and folded.count(folded[k]) > 1]
    if twice:
        raise ValueError(f"--labels {given!r}: each class needs its own name ({', '.join(twice)} given twice, ignoring case)")
    keys = [same_class_key(n) for n in names]  # every command reads COVID-19 and covid as COVID (--threshold, cxr-evaluate)
    if alike := next(([n for n, k in zip(names, keys) if k == key] for key in keys if keys.count(key) > 1), None):
        raise ValueError(f"--labels {given!r}: each class needs its own name ({' and '.join(alike)} name one class: class "
                         "names match ignoring case and punctuation, COVID-19 as COVID); e.g. --labels COVID,Normal")


def check_renaming(own: list[str], given: list[str]) -> None:
    """Refuse --labels that name the file's own classes at other places (in any spelling every command
    matches: ``covid-19`` is the file's ``COVID``): the outputs keep their order, so ``Normal,COVID`` for a
    ``COVID,Normal`` file would swap every answer. New names
    (a rename by position) pass; the caller warns about them. A count other than the file's is refused with how to
    leave a class out: a 4-class user giving three names read it as a way to drop one, which no renaming can be."""
    if len(given) != len(own):
        raise ModelFileError(
            f"--labels gives {counted(len(given), 'name')}, the model has {len(own)} ({','.join(own)}, in the order of its "
            "outputs): --labels renames them one for one and cannot leave a class out; a model without a class is one "
            "trained without it (cxr-train --classes), and cxr-evaluate --class-map FOLDER=- leaves a folder out")
    keys = [same_class_key(c) for c in own]  # covid-19 names the file's COVID as --threshold and cxr-evaluate read it
    moved = [c for k, c in enumerate(given) if same_class_key(c) in keys and keys.index(same_class_key(c)) != k]
    if moved:
        raise ModelFileError(
            f"--labels {','.join(given)} puts this file's own classes in other places (it has {','.join(own)}, "
            f"in the order of its outputs): that would swap its answers; leave out --labels, the file names its classes")


def foreign_count_problem(n_outputs: int, n_given: int) -> str:
    """The refusal of --labels of another count than a foreign model's outputs, saying how many names to give:
    the bare "3 outputs but 2 labels" left its user guessing, and the refusal without --labels suggests
    "--labels A,B" whatever the model's outputs (its count is known only once the file is loaded). The example has as
    many names as outputs; past 26 (a 1,001-class ImageNet model) none is given: A to Z was 26 names, refused again."""
    example = f" (e.g. --labels {','.join(chr(ord('A') + k) for k in range(n_outputs))})" if n_outputs <= 26 else ""
    return (f"--labels gives {counted(n_given, 'name')}, the model has {n_outputs} outputs: give {n_outputs} class names, "
            f"one per output, in the order of its outputs{example}")
