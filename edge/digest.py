"""A file's SHA-256, read a MiB at a time, as sha256sum prints it: how a model file, a film or a run's
model.keras is named by its bytes (a watch's answers, run.json, split.json, a report's provenance)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
