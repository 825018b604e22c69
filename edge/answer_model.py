"""The model file edge-classify answers with, named: its SHA-256 as sha256sum prints it, which --csv's rows carry
(model_sha256), a watch's start says on stderr and edge.model_swap compares the file under a watch with. A fleet's
logs, CSV or a journal, then tell which model answered each film after a rollout."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional

from edge.output import said_name


def model_digest(m, model_id: Optional[tuple[str, list[str]]], wanted: bool) -> Optional[str]:
    """The SHA-256 of the file ``m`` was loaded from (``model_id``: already read, a --watch --json's); None where
    not ``wanted`` (a batch's text or JSON answers name no model), for a model of no file, or one gone already."""
    from edge.digest import file_sha256

    path: Optional[Path] = getattr(m, "path", None)
    if model_id or path is None:
        return model_id[0] if model_id else None
    if not wanted:
        return None
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None  # a FIFO or <(cat model): opened again it hung, or gave the SHA-256 of nothing in every row
        return file_sha256(path)
    except OSError:
        return None


def model_named(m, digest: Optional[str]) -> Optional[str]:
    """The model file and its SHA-256 in words, for stderr: 'model_int8.tflite (SHA-256 9f86...)'; None: not known."""
    path = getattr(m, "path", None)
    return None if path is None or digest is None else f"{said_name(str(path))} (SHA-256 {digest})"


def model_file(m, digest: Optional[str]):
    """The watched model file (edge.model_swap), named by its answers' model_sha256; None: a model of no file, or one
    gone already (nothing to compare with)."""
    from edge.model_swap import ModelFile

    path = getattr(m, "path", None)
    return None if path is None or digest is None else ModelFile(path, digest)
