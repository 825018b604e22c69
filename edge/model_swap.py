"""A watch's model file replaced, damaged or removed under the running watch: said once on stderr.

A watch reads its model once, at the start, and answers every film with it for months. Rolling out a new
model (a copy renamed over ``--model``'s path, or a plain ``cp`` onto it) changes nothing until the watch
restarts, and 0.53.0 and older said nothing: the fleet's operator, having copied the new file, saw the watch go
on answering, with the old model's ``model_sha256`` in the JSON log and no model named at all in a text or CSV
log. A file cut short or emptied by the copy went unseen the same way, until the next restart (a reboot, a
power cut) failed with exit code 2. So each poll stats the file (one stat), and once a changed file has stayed
the same for two polls (a copy finished) the watch says what it now holds, whether it would load, and that
the answers still come from the model loaded at the start. Putting the loaded file back (a rollback) is said
too. Pure of the watch's loop: edge.answering asks :meth:`ModelFile.note` once a poll.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from edge.digest import file_sha256
from edge.output import said_name

# (size, mtime in ns, inode, ctime in ns); None: not there, or not readable as a file
_Stamp = tuple[int, int, int, int] | None


def _stamp(path: Path) -> _Stamp:
    try:
        return _stamp_of(os.stat(path))
    except OSError:
        return None


def _stamp_of(st: os.stat_result) -> _Stamp:
    if not stat.S_ISREG(st.st_mode):
        return None  # a FIFO put in its place: opened to be hashed, it waited for a writer for ever, and so did the watch
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns


def _load_problem(path: Path) -> str | None:
    """Why the file at ``path`` would not load as a model (as a restart would say it), or None."""
    from edge import metadata as md

    try:
        md.read(path)
    except md.ModelFileError as e:
        return str(e)
    return None


class ModelFile:
    """The model file a watch loaded: ``note()`` says, once per settled change, that the path holds another file."""

    def __init__(self, path: Path, sha256: str, loaded: os.stat_result | None = None) -> None:
        """``sha256``: the whole file's, as loaded (its answers' model_sha256). ``loaded``: the file's stat as it was
        read (EdgeModel.file_stat); stated here instead, the path passed a file copied over it after the load, before
        the watch started (while --skip-answered's logs were read), for the loaded one, and never said it. None: the
        path's stamp now (a model loaded without one)."""
        self.path, self.sha256 = Path(path), sha256
        self._named = said_name(str(path))
        start = _stamp(self.path) if loaded is None else _stamp_of(loaded)
        self._seen = self._judged = start  # last stamp seen; last stamp said (or the loaded file's)
        self._other = False  # whether the path was last said to hold another file than the loaded one

    def note(self) -> str | None:
        """The warning for a change of the file that has settled (the same stamp on two polls in a row), or None."""
        stamp, before = _stamp(self.path), self._seen
        self._seen = stamp
        if stamp == self._judged or stamp != before:  # unchanged, or still being written
            return None
        self._judged = stamp
        kept = (f"this watch goes on answering with the model it loaded at the start (model_sha256 {self.sha256}) "
                "until it is restarted")
        if stamp is None:
            self._other = True
            return (f"warning: the model file {self._named} is gone, or cannot be read: {kept}; a restart without it "
                    "fails (exit code 2): put the model file back")
        try:
            digest = file_sha256(self.path)
        except OSError as e:
            digest, problem = None, f"it cannot be read ({e.strerror or e})"
        else:
            problem = _load_problem(self.path)
        if digest == self.sha256:
            if not self._other:  # touched, or copied again unchanged: the same model
                return None
            self._other = False
            return f"note: the model file {self._named} is again the one this watch loaded (model_sha256 {self.sha256})"
        self._other = True
        now = f"now {stamp[0]:,} bytes" + (f", sha256 {digest}" if digest else "")
        if problem:
            return (f"warning: the model file {self._named} was replaced or changed after this watch loaded it ({now}), "
                    f"and would not load: {problem}; {kept}, and a restart with this file fails (exit code 2): copy "
                    "the model again (to a temporary name, then mv it onto the path) and compare its sha256sum with "
                    "the original's")
        return (f"warning: the model file {self._named} was replaced after this watch loaded it ({now}): {kept}; "
                "restart the watch (systemctl restart cxr-watch) to answer with the new file (--json answers then carry "
                "its sha256 as model_sha256)")
