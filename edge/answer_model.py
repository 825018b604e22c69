"""The model file edge-classify answers with, named: its SHA-256 as sha256sum prints it, which --json's answers and
--csv's rows carry (model_sha256, beside --json's "model", its path), a watch's start and a batch's text answers say
once on stderr, and edge.model_swap compares the file under a watch with. A fleet's
logs, CSV or a journal, then tell which model answered each film after a rollout."""

from __future__ import annotations

from typing import Optional

from edge.model_notes import say
from edge.output import said_name


def model_digest(m, model_id: Optional[tuple[str, list[str]]] = None) -> Optional[str]:
    """The SHA-256 of the file ``m`` was loaded from, hashed from the very bytes the runtime was given
    (edge.metadata.read_digested): the path is never opened again, so a file replaced after the load (a rollout
    copying a new model in place) cannot lend its digest to the old model's answers, and a FIFO or <(cat model)
    is not waited on. ``model_id``: a --watch --json's, the same digest; None: a model of no file."""
    return model_id[0] if model_id else getattr(m, "file_sha256", None)


def model_path(m) -> Optional[str]:
    """The model file's path as --model gave it, for --json's "model"; None: a model of no file."""
    path = getattr(m, "path", None)
    return None if path is None else str(path)


def say_model(m, digest: Optional[str], fmt: str, watch: bool) -> None:
    """Say once on stderr which model answers, where the answers do not name it: a watch's start (a journal read
    after a rollout), and a batch's text answers (its lines on stdout stay path, label, probability). --json's and
    --csv's answers name it in each record and row; a batch's stderr is not told again."""
    if (watch or fmt == "text") and (named := model_named(m, digest)):
        say(f"note: answering with {named}")  # a note: a script counting error lines on stderr skips it


def model_named(m, digest: Optional[str]) -> Optional[str]:
    """The model file and its SHA-256 in words, for stderr: 'model_int8.tflite (SHA-256 9f86...)'; None: not known."""
    path = getattr(m, "path", None)
    return None if path is None or digest is None else f"{said_name(str(path))} (SHA-256 {digest})"


def model_file(m, digest: Optional[str]):
    """The watched model file (edge.model_swap), named by its answers' model_sha256; None: a model of no file, or one
    gone already (nothing to compare with). Compared from the file's stat as it was loaded (EdgeModel.file_stat), where
    the model has one: a file copied over --model before the watch started is then said too."""
    from edge.model_swap import ModelFile

    path = getattr(m, "path", None)
    return None if path is None or digest is None else ModelFile(path, digest, getattr(m, "file_stat", None))
