"""Progress bars over images, for the long loops of training and conversion (decoding a folder,
scoring a set): tqdm where it is installed (the [train] extra), nothing where it is not, and
nothing where stderr is not a terminal: a log file would get every redraw of the bar."""

from __future__ import annotations

import sys


def progress_bar(total: int, desc: str, enabled: bool):
    """A tqdm bar over images (or one that does nothing where tqdm is absent, progress is off or
    stderr is a file or pipe)."""
    try:
        from tqdm import tqdm

        on_terminal = getattr(sys.stderr, "isatty", lambda: False)()
        return tqdm(total=total, desc=desc, unit="img", disable=not (enabled and on_terminal), leave=False)
    except ImportError:  # tqdm is in the [train] extra; stay usable without it
        class _Null:
            def update(self, n: int) -> None: ...
            def close(self) -> None: ...

        return _Null()
