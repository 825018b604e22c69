"""How many films edge-classify decodes at once: as many as its threads, unless large films would not fit.

A 6000x6000 16-bit PNG took about 215 MB to decode and a 16-bit DICOM of that size about 470 MB (145 and 207 MiB
since their bytes are dropped once decoded), so four decode threads on a Pi held 1 to 1.7 GB at once, where an
8-bit film of 2000x2500 takes about 15 MB. Each film's cost is estimated from its header before it is decoded,
and a film starts only while the films decoding beside it and it fit in an eighth of the memory free when the
batch began; one film alone always starts (a film that needs more than is free says so, edge.batch).
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from edge.cgroup_room import cgroup_room

# The share of the free memory that films being decoded may take together: the rest is the interpreter's, the
# page cache's and the other services' on the device. An eighth keeps 6000x6000 16-bit films on a 4 GB Pi (3.5 GB
# free) to two at a time (DICOMs, one), on a 1 GB Pi to one, while 8-bit films of 2500x2500 decode four at a time.
DECODE_SHARE = 0.125
# A decode's peak above the imports is a film's base (the blocks of rows a 16-bit film is mapped in, whatever its
# size) and a rate a pixel; DICOM's a 16-bit sample (pydicom's copy of the pixel data, the array, the 8-bit film).
# Measured (benchmarks/film_cost_fit.py, 2000x2500 to 6000x6000 films): each estimate at or a little above the peak.
# The file's bytes are not counted: they are dropped once decoded (edge.film_bytes), before the peak (a noisy and a
# smooth 6000x6000 PNG peaked alike at 62 and 25 MB files), but for a film that may be see-through, which keeps them.
MIB = 2**20
BYTES_PER_PIXEL = {"grey": 2.2, "wide": 3.9, "colour": 6.0}
BASE_BYTES = {"grey": 8 * MIB, "wide": 32 * MIB, "colour": 10 * MIB}
DICOM_BYTES_PER_SAMPLE_16 = 5.0
DICOM_BASE_BYTES = 48 * MIB
SEE_THROUGH_MODES = ("LA", "La", "PA", "RGBA", "RGBa")
WIDE_MODES = ("I;16", "I;16B", "I;16L", "I", "F")


def may_start(in_flight: int, cost: int, budget: int | None) -> bool:
    """Whether a film expected to take ``cost`` bytes starts decoding beside films taking ``in_flight`` bytes,
    within ``budget`` bytes for them all (None: unknown, as on macOS: every thread decodes, as before).
    One film alone always starts: films of equal cost decode max(1, budget // cost) at a time."""
    return budget is None or in_flight == 0 or in_flight + cost <= budget


def free_memory(proc: str = "/proc", cgroup_root: str = "/sys/fs/cgroup") -> int | None:
    """Bytes this process may still take: MemAvailable, or less where its cgroup or one above it (a container,
    systemd's MemoryMax= on a service or its slice; cgroup v2 or v1, edge.cgroup_room) allows less; None where
    neither can be read (not Linux). ``proc`` and ``cgroup_root``: where those files are read (another folder in
    the tests, with the files of a given board)."""
    free = _meminfo_available(proc)
    room = cgroup_room(proc, cgroup_root)
    known = [v for v in (free, room) if v is not None]
    return min(known) if known else None


def decode_budget() -> int | None:
    """The bytes films being decoded may take together (DECODE_SHARE of :func:`free_memory`), or None."""
    free = free_memory()
    return None if free is None else int(free * DECODE_SHARE)


def film_cost(path: str) -> int:
    """The bytes decoding ``path`` is expected to take at its peak, from its header (Pillow's, or a DICOM's Rows,
    Columns and bits) and, for a film that may be see-through, its size; a header that cannot be read counts the
    file's bytes twice."""
    try:
        st = os.stat(path)
    except OSError:
        return 0  # its decode says what is wrong, at once
    if not stat.S_ISREG(st.st_mode):
        return 0  # a FIFO's header read here waited for ever for a writer; its decode refuses it, at once
    size = st.st_size
    try:
        return _pixel_bytes(path, size)
    except Exception:  # noqa: BLE001 - any header: the decode judges the film, this only paces it
        return 2 * size


def _pixel_bytes(path: str, size: int) -> int:
    """A film's cost from its header: a file of an image's name is opened by Pillow first (looked at for a DICOM's
    preamble first, each PNG and JPEG was opened twice before its decode opened it again), a DICOM under such a
    name, or of none, by its data set."""
    from edge.dicom import dicom_header
    from edge.film_files import is_image_name

    if is_image_name(os.path.basename(path)):
        try:
            return _image_bytes(path, size)
        except Exception:  # noqa: BLE001 - not what its name says (a DICOM named .png): its data set, below
            pass
    ds = dicom_header(Path(path), ["Rows", "Columns", "BitsAllocated", "SamplesPerPixel"])
    if ds is not None:
        bits = int(getattr(ds, "BitsAllocated", 16) or 16)
        samples = int(getattr(ds, "SamplesPerPixel", 1) or 1)
        per_16 = int(ds.Rows) * int(ds.Columns) * samples * max(bits, 8) / 16
        return DICOM_BASE_BYTES + int(per_16 * DICOM_BYTES_PER_SAMPLE_16)
    return _image_bytes(path, size)


def _image_bytes(path: str, size: int) -> int:
    from PIL import Image

    with Image.open(path) as img:  # the header only: Pillow decodes nothing until asked for the pixels
        kind = "wide" if img.mode in WIDE_MODES else "grey" if img.mode in ("L", "1", "P") else "colour"
        held = size if img.mode in SEE_THROUGH_MODES or "transparency" in img.info else 0  # its bytes kept
        return held + BASE_BYTES[kind] + int(img.size[0] * img.size[1] * BYTES_PER_PIXEL[kind])


class DecodeGate:
    """Films start decoding only while those in flight and the next fit in ``budget`` bytes (None: no limit).
    One film alone always starts, so a batch never waits for memory that will not come."""

    def __init__(self, budget: int | None) -> None:
        self.budget = budget
        self._in_flight = 0
        self._changed = threading.Condition()

    def enter(self, cost: int) -> None:
        if self.budget is None:
            return
        with self._changed:
            self._changed.wait_for(lambda: may_start(self._in_flight, cost, self.budget))
            self._in_flight += cost

    def leave(self, cost: int) -> None:
        if self.budget is None:
            return
        with self._changed:
            self._in_flight -= cost
            self._changed.notify_all()


def _meminfo_available(proc: str) -> int | None:
    try:
        with open(os.path.join(proc, "meminfo")) as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
