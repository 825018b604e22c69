"""Films a watch's earlier runs already answered, read back from its JSON-lines log.

A restarted `edge-classify --watch` answers every film in its folder again: on a Pi that is
minutes of repeated work for a folder of thousands, while new films wait behind them. With
``--skip-answered answers.jsonl`` (the log the service appends to; given again for each rotated copy) a film
is skipped when the logs' last answer to it was given to the file as it is now. Each answer of a watch carries
the film's "written" stamp (its size, modification and change times, as the file system gave them): a film
whose stamp is the same was not touched since, and one rewritten or moved in under the name is not (a PACS
export reuses names such as IM0001, and ``cp -p``, ``rsync -t`` or ``mv`` bring another patient's film in
with its old modification time; the change time moves). The running watch forgives a change of the change
time alone where the inode is the same (edge.film_stamp: a chmod it saw a moment ago); a restart does not:
while no watch ran, a film may have been removed and another written with its size and time, and ext4 hands
the freed inode number to the next file at once, and ``cp -p`` onto an existing name keeps its inode. So a
chmod, a chown or a hard link while no watch ran answers the film again: a second answer, never a film
missed. Comparing the file system's times with each other, never with the device's clock, keeps this
right on a network share whose clock is not the Pi's. Answers of a log written before the stamp
(version 0.23 and earlier) fall back to the answer's time: skipped when given after the film was
last written or moved in, which trusts the two clocks to agree. Films whose last answer was an
error are answered again, and so are films answered by another model file: each answer of a watch names the
file that gave it (model_sha256), and a log outlives its model (a service's unit keeps --model's path while
the file there is replaced). An answer from before that field is taken for another model's where its label is
no class of this one; else it is skipped, as before, and said to be of an unknown model. A stamp's nanoseconds (19 digits) are more than a double holds: a log
passed through jq or JavaScript comes back rounded to some 256 ns, so stamps are compared as
doubles, and a film is taken for unchanged only where it was rewritten within 256 ns of being read.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from datetime import datetime
from pathlib import Path
from typing import Iterable, NamedTuple

from edge.digest import file_sha256
from edge.figures import counted, listed
from edge.film_stamp import Stamp
from edge.names import exact_name

# (size, mtime in ns, ctime in ns) of a film as an answer found it; None where the log predates it
Written = tuple[int, int, int]


class Answer(NamedTuple):
    at: float | None  # when, in POSIX seconds
    written: Written | None  # the film's stamp then
    model: str | None = None  # the SHA-256 of the model file that gave it; None where the log predates it
    label: str | None = None
    refused: bool = False  # refused as flagged (--refuse-atypical): no label, and kept only where refusals are


def model_sha256(path: Path) -> str:
    """The model file's SHA-256, as sha256sum gives it: the "model_sha256" of a watch's answers."""
    return file_sha256(path)


def _written(rec: dict) -> Written | None:
    w = rec.get("written")
    try:
        got = (w["bytes"], w["modified_ns"], w["changed_ns"])
    except (TypeError, KeyError):
        return None
    return got if all(type(v) is int for v in got) else None


def _as_logged(a: int, b: int) -> bool:
    """Equal, or equal as doubles: jq, JavaScript or a log shipper that passed the log on rounded them."""
    return a == b or float(a) == float(b)


def _time(rec: dict) -> float | None:
    try:
        return datetime.fromisoformat(rec["time"]).timestamp()
    except (ValueError, TypeError, KeyError):
        return None


def answered_times(logs: Path | Iterable[Path], refusals: bool = False) -> dict[str, Answer]:
    """Each file's last answer in ``logs`` (a log and its rotated copies, read oldest first by their modification
    times; ``.gz`` ones too) where it has a label (not an error, which an answer with a
    label before it no longer counts against): its time and the film's stamp, either None where the
    line lacks it. Lines with neither (a batch's), and lines that
    are not JSON (a line cut by a crash), are passed over: those films are answered again, which
    is what happened without this. ``refusals`` (a watch with --refuse-atypical): a film refused as flagged, its
    stamp and model file named (0.44 and later), counts as answered, as a film given a label does: every restart
    read each refused film's header again, or decoded and classified it again, and appended one more refusal to the
    log for it. Without --refuse-atypical now, a refusal is no answer: the film is classified."""
    answers: dict[str, Answer] = {}
    shared: dict[str, str] = {}
    for log in sorted([logs] if isinstance(logs, Path) else list(logs), key=_written_last):
        _read_log(log, answers, shared, refusals)
    return answers


def _written_last(log: Path) -> int:
    try:
        return os.stat(log).st_mtime_ns
    except OSError:  # not there (the first run) or unreadable: said where it is read
        return 0


def _read_log(log: Path, answers: dict[str, Answer], shared: dict[str, str], refusals: bool = False) -> None:
    records, foreign = 0, None  # a log holding no JSON line but other text is no --json log (a CSV log, a model file)
    try:
        opened = gzip.open(log, "rt", encoding="utf-8", errors="replace") if log.name.endswith(".gz") else \
            open(log, encoding="utf-8", errors="replace")
        with opened as lines:  # line by line: months of answers
            for line in lines:
                line = line.replace("\x00", "")  # a power cut leaves a run of NUL bytes where the last writes were
                try:
                    rec = json.loads(line)
                except ValueError:
                    text = line.strip()
                    if foreign is None and text and not text.startswith(("{", "edge-classify:")):
                        foreign = text[:40]
                    continue
                records += 1
                if not isinstance(rec, dict) or not isinstance(name := exact_name(rec), str):
                    continue  # a name that is not UTF-8 is keyed by its bytes (edge.names)
                at, written = _time(rec), _written(rec)
                # one string each, not one a line: a log of 300,000 answers is held in memory for the watch's life
                model = shared.setdefault(m, m) if isinstance(m := rec.get("model_sha256"), str) else None
                if "label" not in rec:
                    if refusals and rec.get("atypical") is True and written is not None and model is not None:
                        answers[name] = Answer(at, written, model, None, refused=True)
                    elif "error" in rec:  # its last answer is an error: answered again, as the module says
                        answers.pop(name, None)
                    continue
                label = shared.setdefault(rec["label"], rec["label"]) if isinstance(rec["label"], str) else None
                if written is not None:  # appended in order: the last line is the last answer
                    answers[name] = Answer(at, written, model, label)
                elif at is not None:
                    before = answers.get(name)
                    if before is None or before.written is None:
                        answers[name] = Answer(max(at, before.at or at) if before else at, None, model, label)
                elif name not in answers:  # kept to be said apart from no answer at all (timeless_note)
                    answers[name] = Answer(None, None, model, label)
    except FileNotFoundError:  # the first run: nothing answered yet
        pass
    except (OSError, EOFError, zlib.error) as e:  # EOFError: a .gz cut short; zlib.error: a damaged one
        raise ValueError(f"--skip-answered: cannot read {log} ({getattr(e, 'strerror', None) or e})") from None
    if not records and foreign is not None:
        raise ValueError(f"--skip-answered: {log} holds no JSON answers (it starts {foreign!r}): give the log an earlier "
                         "--watch --json appended to; from this one nothing would be skipped")


def logs_named(logs: Path | list[Path]) -> str:
    """The logs as a message names them: "a.jsonl", or "a.jsonl and a.jsonl.1" (none: every one given was missing)."""
    names = [str(log) for log in ([logs] if isinstance(logs, Path) else logs)]
    return listed(names) if names else "any log (none given was there to read)"


def by_another_model(answer: Answer, model: tuple[str, list[str]]) -> bool | None:
    """Whether another model file than ``model`` (its SHA-256, its labels) gave ``answer``; None: cannot tell
    (a log from before model_sha256 whose label is one of this model's classes)."""
    sha256, labels = model
    if answer.model is not None:
        return answer.model != sha256
    return True if answer.label is not None and answer.label not in labels else None


def model_notes(answers: dict[str, Answer], model: tuple[str, list[str]], log: Path | list[Path]) -> list[str]:
    """What to say once of the log's answers that another model file gave (answered again), or that do not say
    which gave them (skipped, as before the log named it): a restart with a new model file skipped every film the
    old one had answered, and its answers stayed the only record of them."""
    verdicts = [by_another_model(a, model) for a in answers.values() if not timeless(a)]  # those are answered again
    log, holds = logs_named(log), "holds" if isinstance(log, Path) or len(log) == 1 else "hold"
    notes = []
    if other := verdicts.count(True):
        notes.append(f"note: {log} {holds} the answers of another model file to {counted(other, 'film')} (another "
                     "model_sha256: another model, or this file as it was before cxr-convert or cxr-evaluate --save-model "
                     f"wrote it again; or a class this model does not have): {'it is' if other == 1 else 'they are'} "
                     f"answered again by this one; the log then holds two models' answers to {'it' if other == 1 else 'them'}, "
                     "and the newest line, matched on model_sha256, is current")
    if unknown := verdicts.count(None):
        one = unknown == 1
        notes.append(f"warning: {log} {holds} {counted(unknown, 'answer')} that {'does' if one else 'do'} not say which "
                     f"model file gave {'it' if one else 'them'} (no model_sha256: an older edge-classify wrote "
                     f"{'it' if one else 'them'}): {'it is' if one else 'they are'} skipped as before, though another "
                     f"model may have given {'it' if one else 'them'}; give a new log to answer every film with this model")
    return notes


def timeless(answer: Answer) -> bool:
    """An answer with neither the film's stamp nor a time: a watch of cxr-edge 0.13.0 or older wrote none (nor does
    a run without --watch), so whether the film changed since cannot be told, and it is answered again."""
    return answer.at is None and answer.written is None and not answer.refused


def timeless_note(films: Iterable[str], answers: dict[str, Answer], logs: list[Path], folders: list[str]) -> str | None:
    """What to say once, at the start, of the films already in the watched folders whose only answers in the logs
    carry no time (timeless): they were said to have no answer in the logs, which hold their answers."""
    count = sum(1 for f in films if f in answers and timeless(answers[f]))
    if not count:
        return None
    one = count == 1
    shown = ", ".join(os.path.join(f, "") for f in folders)
    return (f"note: {logs_named(logs)} {'holds' if len(logs) == 1 else 'hold'} answers to {counted(count, 'film')} in "
            f"{shown} without a time (an edge-classify --watch of cxr-edge 0.13.0 or older, or a run without --watch, "
            f"wrote them): whether {'it' if one else 'they'} changed since cannot be told, so {'it is' if one else 'they are'} "
            "answered again, this time with a time")


def already_answered(answers: dict[str, Answer], path: str, stamp: Stamp,
                     model: tuple[str, list[str]] | None = None) -> bool:
    """Whether ``path``, as edge.watch stamps it now (size, mtime, inode, ctime), was answered as it
    is, by ``model`` (its SHA-256 and labels; None: by any). Without the answer's stamp: whether it was answered
    after it was last written or moved in, by more than a second (the log's times are whole seconds: an answer
    logged in the write's second, or the next, counts as before)."""
    answer = answers.get(path)
    if answer is None or model is not None and by_another_model(answer, model):
        return False
    at, written = answer.at, answer.written
    if written is not None:  # the same size and both times (see the module: the inode may be another film's now)
        return all(_as_logged(a, b) for a, b in zip(written, (stamp[0], stamp[1], stamp[3])))
    return at is not None and at > max(stamp[1], stamp[3]) / 1e9 + 1


class Skip:
    """A restarted watch's skip (edge.watch.Watcher's): already_answered, counting the films the logs answered that
    changed since (a new film under an old name: a PACS export reuses IM0001), which are answered again. Those
    were answered again without a word, and the log then held two answers to one name."""

    def __init__(self, answers: dict[str, Answer], model: tuple[str, list[str]] | None = None) -> None:
        self.answers, self.model = answers, model
        self.changed = 0  # since the last note
        self.renewed: set[str] = set()  # counted once: a film answered again is no longer the log's to tell of

    def __call__(self, path: str, stamp: Stamp) -> bool:
        if already_answered(self.answers, path, stamp, self.model):
            return True
        answer = self.answers.get(path)  # another model's answers are said by model_notes
        if answer is not None and not timeless(answer) and path not in self.renewed \
                and not (self.model and by_another_model(answer, self.model)):
            self.renewed.add(path)
            self.changed += 1
        return False

    def note(self) -> str | None:
        """What to say once of the films counted since the last note (None: none)."""
        count, self.changed = self.changed, 0
        if not count:
            return None
        one = count == 1
        return (f"note: {counted(count, 'film')} answered before {'has' if one else 'have'} changed since (a new film "
                f"under an old name?): answered again; the log now holds both answers, the newest line is the current one")


def unanswered_note(films: Iterable[str], answers: dict[str, Answer], logs: list[Path], folders: list[str]) -> str | None:
    """What to say once, at the start (or once a watched folder that could not be read then can be), of the films
    already in the watched folders that have no answer in the logs: a log trimmed or rotated away (docs/commands.md advised it, for memory) answered every film still
    in the folder again, without a word. None where there are none."""
    count = sum(1 for f in films if f not in answers)  # those answered without a time: timeless_note
    if not count:
        return None
    shown = ", ".join(os.path.join(f, "") for f in folders)  # in/, not "films in in": marked as the folders they are
    return (f"note: {counted(count, 'film')} in {shown} {'has' if count == 1 else 'have'} no answer in "
            f"{logs_named(logs)}: answering {'it' if count == 1 else 'them'} (films that arrived while no watch ran, or "
            "whose last answer was an error, or a refusal while --refuse-atypical is not given now; or answers trimmed or rotated "
            "out of the log: give each rotated copy with --skip-answered too)")
