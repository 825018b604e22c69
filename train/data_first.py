"""A data folder's layout refused before TensorFlow loads: cxr-train found its films only inside step 1, after
"step 1 of 2: the teacher ..." and TensorFlow's import (12 s on 2 cores, more on a laptop), so a folder without class
folders, with one class, a flat folder beside labels.csv, or a PACS tree of patient folders waited that long for its
one-line error. Finding the films lists them (0.07 to 0.16 s for cxr-dev's 1,372 films, none decoded; a file without an
image suffix has its first bytes read, to tell a DICOM film: a PACS export's are read once more here), so it is done
here once more rather than carried into the run: the run's own discovery says its lines as before."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from edge.output import said_name
from train.class_choice import listed
from train.data import DataError, count
from train.prepare import find_films, folders_not_classes

if TYPE_CHECKING:
    from train.run import TrainSettings

PARTS = 3  # a split drawn by cxr-train needs a film of every class in training, validation and test


def _stderr(msg: str) -> None:
    print(f"cxr-train: {msg}", file=sys.stderr, flush=True)


def check_films_found(s: TrainSettings, say: Callable[[str], None] = _stderr) -> None:
    """Find the films of --data (and --add-data) as the run will, and raise its DataError now; the lines
    discovery said on the way (a skipped folder, the films found) are said first, as the run would have
    said them. Nothing is said where the folder is fine: the run finds its films again and says them then.
    The built-in synthetic set is made in the run, and a student's films are its teacher's split: both pass."""
    if s.data == "synthetic" or s.teacher:
        return
    said: list[str] = []
    try:
        items, given, _, classes = find_films(Path(s.data), s.classes, s.add_data, said.append, out=Path(s.out),
                                              class_map=s.class_map, folders_warning=False)
        # a split is drawn where --out holds no run (a finished run or teacher keeps its own split)
        drawn = given is None and not any((Path(s.out) / sub / "run.json").exists() for sub in ("", "teacher"))
        problem = too_few_to_split(count(items, classes), [s.data, *s.add_data]) if drawn else None
    except DataError:
        for line in said:
            say(line)
        raise
    if problem:
        for line in said:
            say(line)
        raise DataError(problem)


def too_few_to_split(counts: dict[str, int], data: str | list[str]) -> str | None:
    """Why no split can be drawn from a folder per patient or study (a PACS export: PAT0001/, PAT0002/, ... each
    a film or two, taken for classes): a class with fewer films than the split's parts, which reading them (some
    may be unreadable, or copies of one another) can only make fewer. Only there: a class or two short in a
    folder of real classes is said by the split itself, with how to train without them (train.prepare)."""
    short = [c for c, n in counts.items() if n < PARTS]
    where = " and ".join(said_name(d) for d in ([data] if isinstance(data, str) else data))  # --data and --add-data
    hint = folders_not_classes(list(counts), [c for c, n in counts.items() for _ in range(n)])
    if not short or not hint:
        return None
    return (f"{'class' if len(short) == 1 else 'classes'} {listed(short[:5])}"
            f"{f' and {len(short) - 5} more' if len(short) > 5 else ''} in {where} "
            f"{'holds' if len(short) == 1 else 'hold'} fewer than {PARTS} films{'' if len(short) == 1 else ' each'}: "
            f"a split needs a film of every class in training, validation and test{hint}")
