"""Files a watch (edge.watch) has seen changing for long, said once each.

A file is answered once it has settled (edge.watch_timing.QUIET_NS). One that never does, a copy that never ends
(a stalled writer that keeps appending, a transfer restarted in a loop) or a file written to for ever under a film's
name, was never answered and never named: the technician reading the log saw nothing of it. Such a file, changing on
every poll for STILL_CHANGING_NS by the device's clock, is named once; it is answered as ever once it stops.
"""

from __future__ import annotations

from typing import Iterable

from edge.figures import counted
from edge.names import as_text


class StillChanging:
    """Which files have stayed unsettled (a watcher's pending ones) for a span, each told of once while it stays so."""

    def __init__(self) -> None:
        self.since: dict[str, int] = {}  # each file unsettled on every poll since (monotonic ns)
        self.said: set[str] = set()

    def note(self, pending: Iterable[str], now_ns: int, span_ns: int) -> str | None:
        """What to say of the files in ``pending`` (unsettled at this poll) that have been so for ``span_ns`` and were
        not said yet; None where there are none. A file that settled, or went, is forgotten."""
        pending = set(pending)
        for path in [p for p in self.since if p not in pending]:
            del self.since[path]
            self.said.discard(path)
        for path in pending:
            self.since.setdefault(path, now_ns)
        new = sorted(p for p, t in self.since.items() if now_ns - t >= span_ns and p not in self.said)
        if not new:
            return None
        self.said.update(new)
        one, minutes = len(new) == 1, max(1, span_ns // 60_000_000_000)
        shown = ", ".join(as_text(p) for p in new[:3]) + (", ..." if len(new) > 3 else "")
        return (f"warning: {counted(len(new), 'file')} {'has' if one else 'have'} kept changing for "
                f"{counted(minutes, 'minute')} ({shown}): {'it is' if one else 'they are'} answered only once "
                f"{'it stops' if one else 'they stop'} (a copy that never ends, or a file written to for ever?)")
