"""The refusal a second writer of a run folder gets (train.run_lock): one exception and one message for both of its
locks, the machine's (train.machine_lock) and the folder's own (train.folder_lock)."""

from __future__ import annotations

from pathlib import Path

from edge.output import said_name


class RunFolderBusy(ValueError):
    """Another cxr-train or cxr-convert is writing this run folder."""


def busy(folder: Path, who: str, clash: str) -> RunFolderBusy:
    """The refusal, naming ``who`` holds the lock (as its lock file says) and ``clash``, what two at once would do."""
    return RunFolderBusy(f"{said_name(str(folder))} is being written by {who or 'another cxr-edge command'}: {clash}; wait for "
                         "it to finish (or stop it), then run this again")
