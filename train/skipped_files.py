"""Films cxr-train could not read: their kinds counted and a few named, one of each kind first (train.prepare).

A folder of 10,000 films with 100 empty and 3 corrupt ones must not print 103 lines, nor hide the corrupt kind under
five empty files; and a share past SKIPPED_WARN is no longer a few bad films but a damaged folder (a failed copy)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable

from edge.figures import counted
from edge.output import shown

SKIPPED_WARN = 0.1  # a share of unreadable files that is no longer a few bad films but a damaged folder


def _reason(error: str) -> str:
    """An error's kind, without the file's own numbers: 'corrupt or truncated image', 'image is N pixels'."""
    return re.sub(r"\d[\dx.,]*", "N", re.split(r" \(|; ", error)[0])


def reasons_text(skipped: list[dict]) -> str:
    """'empty file (100), corrupt or truncated image (100), permission denied (1)': the kinds, most common first,
    each with its count after it ("100 empty file" read as a typo, and "100 permission denied" has no plural)."""
    return ", ".join(f"{kind} ({n})" for kind, n in Counter(_reason(s["error"]) for s in skipped).most_common())


def examples(skipped: list[dict], n: int = 5) -> list[dict]:
    """Up to n unreadable files to name, one of each kind first: five empty files would hide the corrupt ones."""
    first: dict[str, int] = {}
    for k, s in enumerate(skipped):
        first.setdefault(_reason(s["error"]), k)
    chosen = sorted(first.values())[:n]
    chosen += [k for k in range(len(skipped)) if k not in chosen][: n - len(chosen)]
    return [skipped[k] for k in sorted(chosen)]


def say_skipped(skipped: list[dict], found: int, log: Callable[[str], None]) -> None:
    """Name a few of the ``skipped`` files, count them by kind, and warn where they are a large share of the
    ``found`` ones (run.json lists them all)."""
    for bad in examples(skipped):
        log(f"skipping {shown(bad['path'])}: {bad['error']}")
    if skipped:
        log(f"skipped {counted(len(skipped), 'unreadable file')} (listed in run.json): {reasons_text(skipped)}")
        if len(skipped) > SKIPPED_WARN * found:
            log(f"warning: {len(skipped)} of the {found} files found ({len(skipped) / found:.0%}) could "
                "not be read, and the model is trained without them: check the folder (a failed copy or download?) "
                "before trusting it")
