"""edge-classify's answering loop: write one answer per film (text, --json or --csv), its map with --explain,
the tallies, and the exit code; once over the files given, or for ever over the films arriving with --watch.

The options are read and checked in edge.cli; what the loop needs travels in one Answering.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Optional

from edge.batch import Result, classify_files
from edge.cliutil import EXIT_OK, EXIT_SOME_FAILED, fail
from edge.decision import beside_rule, ranking
from edge.error_lines import error_in_words
from edge.figures import counted
from edge.input_order import Placed, in_input_order
from edge.flagged_once import FlaggedOnce
from edge.frames import frames_words
from edge.model_notes import flagged_too, say
from edge.answer_model import model_digest, model_file as watched_model, model_named, model_path, say_model
from edge.csv_layout import CsvLayout, csv_layout
from edge.log_file import other_format
from edge.notes_log import NotesPlace
from edge.output import rule_caption, said_name, shown, writer_for
from edge.tally import Tally
from edge.unanswered_start import say_unanswered
from edge.unwritten_batch import not_written
from edge.stdout_file import (LogPlace, appended_to, appending, file_start, not_writable, reader_gone, written_over,
                              written_to_stdout)
from edge.text_width import shown_width
from edge.typicality import FLAGGED


@dataclass(frozen=True)
class Answering:
    """How to answer, as the options gave it."""

    fmt: str  # "text", "json" or "csv"
    top_k: int = 1
    rule: Optional[tuple[int, float]] = None  # (class index, threshold): the label rule in force, if any
    threads: Optional[int] = None
    explain: Optional[Path] = None  # the maps' folder
    refuse_atypical: bool = False
    recursive: bool = False
    watch: bool = False
    interval: float = 2.0
    tally_every: int = 100
    answered: Optional[dict] = None  # --skip-answered: what an earlier watch's log answered
    answered_in: tuple[Path, ...] = ()  # ... and the logs it read
    model_id: Optional[tuple[str, list[str]]] = None  # --watch --json: the model file's SHA-256, and its labels


def _writer(m, how: Answering, paths: list[Path], written: Optional[Callable] = None,
            digest: Optional[str] = None) -> Callable[[Result], None]:
    """The function that writes one answer, after checking what standard output already holds (a restarted
    watch appending to its own log: no second CSV header; a log of the other format: refused)."""
    # On a terminal, align the columns for people; in a pipe, keep path<TAB>label<TAB>probability.
    width = max((shown_width(shown(p)) for p in paths), default=0) if sys.stdout.isatty() else 0
    with written_to_stdout("edge-classify", answers=True):  # the CSV header is written here: a full disk is said as for any row
        # before appended_to's newline, which would land over its first byte; and before a watch waits for films
        if problem := not_writable(sys.stdout) or written_over(sys.stdout):
            raise fail("edge-classify", problem)
        if how.watch:  # `> answers.jsonl`: after a copytruncate, no line behind a hole of NUL bytes (standard error
            appending(sys.stdout)  # is made appending at the watch's start, edge.cli, before its first note)
        had = appended_to(sys.stdout)  # `>> answers.csv` of a restarted watch: it has its header already
        layout = CsvLayout()
        start = file_start(sys.stdout) if had else None
        if problem := other_format(start, "" if how.fmt == "text" else how.fmt):
            raise fail("edge-classify", problem)
        _shared_log(how.watch)  # before a header is written, and before a watch waits for films
        if how.fmt == "csv" and had:
            try:
                layout = csv_layout(start, m.labels, how.explain is not None, how.watch, model_named(m, digest),
                                    bool(m.meta.get("synthetic_data")))
            except ValueError as e:
                raise fail("edge-classify", str(e))
            if layout.note:
                say(layout.note)
        return writer_for(m.labels, how.top_k, how.fmt, width, how.rule, how.explain is not None, stamped=how.watch,
                          header=layout.header, written=written, model_sha256=digest, model=model_path(m),
                          synthetic=bool(m.meta.get("synthetic_data")), header_says=layout.header_says,
                          model_column=layout.model, synthetic_column=layout.synthetic)


def _shared_log(watch: bool) -> None:
    """Say where a watch writes to standard output's file already: its answers and this run's go into one log, each
    line whole (one write each), which a watch's --skip-answered and a CSV reader take as one run's."""
    from edge.watch_lock import log_written_by_a_watch

    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):  # no descriptor (a test's capture)
        return
    if log_written_by_a_watch(fd, hold=watch):
        say("warning: another edge-classify --watch appends to standard output's file too: "
            + ("this watch's answers go in among its answers (each line whole); give each watch its own log where that is "
               "not meant" if watch else "this run's answers go in among its answers (each line whole)"))


def _taken_names(explain: Optional[Path], watch: bool) -> set[str]:
    """The names already in the maps' folder: an earlier run's answers name its maps, and the user's files are
    theirs, so a film of a taken name gets a new one."""
    if explain is None or not explain.is_dir():
        return set()
    taken = {p.name.casefold() for p in explain.iterdir()}
    if taken and not watch:
        say(f"note: {explain} holds {counted(len(taken), 'file')} already: {'it is' if len(taken) == 1 else 'they are'} "
            "kept, and a map whose name is taken gets "
            "-2, -3, ... (its caption gives the film's path; --json and --csv answers name each map)")
    return taken


def answer(m, how: Answering, images: list[str], paths: list[Path], missing: list[Placed]) -> int:
    """Answer every film (``missing``: the error results of names that were not films, each answered where its name
    was given: edge.input_order), and return the exit code."""
    watcher, skip = None, None
    if how.watch:
        from edge.answered import Skip
        from edge.watch import Watcher

        watcher = Watcher([Path(a) for a in images], how.recursive)
        from edge.watch_lock import watched_elsewhere

        for folder in watcher.folders:  # a unit started twice answered every film twice, unsaid
            if (who := watched_elsewhere(folder)) is not None:
                raise fail("edge-classify", f"{said_name(str(folder))} is watched already by another edge-classify "
                           f"--watch{who}: a second watch answers every film twice; stop one, or watch another folder")
        if how.answered:  # the log's answers to films of a watched folder it named otherwise (incoming, /srv/incoming),
            from edge.answer_paths import as_watched  # as the watch names them: a folder watched once as part of another

            how = replace(how, answered=as_watched(how.answered, [str(f) for f in watcher.folders]))
        watcher.skip = skip = None if how.answered is None else Skip(how.answered, how.model_id)
    digest = model_digest(m, how.model_id)  # of the bytes loaded: never the path hashed again (a rollout's new file)
    writer = _writer(m, how, paths, None if watcher is None else watcher.written, digest)
    total, recent = Tally(retries=how.watch), Tally()  # recent: the films since the last --tally-every line of a watch
    sent: list[tuple] = []  # a batch's answers written to the stream, as Tally.add counts them: a stop's count (a
    # watch, which runs for months, keeps none: its stop is said by its summary)
    taken = _taken_names(how.explain, how.watch)
    # the input check's long words once (a single film: as ever), each flagged answer line marked (edge.flagged_once)
    flag_words = FlaggedOnce(flagged_too(m.meta), more=how.watch or len(paths) + len(missing) > 1)
    if how.explain is not None:
        from edge.explain import explain_file  # Pillow's drawing and the maps: only when asked for

    def emit(results: Iterable[Result]) -> None:
        nonlocal recent
        for r in results:
            if r.atypical and how.refuse_atypical:
                r = Result(r.file, error=f"refused: {r.header_says or FLAGGED}", atypical=True, header_says=r.header_says)
            elif r.header_says and how.fmt != "json":  # --json has its "header_says" field; a CSV row its column, and
                # the warning too: a log of 0.44.0's columns has none, and --csv said it on stderr before the column
                say(f"warning: {shown(r.file)}: {r.header_says}; look at it before trusting its label")
            elif r.atypical and how.fmt == "text" and (words := flag_words.words(shown(r.file))):  # machines read
                say(words)  # the "atypical" field instead
            if r.frames and not r.error and how.fmt != "json":  # --json has its "frames" field
                say(f"note: {shown(r.file)}: {frames_words(r.frames)}")
            label, failed, mapped, map_failed = None, r.error is not None, False, False
            if not failed:
                label = ranking(r.probabilities, how.rule)[0]
                if how.explain is not None:
                    try:
                        r.explanation = explain_file(m, r.image, label, beside_rule(r.probabilities[label], label,
                                                                                    how.rule, 2),
                                                     r.file, how.explain, taken,
                                                     rule_caption(r.probabilities, label, how.rule, m.labels),
                                                     r.header_says or r.atypical, how.rule)
                        mapped = True
                    except Exception as e:  # the label stands; only its map is missing
                        r.explanation = {"map_error": f"no map written ({error_in_words(e)})"}
                        say(f"{shown(r.file)}: {r.explanation['map_error']}")
                        map_failed = True
            counts = (str(r.file), None if failed else m.labels[label], bool(r.atypical), mapped, map_failed,
                      bool(r.header_says))
            n = len(sent)  # the batch's answers written before this one: a failed write says how many, and the way on
            lost = unwritten if how.watch else lambda e: not_written(e, paths, missing, [c[0] for c in sent[:n]])
            with written_to_stdout("edge-classify", answers=True, then=lost):  # flushed: a watched folder's answers must not wait
                writer(r)
                if not how.watch:
                    sent.append(counts)  # in the stream: a stop in the flush below leaves it there, written as the command ends
            for t in (total, recent):  # counted once written: a reader gone got no answer for this film
                t.add(*counts)
            if how.watch and how.tally_every and recent.images >= how.tally_every:
                print(f"edge-classify: last {recent.line(m.labels, how.rule)}", file=sys.stderr, flush=True)
                recent = Tally()
                flag_words.again()  # a journal read from its tail finds the words beside the line that counts them

    # a watch stopped by a full disk: its operator wondered whether the films it found then were lost
    unwritten = ("; the films whose answers were not written are answered at the next start (--skip-answered skips "
                 "only those written)") if how.watch and how.answered is not None else ""
    keep = how.explain is not None
    if watcher is not None:
        from edge.interrupts import forget_dropped_stops, hangup_said, kept_interrupts
        from edge.watch import watch as arrivals

        given: dict[Path, str] = {}  # each folder watched once (edge.watch_folders), as first given: not one a note left out
        for a in images:
            given.setdefault(Path(a), a)
        say(f"watching {', '.join(said_name(given[f]) for f in watcher.folders)} every {how.interval:g} s (films already there first); Ctrl-C stops")
        say_model(m, digest, how.fmt, watch=True)  # a journal read after a rollout tells which model each run answered with
        from edge import watch_timing
        from edge.watch_stuck import StillChanging

        changing = StillChanging()
        model_file = watched_model(m, digest)  # replaced under the watch (a new model rolled out): said once, never loaded
        noted: dict[str, int] = {}  # the watched folders whose films the start's note told of, and their file system
        log = LogPlace(sys.stdout)  # a rotation that moved (then removed) the log under the watch is said
        notes = NotesPlace()  # ... and one that moved a notes log of its own (`2>> watch.log`): taken up too
        # a stop raised where it is dropped (a runtime's callback) ends the watch at its next poll all the same:
        # a service manager's stop must not hang until it kills the watch mid-answer
        with kept_interrupts() as interrupted, hangup_said("edge-classify", (
                "stopped by SIGHUP (its terminal closed, or a logrotate postrotate's kill -HUP): a watch needs no kill -HUP, "
                "it opens the new log a rotation creates by itself; drop the postrotate, or restart the watch")):
            try:
                for arrived in arrivals(watcher, how.interval):
                    interrupted()
                    if note := notes.check():  # each poll, before anything is said: a stat and a readlink
                        say(note)
                    if reader_gone(sys.stdout):  # said as a failed write is, before a film is classified for no one
                        raise BrokenPipeError
                    for t in (total, recent):  # a failed film removed: one arriving under its name is no retry of it
                        t.forget(watcher.removed)
                    if how.answered is not None:  # each folder's films, as first read (a dict look-up a poll)
                        say_unanswered(watcher, how.answered, how.answered_in, images, noted)
                    if skip is not None and (note := skip.note()):  # once a poll, beside its "N films skipped"
                        say(note)
                    if note := changing.note(watcher.pending, time.monotonic_ns(), watch_timing.STILL_CHANGING_NS):
                        say(note)  # never settled, so never answered: named once
                    if model_file is not None and (note := model_file.note()):
                        say(note)
                    if arrived and (where := log.check()):  # a stat and a readlink, where there are answers to write
                        if where[1]:
                            raise fail("edge-classify", where[0])
                        say(where[0])
                    emit(watcher.noting_failures(classify_files(m, arrived, how.threads, keep_inputs=keep,
                                                                refuse_header=how.refuse_atypical)))
            except KeyboardInterrupt:  # the stop that ends a watch, and a dropped one with it: one summary, no late line
                forget_dropped_stops()
            except BrokenPipeError:  # a service's log reader gone: said, and not the exit code of a failed film
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                raise fail("edge-classify", f"standard output was closed (its reader went away) after "
                           f"{counted(total.images, 'answer')}: the watch stops; films that arrive now would be answered "
                           "to no one")
    else:
        from edge.interrupts import sigterm_as_interrupt

        say_model(m, digest, how.fmt, watch=False)  # text answers name no model: said once, before the first
        try:
            with sigterm_as_interrupt():  # ended as Ctrl-C ends it: said (edge.stopped_batch), and no half-written map
                emit(in_input_order(classify_files(m, paths, how.threads, keep_inputs=keep,
                                                   refuse_header=how.refuse_atypical), missing))
        except KeyboardInterrupt:
            from edge.stopped_batch import batch_stopped

            for c in sent[total.images:]:  # written, and stopped before it was counted (a slow reader's flush)
                total.add(*c)
            raise batch_stopped(total.line(m.labels, how.rule), None if how.explain is None else
                                f"{counted(total.maps, 'map')} of where the model found its evidence in {how.explain}",
                                total.images, paths, missing, [c[0] for c in sent]) from None
    if total.images > 1 or how.watch:  # a folder's tally, for people; on stderr, so --json/--csv stdout stays data
        skipped = watcher.skipped_all if watcher is not None else 0  # --skip-answered's: not in the files counted
        say(f"summary: {total.line(m.labels, how.rule)}" + (f"; {counted(skipped, 'film')} skipped (answered before, "
                                                   "--skip-answered)" if skipped else ""))
    if how.explain is not None:
        say(f"{counted(total.maps, 'map')} of where the model found its evidence in {how.explain}")
    return EXIT_SOME_FAILED if total.any_failed else EXIT_OK
