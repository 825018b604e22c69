"""Whether an error says the process ran out of memory rather than that a file is bad: imports nothing,
so edge.entry can ask before NumPy has loaded (a limit too tight for NumPy's own libraries)."""

from __future__ import annotations

# edge.watch tries a film that failed so once more (edge.watch.TRANSIENT), and a batch once alone (edge.batch).
OUT_OF_MEMORY = "out of memory while decoding"


def short_of_memory(e: BaseException) -> bool:
    """Whether ``e`` says the process ran out of memory, not that the file is bad: Pillow's Image.open
    raises a bare MemoryError, and a library loaded lazily (pydicom, a Pillow plugin's, NumPy's OpenBLAS,
    the TFLite runtime) an ImportError or OSError ("failed to map segment from shared object") under a
    tight memory limit."""
    if isinstance(e, MemoryError):
        return True
    text = str(e)
    return isinstance(e, (ImportError, OSError)) and ("failed to map segment" in text or "Cannot allocate memory" in text)
