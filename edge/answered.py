"""Films a watch's earlier runs already answered, read back from its JSON-lines log.

A restarted `edge-classify --watch` answers every film in its folder again: on a Pi that is
minutes of repeated work for a folder of thousands, while new films wait behind them. With
``--skip-answered answers.jsonl`` (the log the service appends to) a film is skipped when the
log holds an answer to it given after the film was last written or moved in (the later of its
modification and change times: a PACS export reuses names such as IM0001, and ``cp -p``,
``rsync -t`` or ``mv`` bring another patient's film in under one with its old modification time):
films that arrived or were rewritten while the watch was down are answered, and so is every film
whose answer was an error.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path


def answered_times(log: Path) -> dict[str, float]:
    """Each file's latest answer in ``log`` with a label (not an error), as POSIX seconds of its
    "time" field. Lines without a time (a log from before --watch stamped them, or a batch's),
    and lines that are not JSON (a line cut by a crash), are passed over: those films are answered
    again, which is what happened without this."""
    times: dict[str, float] = {}
    try:
        with open(log, encoding="utf-8", errors="replace") as lines:  # line by line: months of answers
            for line in lines:
                try:
                    rec = json.loads(line)
                    if "label" not in rec or not isinstance(rec.get("file"), str):
                        continue
                    at = datetime.fromisoformat(rec["time"]).timestamp()
                except (ValueError, TypeError, KeyError, AttributeError):
                    continue
                times[rec["file"]] = max(at, times.get(rec["file"], at))
    except FileNotFoundError:  # the first run: nothing answered yet
        pass
    except OSError as e:
        raise ValueError(f"--skip-answered: cannot read {log} ({e.strerror or e})") from None
    return times


def already_answered(times: dict[str, float], path: str, mtime_ns: int) -> bool:
    """Whether ``path``, last written (or moved in) at ``mtime_ns``, was answered after that (the
    log's times are whole seconds: an answer in the same second as the write counts as before it)."""
    at = times.get(path)
    return at is not None and at > mtime_ns / 1e9 + 1
