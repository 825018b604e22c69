"""edge-classify's inputs, read and checked before the first film is answered: the films given (or the
folders a --watch polls) and the answers earlier logs already hold (--skip-answered).

Each refusal here is the command's one error line (edge.cliutil.fail), raised as the typer.Exit that
edge.cli raised when these steps stood in its main."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from edge.cliutil import EXIT_SOME_FAILED, fail
from edge.input_order import Placed
from edge.inputs import gather

PROG = "edge-classify"


def earlier_answers(logs: list[Path] | None, refuse_atypical: bool, model_sha256: str,
                    labels: list[str] | None) -> tuple[dict | None, list[Path] | None, tuple[str, list[str]] | None]:
    """(what the logs answered, the logs read, the model id each answer names). ``logs``: --skip-answered's, None
    where it was not given; ``model_sha256``: the model file's as loaded (EdgeModel.file_sha256), never hashed from
    its path again (a file copied over it since named the loaded model's answers); ``labels``: the model's, given
    where a --watch --json names the file in each answer (a log outlives its model), else None and no model id.
    Notes on stderr: logs not read, answers of another file."""
    answered = None
    if logs is not None:
        from edge.answered import answered_times
        from edge.missing_logs import missing_logs
        from edge.stdout_file import name_of

        try:
            answered = answered_times(logs, refusals=refuse_atypical)
        except ValueError as e:
            raise fail(PROG, str(e))
        read, said = missing_logs(logs, name_of(sys.stdout))
        for line in said:  # a rotated copy named otherwise (or not made yet): not read, and not named as read below
            print(f"{PROG}: {line}", file=sys.stderr)
        logs = read  # [] where none was there: no log is named as read
    model_id = None
    if labels is not None:  # each answer names the file that gave it
        from edge.answered import model_notes

        model_id = (model_sha256, labels)
        for note in model_notes(answered or {}, model_id, logs) if logs is not None else []:
            print(f"{PROG}: {note}", file=sys.stderr)
    return answered, logs, model_id


def films_given(images: list[str], recursive: bool, watch: bool, interval: float) -> tuple[list[str], list[Placed]]:
    """(the films to answer, the names that gave none); a --watch's folders are checked and its films come later."""
    if watch:
        if not interval == interval:  # click's range lets nan through; a watch that never sleeps is no watch
            raise fail(PROG, "--interval must be a number of seconds from 0.05 to 3600")
        bad = [a for a in images if not Path(a).is_dir()]
        if bad:
            gone = [a for a in bad if not os.path.lexists(a)]
            files = [a for a in bad if a not in gone]
            raise fail(PROG, "--watch takes folders; " + "; ".join(
                [f"no such folder: {', '.join(gone)}"] * bool(gone) + [f"not a folder: {', '.join(files)}"] * bool(files)))
        return [], []
    try:
        paths, missing, nothing = gather(images, recursive)  # missing: also folders without images
    except ValueError as e:  # a list on standard input that reads as no names (edge.inputs.list_text)
        raise fail(PROG, str(e)) from None
    if nothing:  # nothing classified must not look like success (cron, pipes)
        raise fail(PROG, nothing, EXIT_SOME_FAILED)
    return paths, missing
