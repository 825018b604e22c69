"""What edge-classify prints: one line per image (text, JSON lines or CSV), and the self-test (a batch's tally: edge.tally)."""

from __future__ import annotations

import io
import json
import os
import sys
from datetime import datetime, timezone
from collections.abc import Sequence
from typing import Callable

from edge.controls import CONTROL, escaped
from edge.figures import exact_text
from edge.jsonable import to_jsonable
from edge.names import as_text, texts

from edge.batch import Result
from edge.flagged_once import MARK
from edge.decision import EXACT_DIGITS, beside_rule, fmt_threshold, for_json, ranking
from edge.spreadsheet import spreadsheet_row
from edge.log_file import has_header
from edge.stdout_file import file_size, file_start
from edge.text_width import padded, shown_width


def shown(name: str) -> str:
    """A file name as the text format prints it: as it is, unless it holds a control character
    (a newline or tab would split the answer's line or columns; edge.controls) or starts with a double quote;
    then as a JSON string ("nl\\nname.png"), so that a field starting with " is read with json.loads."""
    if not (CONTROL.search(name) or name.startswith('"')):
        return name
    return escaped(json.dumps(name, ensure_ascii=False))


def said_name(name: str) -> str:
    """A file's name in a message (a line on stderr, a warning a report keeps): quoted as :func:`shown` quotes it,
    and each undecodable byte as \\xNN (edge.names.as_text), so that the message stays one line of valid text
    (cxr-evaluate split a film's error over two lines, the second like another file's, and wrote its raw 0xFF)."""
    return as_text(shown(name))  # quoted first: a byte as \\xNN (JSON would double as_text's backslash)


def rule_text(threshold: tuple[int, float] | None, labels: list[str]) -> str:
    """'COVID>=0.3': the rule that chose the labels (the CSV's rule column), '' for the most probable class;
    its threshold as the stderr note prints it, to 9 digits: a script that applies the column to the
    row's p_ columns gets the row's label (edge.decision.beside_rule keeps each on its side)."""
    return "" if threshold is None else f"{labels[threshold[0]]}>={fmt_threshold(threshold[1], EXACT_DIGITS)}"


def rule_caption(probabilities: Sequence[float], label: int, threshold: tuple[int, float] | None, labels: list[str]) -> str:
    """What a map's caption adds under a threshold rule, '' without one: ' (rule COVID>=0.9: COVID 0.74 is below
    it)'. A map forwarded alone, captioned 'Normal 0.26', read as 'Normal, 26%' where the rule gave it."""
    if threshold is None:
        return ""
    k = threshold[0]
    if label == k:
        return f" (rule {rule_text(threshold, labels)})"
    shown = exact_text(beside_rule(float(probabilities[k]), k, threshold, 2), 2)
    return f" (rule {rule_text(threshold, labels)}: {labels[k]} {shown} is below it)"


class _CsvRows:
    """CSV rows (edge.spreadsheet.spreadsheet_row: cells guarded, a field holding ';' or a line break quoted), each
    ending in one \n: with "\r\n", text mode on Windows writes \r\r\n."""

    def __init__(self, out) -> None:
        self.out = out

    def writerow(self, row: list) -> None:
        self.out.write(spreadsheet_row(row, "\n"))  # a film named "=HYPERLINK(...).png" is not run when opened


def _size_in_file(out, text: str) -> int:
    """The bytes ``text`` takes in the file a text stream writes to (its encoding; Windows' \r\n)."""
    try:
        n = len(text.encode(out.encoding or "utf-8", out.errors or "strict"))
    except (AttributeError, LookupError, UnicodeError):
        return -1  # not known: the log is looked at again
    return n + text.count("\n") * (len(os.linesep) - 1)


def _header_put_back(out, text: str, header: str) -> int | None:
    """After a row found its log cut between the look at the log's start and the row's write (a copytruncate in those
    microseconds): where the log is now that row alone, it is written again after its header (the watch is the
    log's one writer); the log's size then, or None where it must be looked at again before the next row."""
    if has_header(file_start(out), header):
        return None
    try:
        if file_size(out) == _size_in_file(out, text):
            os.ftruncate(out.fileno(), 0)
            out.write(header + text)
            return file_size(out)
    except (OSError, ValueError, AttributeError):
        pass
    return None


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def csv_columns(labels: list[str], explained: bool = False, stamped: bool = False, header_says: bool = True,
                model: bool = True, synthetic: bool = True) -> list[str]:
    """The CSV's header row. Columns are only ever added at the end, so that readers by position keep working.
    ``header_says``: why a DICOM film's header flags it (added after 0.44.0); ``model``: model_sha256, the model file
    that answered (added after 0.53.0); ``synthetic``: the last column, 'true' where that model was trained on
    SYNTHETIC images (added after 0.56.0): a log an older release began, appended to, keeps its columns
    (edge.log_file.older_columns)."""
    return ["file", "label", "probability", *(f"p_{c}" for c in labels), "atypical", "error",
            *(["map", "evidence_at_border", "map_error"] if explained else []), "rule", *(["time"] if stamped else []),
            *(["header_says"] if header_says else []), *(["model_sha256"] if model else []),
            *(["synthetic"] if synthetic else [])]


