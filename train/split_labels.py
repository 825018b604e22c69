"""A sheet's label column that holds the names of a split or of image and mask folders (train, test, val, masks,
images), not classes: ``python -m train.file_by_label`` filed by it, making a folder 'train/' of every disease
mixed. Such a column is refused, and the sheet's column that looks like the labels instead is named."""

from __future__ import annotations

import re
from collections import Counter

from edge.film_files import is_image_name
from edge.shell_words import command_text

SPLIT_WORDS = {"train", "training", "trainval", "val", "valid", "validation", "dev", "test", "testing", "holdout"}
FOLDER_WORDS = {"mask", "masks", "lungmask", "lungmasks", "image", "images", "img", "imgs", "segmentation",
                "segmentations", "volume", "volumes"}
MOST_CLASSES = 20  # a column of more distinct values is no column of classes (ids, dates, notes)


def _key(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def not_classes(labels: Counter[str]) -> bool:
    """Whether every label given is a split's or a folder's name (train, Test, masks, images): no class among them."""
    return bool(labels) and all(_key(label) in SPLIT_WORDS | FOLDER_WORDS for label in labels)


def _values(rows: list[list[str]], i: int) -> Counter[str]:
    return Counter(v for r in rows if len(r) > i and (v := r[i].strip()))


def _shown(values: Counter[str]) -> str:
    """'train 40, test 10': the most given first, then by name."""
    return ", ".join(f"{v} {n}" for v, n in sorted(values.items(), key=lambda vn: (-vn[1], vn[0]))[:4])


def likely_label_column(header: list[str], rows: list[list[str]], skip: set[str],
                        names: tuple[str, ...]) -> str | None:
    """The column of ``header`` (``names``' first, then any) whose values look like classes: 2 to 20 of them, each
    given to more than one row where the sheet has a few, none a film's name, not a split's; None where none does."""
    keyed = {_key(n): n for n in names}
    order = sorted((i for i, h in enumerate(header) if h not in skip),
                   key=lambda i: (list(keyed).index(_key(header[i])) if _key(header[i]) in keyed else len(keyed), i))
    for i in order:
        values = _values(rows, i)
        if (2 <= len(values) <= MOST_CLASSES and len(values) < max(3, sum(values.values()) / 2)
                and not not_classes(values) and not any(is_image_name(v) for v in values)):
            return header[i]
    return None


def split_column_problem(header: list[str], rows: list[list[str]], file_column: str, label_column: str,
                         names: tuple[str, ...]) -> str | None:
    """Why ``label_column`` gives no classes (its values a split's or folders' names), with the column to give
    instead where the sheet has one; None where its values may be classes. ``rows``: the sheet's, its header left out."""
    labels = _values(rows, header.index(label_column))
    if not not_classes(labels):
        return None
    shown = _shown(labels)
    why = (f"its column {label_column!r} gives {shown}: the names of a split or of image and mask folders, not classes "
           f"(filed by them, a folder {max(labels, key=labels.__getitem__)!r} would hold every class mixed)")
    other = likely_label_column(header, rows, {file_column, label_column}, names)
    if other is None:
        return f"{why}; name the column that gives each film's class with --label-column"
    return f"{why}; its column {other!r} looks like the labels ({_shown(_values(rows, header.index(other)))}): give {command_text('--label-column', other)}"
