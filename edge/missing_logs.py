"""--skip-answered's logs that are not there, said at a watch's start: a rotated copy logrotate has not made yet
(``answers.jsonl.1`` beside a given ``answers.jsonl``, before the first rotation) in a quiet note, anything else in a
warning (a typo, a first log missing, a copy that logrotate's ``dateext`` or ``compress`` names otherwise).

The documented systemd unit gives ``--skip-answered answers.jsonl --skip-answered answers.jsonl.1``; until the first
rotation every start warned that answers.jsonl.1 was no such file, and a warning that every start gives, for the
setup the manual asks for, teaches a user to pass over the one that matters."""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

_ROTATED = re.compile(r"(?:[.-]\d+)*(?:\.gz)?$")  # answers.jsonl of answers.jsonl.1, .1.gz, -20261206


def missing_logs(logs: list[Path], own: str | None = None) -> tuple[list[Path], list[str]]:
    """The logs that are there to read, and a line for each that is not (but for ``own``, the path of the file
    standard output writes to): a warning, or a note for a numbered copy of another log given (``.1``, ``.2.gz``) with
    no copies of that log beside it yet (not rotated yet). A unit's ``--skip-answered answers.jsonl.1`` where
    logrotate named the copy otherwise (``dateext``: answers.jsonl-20261206; ``compress`` without ``delaycompress``:
    answers.jsonl.1.gz) was passed over without a word, named as read in the start's note, and every restart answered
    the whole folder again: that stays a warning, with the copies beside it named."""
    there, lines = [], []
    for log in logs:
        if log.exists() or own is not None and os.path.abspath(log) == own:
            there.append(log)
            continue
        base = _ROTATED.sub("", log.name) or log.name
        folder = log.parent
        try:
            beside = sorted({p.name for pattern in (f"{glob.escape(base)}.*", f"{glob.escape(base)}-*")
                             for p in folder.glob(pattern)} - {Path(g).name for g in logs if Path(g).parent == folder})
        except OSError:
            beside = []
        if beside:
            shown = ", ".join(str(folder / n) for n in beside[:4]) + (", ..." if len(beside) > 4 else "")
            lines.append(f"warning: --skip-answered {log}: no such file: its answers are not read; beside it: {shown} "
                         "(logrotate's dateext, or compress without delaycompress, names its copies so): give the "
                         "copy's name instead")
        elif _numbered_copy(log, logs):
            lines.append(f"note: --skip-answered {log}: not made yet ({folder / base} not rotated yet); a start after "
                         "logrotate's first rotation reads it")
        else:
            lines.append(f"warning: --skip-answered {log}: no such file (a first run, or not rotated yet?): its "
                         "answers are not read")
    return there, lines


def _numbered_copy(log: Path, logs: list[Path]) -> bool:
    """Whether ``log`` is named as logrotate numbers a copy of another log given in its folder (answers.jsonl.1,
    answers.jsonl.2.gz of answers.jsonl); a name that differs otherwise (answers.jsnol.1) is a typo, still warned."""
    m = re.fullmatch(r"(.+?)((?:\.\d+)+)(\.gz)?", log.name)
    return m is not None and any(g != log and g.parent == log.parent and g.name == m.group(1) for g in logs)