def csv_header_text(labels: list[str], explained: bool = False, stamped: bool = False, header_says: bool = True,
                    model: bool = True, synthetic: bool = True) -> str:
    """The header row as the CSV writer writes it, for comparing with a file's first line."""
    buf = io.StringIO()
    _CsvRows(buf).writerow(csv_columns(labels, explained, stamped, header_says, model, synthetic))
    return buf.getvalue()


def writer_for(labels: list[str], k: int, fmt: str, width: int = 0, threshold: tuple[int, float] | None = None,
               explained: bool = False, stamped: bool = False, header: bool = True,
               written: Callable[[str], dict | None] | None = None, model_sha256: str | None = None,
               synthetic: bool = False, header_says: bool = True, model_column: bool = True, model: str | None = None,
               synthetic_column: bool = True):
    """Return a function that prints one Result in the chosen format; the label follows edge.decision.
    ``stamped`` (--watch): each JSON record and CSV row says when it was written ("time", UTC), since
    a watch's log outlives its runs, and a film answered again after a restart must be told from a
    new one. ``written`` (--watch): each JSON record also carries the film's stamp as it was read
    (edge.answered, for --skip-answered), and the SHA-256 of the model file that gave it (``model_sha256``: a
    restart with another model file answers again what the old one answered). ``header``: the CSV's first row (not when appending to a
    file that has it). ``synthetic``: the model was trained on SYNTHETIC images, and each JSON answer says so
    ("synthetic": true): a log line of the demo model's 'COVID 1.0' could be told from a real model's by its
    model_sha256 alone (hunt 58); each CSV answer's synthetic column too ('true'; a CSV log travels alone, into a
    clinic's spreadsheet). ``header_says``, ``model_column``, ``synthetic_column``: the CSV's header_says,
    model_sha256 and synthetic columns (csv_columns); the latter's ``model_sha256`` is given for every CSV, a watch's or a batch's: a fleet's CSV logs
    name the model of each answer, as --json's do, in full (sha256sum's and --info's file_sha256). ``model``: the
    model file's path as given, which each JSON answer carries beside its model_sha256 (a batch's too: its
    lines were kept and compared after a rollout with nothing naming the model that gave them)."""
    out = sys.stdout

    def at(r: Result, i: int, digits: int) -> float:  # class i's probability as shown: not across the rule
        return beside_rule(float(r.probabilities[i]), i, threshold, digits)

    if fmt == "csv":
        w = _CsvRows(out)
        columns = csv_columns(labels, explained, stamped, header_says, model_column, synthetic_column)
        log_header = csv_header_text(labels, explained, stamped, header_says, model_column, synthetic_column)
        if header:
            w.writerow(columns)
        rule = rule_text(threshold, labels)
        # where a watch's header or last row ended in standard output's file (its log); None: no file, or no watch
        ended = file_size(out) if stamped else None

        def write_csv(r: Result) -> None:
            nonlocal ended
            buf = io.StringIO()  # the header (where it goes first again) and the row, written at once
            rows = _CsvRows(buf)
            size = None
            if stamped:  # a watch's log cut under it (logrotate's copytruncate): its header goes first again, or the
                # live log held rows alone, and every CSV reader took its first row for the header. The log is
                # read back only where it is not as this watch left it: cut, or notes written to it since (2>&1),
                # which may have made it longer again than the rows it held
                size = file_size(out)
                if size is not None and size != ended and (size == 0 or not has_header(file_start(out), log_header)):
                    rows.writerow(columns)
            e = r.explanation or {}
            maps = [e.get("map", ""), e.get("evidence_at_border", ""), e.get("map_error", "")] if explained else []
            # the time, and why a DICOM header flagged the film: its atypical 1 told from the input check's
            tail = [*([_now()] if stamped else []), *([r.header_says or ""] if header_says else []),
                    # the model that answered, or refused the film as atypical (none read an unreadable film): as --json
                    *([(model_sha256 or "") if not r.error or r.atypical else ""] if model_column else []),
                    # an answer of a model of drawings, as --json's "synthetic": true (a cell on every row, empty else)
                    *(["true" if synthetic and not r.error else ""] if synthetic_column else [])]
            if r.error:  # atypical: 1 for a film refused as atypical (--refuse-atypical), empty where not checked
                rows.writerow([r.file, "", "", *([""] * len(labels)), "" if r.atypical is None else int(r.atypical),
                               r.error, *maps, "", *tail])
            else:
                i = ranking(r.probabilities, threshold)[0]
                # the probabilities as --json, report.json and predictions.csv give them (for_json: 6 decimals, a
                # tiny one to 6 significant digits, on its side of the rule): the same film's number in every log
                # a program reads, not 4 decimals, nor 2.65e-10 as 0.000001 (hunt 59)
                p = [for_json(r.probabilities[j], j, threshold) for j in range(len(labels))]
                rows.writerow([r.file, labels[i], p[i], *p,
                               "" if r.atypical is None else int(r.atypical), "", *maps, rule, *tail])
            text = buf.getvalue()
            out.write(text)
            if stamped:
                ended = file_size(out)
                if size is not None and ended != size + _size_in_file(out, text):  # cut (or written to) between the
                    # look at its start and the row's write: the row may now start the log, without its header
                    ended = _header_put_back(out, text, log_header)

        return write_csv

    def ranked(r: Result, digits: int) -> list[tuple[str, float]]:
        return [(labels[i], at(r, i, digits)) for i in ranking(r.probabilities, threshold)[:k]]

    if fmt == "json":

        def write_json(r: Result) -> None:
            if r.error:
                rec = {"file": r.file, "error": r.error}
                if r.atypical:  # refused by --refuse-atypical: told from a decoding error without reading the text
                    rec["atypical"] = True
                if r.header_says:  # and why, where its DICOM header refused it, in the field --help names
                    rec["header_says"] = r.header_says
            else:
                top = [(labels[i], for_json(r.probabilities[i], i, threshold)) for i in ranking(r.probabilities, threshold)[:k]]
                rec = {"file": r.file, "label": top[0][0], "probability": top[0][1],
                       "probabilities": {c: for_json(r.probabilities[j], j, threshold) for j, c in enumerate(labels)}}
                if threshold is not None:  # the label may not be the most probable class: say by which rule
                    rec["rule"] = {"class": labels[threshold[0]], "threshold": threshold[1]}
                if k > 1:
                    rec["top_k"] = [{"label": c, "probability": p} for c, p in top]
                rec["atypical"] = r.atypical  # null: not checked (a file without an input check)
                if r.header_says:  # flagged by its DICOM header (edge.dicom_view), not by the input check, whose own
                    rec["header_says"], rec["input_check"] = r.header_says, r.input_check  # verdict atypical hides
                if r.frames:  # several frames, not all the same: the answer is about the first only (edge.frames)
                    rec["frames"] = r.frames
                if synthetic:
                    rec["synthetic"] = True
                if r.explanation:
                    rec.update(r.explanation)
            if stamped:
                rec["time"] = _now()
            if written is not None and (stamp := written(r.file)) is not None:
                rec["written"] = stamp
            if model_sha256 is not None and ("error" not in rec or rec.get("atypical")):  # a refusal, too, names the
                if model is not None:  # file whose check refused it: --skip-answered skips it while both stay
                    rec["model"] = model
                rec["model_sha256"] = model_sha256
            print(json.dumps(texts(rec)), file=out)  # valid UTF-8 whatever the name (edge.names)

        return write_json

    def write_text(r: Result) -> None:
        if r.error:
            print(f"edge-classify: {shown(r.file)}: {r.error}", file=sys.stderr)
        else:  # a flagged film's line ends in MARK: its warning's words are said once a run (edge.flagged_once)
            mark = [MARK] if r.atypical else []
            if width:
                label_w = max(map(shown_width, labels))
                cols = "  ".join(f"{padded(c, label_w)} {exact_text(p):>6}" for c, p in ranked(r, 4))
                print("  ".join([f"{padded(shown(r.file), width)}  {cols}", *mark]), file=out)
            else:
                print("\t".join([shown(r.file), *(f"{c}\t{exact_text(p)}" for c, p in ranked(r, 4)), *mark]), file=out)

    return write_text


def print_selftest(result: dict, as_json: bool) -> None:
    if as_json:  # a deviation that is no number (NaN: the device's or the file's probabilities) as null, not NaN
        print(json.dumps(texts(to_jsonable(result))))
        return
    # PASSED alone was read as the model being right: it says this device gives the numbers the converting machine did
    verdict = ("PASSED: this runtime reproduces the model's stored reference outputs (a check of this device, not of "
               "the model's accuracy: --card gives that):") if result["passed"] else "FAILED:"
    checks = result.get("checks", "decode, preprocess, classify")
    print(
        f"selftest {verdict} {result['cases']} reference {'images' if checks.startswith('decode') else 'inputs'} "
        f"({checks}) on {result['runtime']}, "
        f"max probability deviation {result['max_deviation']:.2e} (tolerance {result['tolerance']:.0e}), "
        f"same classes: {'yes' if result['same_classes'] else 'NO'}"
        + ("" if result.get("same_labels", True) else "; its labels are not those its outputs had when it was converted "
           "(edited in its metadata?): every answer would be named wrong")
    )
