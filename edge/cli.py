"""edge-classify: classify chest X-ray files with a cxr-edge .tflite on a small device.

Research software, NOT a medical device: its output must not be used to diagnose, treat or triage anyone.
Its options and flow read here as one page; the longer help texts are in edge.cli_help.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from edge.about import about_problem, card_without_runtime, print_version, selftest_problem, tell_about
from edge.answering import Answering, answer
from edge.cli_help import CLASSIFY_HELP, EXPLAIN_HELP, JSON_HELP, SKIP_ANSWERED_HELP, THRESHOLD_HELP, WATCH_HELP
from edge.cli_inputs import earlier_answers, films_given
from edge.cli_options import OnceOnlyCommand, contradicting_options
from edge.card import NOT_A_DEVICE
from edge.comma_list import comma_items
from edge.cliutil import EXIT_USAGE, fail, reconfigure_streams
from edge.threshold_text import parse_threshold
from edge.error_lines import one_line_errors
from edge.figures import counted
from edge.model_notes import tell_model, tell_rule
from edge.output import said_name
from edge.runtime import MAX_THREADS, usable_cores

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    return fail("edge-classify", message, code)


@app.command(cls=OnceOnlyCommand, help=CLASSIFY_HELP, epilog=NOT_A_DEVICE)  # the longer help texts: edge.cli_help
def main(
    images: Optional[list[str]] = typer.Argument(None, help="Image files, folders, or '-' for paths on stdin.", show_default=False),
    model: Path = typer.Option(..., "--model", "-m", help="The .tflite model file (from cxr-convert)."),
    json_out: bool = typer.Option(False, "--json", help=JSON_HELP),
    csv_out: bool = typer.Option(False, "--csv", help="Print CSV with one probability column per class (the numbers --json gives), "
                                                     "atypical (1/0, empty: not checked), error, with --explain map, evidence_at_border "
                                                     "and map_error, and rule (e.g. COVID>=0.3 where a threshold rule is in force, for "
                                                     "every label it decided, else empty), then with --watch time, then header_says (why a DICOM film's header flagged it, "
                                                     "else empty); one label a row: -k is ignored. Then model_sha256: the model file's (--info's file_sha256); last, synthetic: true where the model was trained on SYNTHETIC images, else empty."),
    top_k: int = typer.Option(1, "--top-k", "-k", min=1, help="Print K classes per image: the label, then the K-1 most "
                                                             "probable other classes (without a threshold rule, the K "
                                                             "most probable); K above the model's classes: all of them."),
    threads: Optional[int] = typer.Option(None, "--threads", "-t", min=1, help=f"Interpreter threads, at most {MAX_THREADS} "
                                                                                  "(default: the runtime's choice); also "
                                                                                  "the films decoded at once (up to 4; large "
                                                                                  "films fewer, in 1/8 of free memory), so -t 1 "
                                                                                  "keeps a 512 MB board to one large film's."),
    recursive: bool = typer.Option(False, "--recursive", "-r",
                                   help="Walk folders recursively (hidden, symlinked and mask sub-folders are not "
                                        "entered: a link can loop, masks/ holds lung masks; stderr names those passed "
                                        "over; name one to classify it)."),
    labels: Optional[str] = typer.Option(None, "--labels", help="Comma-separated class names for a .tflite without cxr-edge metadata "
                                                                "(it then runs uncalibrated, with no input check; its outputs are "
                                                                "taken as logits, or as probabilities where its last op is a "
                                                                "softmax; each film is fed grey, trimmed, padded square, "
                                                                "equalised, as pixels 0..255 or on --input-scale: --info says so). For a cxr-edge file "
                                                                "they rename its classes by position, with a warning; giving its own "
                                                                "classes in another order is refused."),
    input_scale: Optional[str] = typer.Option(None, "--input-scale", metavar="0..255|0..1|-1..1",
                                              help="With --labels: the values the model was trained on, its pixels "
                                                   "scaled outside it: 0..255 as they are (the default), 0..1 divided by "
                                                   "255, -1..1 divided by 127.5 less 1 (keras.applications' "
                                                   "preprocess_input of MobileNet); --info says it. A cxr-convert file "
                                                   "refuses it: its metadata says its input."),
    info: bool = typer.Option(False, "--info", help="Print what the model file says about itself, as JSON (with --json: on one line), and exit "
                                                    "(file_sha256: the whole file's SHA-256, the model_sha256 of --json's answers; decision: the label rule it stores, null where none)."),
    card: bool = typer.Option(False, "--card", help="Print, for people, what the model file was trained and tested on and "
                                                    "how it scored (sensitivity and specificity per class with 95% "
                                                    "intervals, stored in it by cxr-convert), and exit."),
    selftest: bool = typer.Option(False, "--selftest", help="Decode, preprocess and classify the reference images embedded in the model (synthetic, not patients) on this device, and compare with what the converting machine got."),
    threshold: Optional[str] = typer.Option(None, "--threshold", metavar="CLASS=P", help=THRESHOLD_HELP),
    most_probable: bool = typer.Option(False, "--most-probable", help="Give the most probable class, ignoring a rule the "
                                                                      "model file carries."),
    explain: Optional[Path] = typer.Option(None, "--explain", metavar="DIR", help=EXPLAIN_HELP),
    watch: bool = typer.Option(False, "--watch", help=WATCH_HELP),
    interval: Optional[float] = typer.Option(None, "--interval", min=0.05, max=3600.0,
                                             help="--watch: seconds between polls of the folders (0.05 to 3600; default 2)."),
    skip_answered: Optional[list[Path]] = typer.Option(None, "--skip-answered", metavar="LOG", help=SKIP_ANSWERED_HELP),
    tally_every: Optional[int] = typer.Option(
        None, "--tally-every", min=0, metavar="N",
        help="--watch: after every N films (default 100), one line on stderr with what they were called (0: never). If far more "
             "are called COVID than your site sees, the model is likely calling your healthy films COVID, as it did "
             "with healthy films from a source it never saw: check it with cxr-evaluate on confirmed films."),
    no_selftest: bool = typer.Option(False, "--no-selftest", help="Classify without first running the self-test "
                                                                  "(--selftest; a few ms). Without this option, a file "
                                                                  "whose self-test fails on this device (other classes or "
                                                                  "labels, or probabilities over twice its tolerance "
                                                                  "away; a smaller miss is a warning) classifies nothing "
                                                                  "(exit code 2): its answers here would not be the ones "
                                                                  "its card reports."),
    refuse_atypical: bool = typer.Option(False, "--refuse-atypical", help="Give no label to an image the input check flags, or whose DICOM header says it is no frontal chest film (another modality or body part, a lateral view, For Processing): report it as refused (exit code 1, as for a failed file) instead of a warning. A model without an input check refuses only the latter."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
    version: bool = typer.Option(False, "--version", is_eager=True, callback=print_version,
                                 help="Print this cxr-edge's version and the TFLite runtime it uses, and exit."),
) -> None:
    reconfigure_streams()
    if sys.stdout is None:  # started with >&- (a service unit without one): every answer would be lost
        raise _fail("standard output is closed: give it a file or a pipe (e.g. >> answers.jsonl)")
    from edge.model import EdgeModel, ModelFileError
    from edge.runtime import RuntimeMissing

    if watch:  # a notes log opened with 2> or StandardError=file: (no O_APPEND): its start notes overwrote its head
        from edge.stdout_file import appending

        appending(sys.stderr)
    if json_out and csv_out:
        raise _fail("choose one of --json and --csv")
    if csv_out and hasattr(sys.stdout, "reconfigure"):  # a CSV is UTF-8 whatever the locale (LANG=C, latin-1)
        sys.stdout.reconfigure(encoding="utf-8", errors="cxr-edge")
    about = [o for o, given in (("--info", info), ("--card", card), ("--selftest", selftest)) if given]
    per_film = [o for o, given in (("--watch", watch), ("--interval", interval is not None),
                                   ("--skip-answered", bool(skip_answered)), ("--tally-every", tally_every is not None),
                                   ("--threshold", threshold is not None), ("--most-probable", most_probable),
                                   ("--explain", explain is not None), ("--top-k", top_k != 1),
                                   ("--refuse-atypical", refuse_atypical), ("--recursive", recursive),
                                   ("--no-selftest", no_selftest)) if given]
    if problem := about_problem(about, images, per_film, json_out, csv_out):
        raise _fail(problem)
    skip_answered = skip_answered or None  # typer gives an option never given as []
    if problem := contradicting_options(threshold is not None, most_probable, skip_answered is not None, watch, json_out,
                                        interval is not None, tally_every is not None):
        raise _fail(problem)
    if threads is not None and threads > MAX_THREADS:
        raise _fail(f"--threads {threads}: at most {MAX_THREADS} (this process may use {counted(usable_cores(), 'core')})")
    names = None
    if labels:
        from edge.labels_given import check_label_names

        try:
            names = comma_items(labels, "--labels", "one name per output", "COVID,Normal")
            check_label_names(names)
        except ValueError as e:
            raise _fail(str(e))
    scale = None
    if input_scale is not None:
        from edge.input_scale import input_scale_named

        try:
            scale = input_scale_named(input_scale)
        except ValueError as e:
            raise _fail(str(e))
    # a batch's stop is said with its count (edge.stopped_batch), a watch's with its summary; one before either,
    # or while they end, is said so: no file but a map is written, each whole (edge.atomic)
    with one_line_errors("edge-classify", debug, expected=(), interrupted="no answer or map is left half-written"):
        try:  # a --card too: loading checks what the metadata says against the weights (a child process tries
            m = EdgeModel(model, threads=threads, labels=names, input_scale=scale)  # the file first: a forged one cannot crash this one)
        except RuntimeMissing as e:
            if card and not names:  # the card is the file's metadata: readable where no runtime is installed yet
                raise typer.Exit(card_without_runtime(model))
            if debug:
                raise
            raise _fail(str(e))
        except ModelFileError as e:
            if debug:
                raise
            msg, named = str(e), said_name(str(model))  # quoted as edge.metadata.read names it
            # Some reasons (e.g. "not a TensorFlow Lite model") do not say which file; name it.
            raise _fail(msg if msg.startswith(named) else f"{named}: {msg}")
        if m.renamed_from:
            print(f"edge-classify: warning: --labels renames the classes stored in {said_name(str(model))}: {','.join(m.renamed_from)} "
                  f"-> {','.join(m.labels)} (by output position)", file=sys.stderr)
        if about:  # prints one thing about the file and exits
            raise typer.Exit(tell_about(about[0], m, model, json_out, debug))
        if refuse_atypical and m.typicality is None:  # a DICOM film's header can still say it is no chest film
            print(f"edge-classify: note: --refuse-atypical: {said_name(str(model))} carries no input check, so it refuses only the "
                  "DICOM films whose header says they are no frontal chest film (another modality or body part, a "
                  "lateral view, For Processing); every other film is labelled unchecked", file=sys.stderr)
        try:
            rule = parse_threshold(threshold, m.labels) if threshold else None if most_probable else m.decision
        except ValueError as e:
            raise _fail(str(e))
        if not images:
            raise _fail("no images given (pass files, folders or '-'; see --help)")
        if not no_selftest and (problem := selftest_problem(m, model)):  # once, before any film: not per film
            level, why = problem
            if level == "error":
                raise _fail(why)
            print(f"edge-classify: warning: {why}", file=sys.stderr)
        tell_rule(m, rule, given=threshold is not None)
        tell_model(m, model)
        if explain is not None:
            from edge.map_paths import maps_folder  # the maps: only when asked for

            if problem := maps_folder(explain, images, recursive or watch):  # once, not once per image
                raise _fail(f"--explain {explain}: {problem}")
        answered, skip_answered, model_id = earlier_answers(skip_answered, refuse_atypical, m.file_sha256,
                                                            list(m.labels) if watch and json_out else None)
        interval = 2.0 if interval is None else interval
        tally_every = 100 if tally_every is None else tally_every
        paths, missing = films_given(images, recursive, watch, interval)
        how = Answering(fmt="json" if json_out else "csv" if csv_out else "text", top_k=top_k, rule=rule,
                        threads=threads, explain=explain, refuse_atypical=refuse_atypical, recursive=recursive,
                        watch=watch, interval=interval, tally_every=tally_every, answered=answered,
                        answered_in=tuple(skip_answered or ()), model_id=model_id)
        raise typer.Exit(answer(m, how, images, paths, missing))


def run() -> None:
    """Console-script entry point: SIGTERM is Ctrl-C from the start (a stop while the paths are read
    from stdin, or the model loads, killed it with 143 and no line)."""
    from edge.cliutil import run_app
    from edge.entry import watch_notes_appended

    watch_notes_appended(sys.argv)  # `python -m edge.cli` starts here, not at edge.entry: before Click says a word
    run_app("edge-classify", app)


if __name__ == "__main__":
    run()

