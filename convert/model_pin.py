"""The model a report scores is the model every step of it reads.

cxr-evaluate and cxr-compare load a model once, then read its file again by path: for the seen-film
check (the fingerprints a .tflite carries, or a model.keras's split.json), for the report's
provenance digest, and for --save-model's copy. A cxr-train --replace and cxr-convert that rewrote
the file meanwhile gave a report whose figures were the old model's on films it had trained on (the
new file's fingerprints did not know them), whose provenance named the new file, and a deployable
copy of the new weights under the old weights' threshold. The file's digest is taken before it is
loaded and checked again before anything is written: the report is of one model, or there is none.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from edge.digest import file_sha256


class ModelChanged(ValueError):
    """A model file was rewritten while a report on it was made."""


def read_by_report(model: Path) -> list[Path]:
    """The files a report on ``model`` reads for it: the file, and the split.json beside it where its seen-film
    check reads that (a .keras, or a .tflite without fingerprints of its own): a retrain writes its new split
    before its new model."""
    from convert.seen_lists import carried, split_beside

    split = split_beside(model)
    if split is None:
        return [Path(model)]
    try:
        uses_split = carried(model) is None
    except OSError:  # no such file: the loader says so
        uses_split = False
    return [Path(model), *([split] if uses_split else [])]


def pinned(path: str | Path) -> str | None:
    """The digest to hold the model file to, taken before it is loaded; None where it cannot be read
    (the loader then says why)."""
    try:
        return file_sha256(path)
    except OSError:
        return None


def pinned_bytes(path: str | Path, digest: str | None, prog: str) -> bytes:
    """The file's bytes, which must be those it held when it was loaded (``digest``): what --save-model
    copies is the model that was scored."""
    data = Path(path).read_bytes()
    if digest is not None and hashlib.sha256(data).hexdigest() != digest:
        raise _changed(path, prog)
    return data


def check_unchanged(paths: list[Path], digests: list[str | None], prog: str) -> None:
    """Refuse to write a report on ``paths`` where one no longer holds the bytes it held when it was loaded."""
    for path, digest in zip(paths, digests):
        if digest is None:
            continue
        try:
            now = file_sha256(path)
        except OSError:
            now = None
        if now != digest:
            raise _changed(path, prog)


def _changed(path: str | Path, prog: str) -> ModelChanged:
    from edge.output import said_name  # a newline in the path forged a line of the error

    return ModelChanged(f"{said_name(str(path))} changed while it was scored (another cxr-train or cxr-convert wrote it?): the figures "
                        "are the model's as it was loaded, the seen-film check and the model's digest would be the new "
                        f"file's; nothing written: run {prog} again once nothing writes it")
