"""What edge-classify is asked to classify: the paths given, and those read from standard input ('-')."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from edge.batch import Result, expand_inputs, why_no_images


def stdin_paths(text: str) -> list[str]:
    """The paths in standard input's text: one a line (a Windows line's \\r is no part of the
    name; blank lines are skipped), or NUL-separated (``find -print0``) when the text holds a NUL."""
    if "\0" in text:
        return [p for p in text.split("\0") if p]
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n") if line.strip()]


def read_names(stdin: TextIO | None = None) -> str:
    """Standard input as file names: its bytes decoded as the file system decodes names (os.fsdecode),
    so that a name that is not valid UTF-8 (an old camera's Latin-1 name, as find -print0 passes it)
    reaches open() as the same bytes, as it does from the command line, instead of one undecodable
    byte stopping the whole batch."""
    s = stdin or sys.stdin
    raw = getattr(s, "buffer", None)
    return os.fsdecode(raw.read()) if raw is not None else s.read()


def with_stdin(args: list[str], stdin: TextIO | None = None) -> list[str]:
    """``args`` with each '-' replaced by the paths on standard input."""
    out: list[str] = []
    for a in args:
        out.extend(stdin_paths(read_names(stdin)) if a == "-" else [a])
    return out


def gather(images: list[str], recursive: bool) -> tuple[list[str], list[Result], str | None]:
    """(files to classify, error Results, why nothing at all can be classified or None).

    A folder that holds no image is an error Result among the others (counted, reported, exit
    code 1), whether it was named as an argument or on standard input; inputs that give nothing
    at all are one reason for the whole batch (the caller's error line)."""
    args = with_stdin(images)
    paths: list[str] = []
    errors: list[Result] = []
    empty: list[str] = []
    for a in args:
        files, gone = expand_inputs([a], recursive=recursive)
        paths.extend(files)
        errors.extend(gone)
        if not files and not gone:  # a folder with no image in it
            empty.append(a)
    if not paths and not errors:  # nothing classified must not look like success (cron, pipes)
        named = [a for a in images if a != "-"]
        return [], [], why_no_images(args, recursive, "-" in images and len(args) == len(named))
    for a in empty:
        reason = why_no_images([a], recursive, False)
        errors.append(Result(a, error=reason.replace(f"no images found in {a}", "no images found in this folder", 1)))
    return paths, errors, None
