"""Whether loading and running a model kills the process, tried once per device in a child process.

The runtimes read a flatbuffer by the offsets written in it, unchecked: a table offset pointing
elsewhere makes tflite-runtime 2.14 and LiteRT die of a segmentation fault, with no message, and a
service manager restarts edge-classify into the same crash. A cxr-edge file's checksum does not
prevent it: anyone who changes a byte can write the checksum again, and a converter bug would write
a right one. So every model is first loaded, and run once on a zero input, in a child process, which dies in
our place: edge.model runs every model once on a black input when it loads it (EdgeModel._trial_run), so a
flatbuffer that crashes only when run would otherwise kill edge-classify there, with no word.

That child costs a Python start and the runtime's import (0.15 s on a workstation, more on a Pi),
so its verdict is kept, by the SHA-256 of the flatbuffer and the runtime's name and version, as one
small file under $XDG_CACHE_HOME/cxr-edge/probed (else ~/.cache/cxr-edge/probed): the second start
with the same model skips it. Where that folder cannot be written (a service without a home), the
child runs at every start: slower, never unsafe.
"""

from __future__ import annotations

import os
import platform
import re
import signal
import subprocess
import sys
from pathlib import Path

from edge.regular_file import read_regular

# The child: argv = path, size (0: all), the SHA-256 its parent keeps the verdict under, the folder holding edge.
# ``python -c`` puts the folder it was started in first on sys.path: a numpy.py dropped in a films folder would run
# in the child (and, making it fail, switch the probe off), so it goes before the first import that could find it;
# the folder holding edge comes first instead (a checkout run without installing). What it read is checked against
# the SHA-256 (exit 3: no verdict): a file replaced between the parent's read and the child's must not be vouched for.
# It loads the flatbuffer as edge.model does (its first ``size`` bytes; a foreign one followed by zeros), then from
# the path: a read past the end of a cut buffer crashes or not by what lies beyond it, so one way alone let a crash
# through (tflite-runtime 2.14). Each one that allocates is then run once on zeros (its inputs' own shapes and types), as
# edge.model's trial run will run it: a flatbuffer may load and allocate, then crash at invoke.
_CHILD = """\
import hashlib, sys
if sys.path and sys.path[0] in ("", "."):
    del sys.path[0]
sys.path.insert(0, sys.argv[4])
import numpy as np
from edge.runtime import interpreter_class, silenced_fd
I = interpreter_class()[0]
data = open(sys.argv[1], "rb").read()
size = int(sys.argv[2]) or len(data)
if hashlib.sha256(data[:size]).hexdigest() != sys.argv[3]:
    sys.exit(3)
with silenced_fd(2):
    for kw in ({"model_content": data[:size]}, {"model_content": data[:size] + bytes(min(size, 64 << 20))},
               {"model_path": sys.argv[1]}):
        try:
            it = I(**kw)
            it.allocate_tensors()
            for d in it.get_input_details():
                it.set_tensor(d["index"], np.zeros(d["shape"], d["dtype"]))
            it.invoke()
        except Exception:
            pass
"""
# The verdict kept: it loads, allocates and runs. cxr-edge 0.49 and earlier kept "loads" (never run): such a verdict is
# no longer enough, and the file is tried again.
_SAFE = "runs"
_EDGE_PARENT = str(Path(__file__).resolve().parents[1])


def cache_folder() -> Path | None:
    """Where verdicts are kept: $XDG_CACHE_HOME/cxr-edge/probed, else ~/.cache/cxr-edge/probed; None where
    neither is an absolute path (no HOME and no passwd entry: "~" comes back as it is, and a folder named
    "~" would be made in the folder the command runs in, a films folder perhaps; XDG ignores a relative one),
    or the home folder is not there (a service's HOME=/nonexistent: a service run as root made it)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "cxr-edge" / "probed"
    home = os.path.expanduser("~")
    return Path(home) / ".cache" / "cxr-edge" / "probed" if os.path.isabs(home) and os.path.isdir(home) else None


def _child_verdict(path: Path, size: int, sha256: str) -> str | None:
    """What loading and running ``path`` (its first ``size`` bytes, 0: all) did to a child process: _SAFE, or how it
    died ('crashed (signal 11)', on Windows 'crashed (exception 0xC0000005)'); None when that tells nothing of the file (the child could not start or
    finish, failed before it could try (an exit code: its runtime would not import), or was killed from
    outside: the OOM killer's SIGKILL, a stop)."""
    try:
        r = subprocess.run([sys.executable, "-c", _CHILD, str(path), str(size), sha256, _EDGE_PARENT],
                           capture_output=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return _verdict(r.returncode, os.name)


# Windows exits that say nothing of the file, as SIGINT, SIGTERM and SIGKILL on POSIX: Ctrl-C
# (STATUS_CONTROL_C_EXIT), a DLL that would not load or start (its runtime would not import), no memory
_NT_NO_VERDICT = {0xC000013A, 0xC0000135, 0xC0000142, 0xC0000017}


def _verdict(returncode: int, os_name: str) -> str | None:
    """What the child's exit ``returncode`` says, on ``os_name`` (os.name): _SAFE, 'crashed (...)', or None.
    A POSIX crash is a signal (a negative code); a Windows one an NTSTATUS exception code, positive and
    at least 0xC0000000 (0xC0000005: access violation), never the child's own exits 1 and 3: read as
    "no verdict", it let the parent load the file and die of it without a word."""
    if returncode == 0:
        return _SAFE
    if os_name == "nt" and returncode >= 0xC0000000:
        if returncode in _NT_NO_VERDICT:  # stopped, or could not start or get memory: nothing said of the file
            return None
        return f"crashed (exception 0x{returncode:08X})"
    if returncode > 0 or -returncode in (getattr(signal, "SIGKILL", 9), signal.SIGTERM, signal.SIGINT):
        return None  # it could not try (its runtime would not import: too little memory), or was stopped
    return f"crashed (signal {-returncode})"


def probed_crash(path: Path, sha256: str, runtime: str, size: int = 0) -> str | None:
    """How loading or running ``path`` kills a process, tried in a child process, or None: it runs, or no verdict
    could be had (then it is loaded here, as before). That it runs is remembered on this device, by this
    flatbuffer (``sha256``) and ``runtime`` ("litert 1.2.0"); a crash is not: it is tried again next time,
    so a verdict owed to the machine (a runtime since replaced) never outlives its cause."""
    folder = cache_folder()
    # the machine too: a home folder shared by an x86 workstation and an ARM board holds both their verdicts
    kept = folder / re.sub(r"[^A-Za-z0-9._-]", "_", f"{sha256}-{runtime}-{platform.machine()}") if folder else None
    try:  # a regular file of a few bytes: anything else there (a FIFO) is no verdict, and must not be waited on
        if kept and read_regular(kept, 64).decode("utf-8").strip() == _SAFE:
            return None
    except (OSError, ValueError):
        pass
    verdict = _child_verdict(path, size, sha256)
    if verdict == _SAFE and kept:
        _remember(kept, _SAFE)
    return None if verdict in (None, _SAFE) else verdict


def _remember(kept: Path, verdict: str) -> None:
    """Write ``verdict`` atomically; a folder that cannot be written leaves the probe to run next time."""
    from edge.atomic import write_text

    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        write_text(kept, verdict + "\n")
    except OSError:
        pass
