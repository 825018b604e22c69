"""Keep libtiff from writing its own error lines to stderr (edge.preprocess asks before decoding a TIFF).

A damaged compressed TIFF made libtiff, under Pillow, print lines such as "ZIPDecode: Decoding error at scanline
0, incorrect data check." or "tempfile.tif: Using code not yet in table." straight to the process's stderr, naming
no film, beside edge-classify's own line for that film ("corrupt or truncated image (decoder error -2); ..."):
stray lines a log reader cannot place, where every error is to be one line. Pillow already silences libtiff's
warnings, not its errors; the decoder still fails, and the film's error line still says so.

libtiff's handler is process-wide, so this sets it once, on the copy of libtiff that Pillow has loaded (found in
/proc/self/maps, so never a second copy); where there is no such file (macOS) or no libtiff, nothing changes.
"""

from __future__ import annotations

import ctypes

_quieted: bool | None = None  # None: not tried yet


def loaded_libtiff(maps: str = "/proc/self/maps") -> str | None:
    """The path of the libtiff this process has loaded (Pillow's), or None."""
    try:
        with open(maps) as f:
            for line in f:
                path = line.split(maxsplit=5)[-1].strip()
                if "/libtiff" in path and ".so" in path:
                    return path
    except OSError:
        pass
    return None


def quiet_libtiff() -> bool:
    """Make libtiff's errors silent, tried once per process; whether they are (False where it cannot be done)."""
    global _quieted
    if _quieted is None:
        _quieted = False
        path = loaded_libtiff()
        try:
            setter = ctypes.CDLL(path).TIFFSetErrorHandler if path else None
        except (OSError, AttributeError):
            setter = None
        if setter is not None:
            setter.restype, setter.argtypes = ctypes.c_void_p, [ctypes.c_void_p]
            setter(None)
            _quieted = True
    return _quieted
