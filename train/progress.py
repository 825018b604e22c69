"""Progress over images, for the long loops of training and conversion (decoding a folder, scoring
a set). On a terminal: a tqdm bar where it is installed (the [train] extra), nothing where it is
not. Elsewhere (2>train.log, nohup, systemd, CI) a redrawn bar would be every redraw joined by
carriage returns, and no bar at all looks hung for the minutes 20,000 films take: so a plain line
now and then ("cxr-train: reading images: 2,000 of 20,400"), at most every tenth of the way and
every LOG_EVERY_S seconds, and none for a phase that ends sooner (short runs, the test suite)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Callable

LOG_EVERY_S = 15.0  # seconds between two lines in a log, at least
LOG_STEPS = 10  # lines in a log for a whole phase, at most (and one to say it finished)


def progress_bar(total: int, desc: str, enabled: bool, clock: Callable[[], float] | None = None):
    """Progress over ``total`` images, with ``update(n)`` and ``close()``: a tqdm bar on a terminal
    (one that does nothing where tqdm is absent), lines in a log otherwise, nothing if not
    ``enabled``. ``clock``: seconds, time.monotonic unless given (tests)."""
    on_terminal = getattr(sys.stderr, "isatty", lambda: False)()
    if enabled and not on_terminal:
        return _LogLines(total, desc, clock or time.monotonic)
    try:
        from tqdm import tqdm

        return tqdm(total=total, desc=desc, unit="img", disable=not (enabled and on_terminal), leave=False)
    except ImportError:  # tqdm is in the [train] extra; stay usable without it
        return _Null()


def keras_verbose(progress: bool, stream=None) -> int:
    """Keras's ``verbose`` for ``model.fit``: 1, its redrawn bar, only on a terminal that can show it; else 2,
    one plain line an epoch. The bar is drawn with '━' (U+2501) in ANSI bold and colours, unconditionally:
    on a console that cannot encode '━' every redraw was a row of \\u2501 escapes, and TERM=dumb or NO_COLOR
    (no-color.org: set and not empty) still got the colour codes. ``stream``: sys.stderr as it is now unless given."""
    stream = sys.stderr if stream is None else stream
    if not progress or not getattr(stream, "isatty", lambda: False)():
        return 2
    try:
        "\u2501".encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return 2
    if os.environ.get("TERM") == "dumb" or os.environ.get("NO_COLOR"):
        return 2
    return 1


class _Null:
    def update(self, n: int = 1) -> None: ...
    def close(self) -> None: ...


class _LogLines:
    """Lines on stderr (as it is when each line is written) for a log file or pipe."""

    def __init__(self, total: int, desc: str, clock: Callable[[], float]) -> None:
        self.total, self.desc, self.clock = total, desc, clock
        self.done = self.shown = 0  # images done; images done at the last line written
        self.step = max(1, -(-total // LOG_STEPS))
        self.last = clock()  # when the phase began, then when the last line was written
        self.prog = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "cxr-edge"

    def update(self, n: int = 1) -> None:
        self.done += n
        if self.done - self.shown >= self.step and self.done < self.total:
            now = self.clock()
            if now - self.last >= LOG_EVERY_S:
                self._line(now)

    def close(self) -> None:
        if self.shown and self.done > self.shown:  # lines were written: say it finished
            self._line(self.clock())

    def _line(self, now: float) -> None:
        self.shown, self.last = self.done, now
        print(f"{self.prog}: {self.desc}: {self.done:,} of {self.total:,}", file=sys.stderr, flush=True)
