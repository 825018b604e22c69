"""Hand the memory a large film's decode freed back to the system (glibc's malloc_trim), where the C library has it.

glibc keeps what a thread frees in that thread's own arena for its next allocation: edge-classify's decode threads,
taking large films one at a time (edge.decode_budget), each kept a film's leftovers, so four threads peaked at 467
MiB where one thread took 275 (6000x6000 16-bit PNGs). After a film whose decode is expected to take LARGE_FILM
bytes or more, malloc_trim(0) returns the free pages of every arena. musl, macOS and Windows have no malloc_trim
(or another allocator): there it is skipped, and nothing else changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
from typing import Callable

# A film whose decode takes this much (edge.decode_budget.film_cost) is followed by a trim: a 2000x2500 8-bit film
# (about 20 MB) is not, whose leftovers the next film reuses; a 3000x3500 16-bit film (about 70 MB) is.
LARGE_FILM = 64 * 2**20

_trim: Callable[[int], int] | None | bool = False  # False: not looked up yet; None: this C library has none


def malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library is not glibc or lacks it."""
    global _trim
    if _trim is False:
        _trim = _find_trim(platform.system(), platform.libc_ver()[0])
    return _trim


def _find_trim(system: str, libc: str) -> Callable[[int], int] | None:
    if system != "Linux" or libc != "glibc":
        return None
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def trim_after(cost: int) -> bool:
    """Return the freed memory after a film of ``cost`` bytes where it is large and glibc is the C library;
    whether it was trimmed."""
    if cost < LARGE_FILM or (trim := malloc_trim()) is None:
        return False
    trim(0)
    return True
