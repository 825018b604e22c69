"""edge-classify's three questions about the model file itself: --info (its facts, as JSON),
--card (for people: what it was trained and tested on, and how it scored) and --selftest (does
this device decode, preprocess and classify as the converting machine did). Each prints one thing
and exits; none classifies a film, so options meant for films are refused beside them. Also the
self-test's verdict before classifying, and --version (which cxr-edge and runtime this device runs)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from edge.cliutil import EXIT_OK, EXIT_SOME_FAILED, fail
from edge.jsonable import to_jsonable
from edge.shell_words import command_words, hand_typed
from edge.stdout_file import written_to_stdout
from edge.names import texts
from edge.output import print_selftest, said_name, shown
from edge.shares import other_classes_with_ci

PROG = "edge-classify"


def about_problem(about: list[str], images: list[str], per_film: list[str], json_out: bool, csv_out: bool) -> str | None:
    """Why these options cannot go together, or None. ``about``: which of --info, --card and --selftest
    were given; ``per_film``: the options given that only classifying films uses."""
    if len(about) > 1:  # a second would be skipped without a word (--selftest && deploy)
        return f"choose one of {' and '.join(about)}: each prints one thing about the model file and exits"
    if not about:
        return None
    if images:
        return (f"{about[0]} is about the model file and classifies nothing: leave out the images "
                f"({shown(images[0])}{', ...' if len(images) > 1 else ''})")
    if per_film:  # an option that would change nothing must not look obeyed (--card --threshold COVID=0.3)
        one = len(per_film) == 1
        return (f"{about[0]} is about the model file and classifies nothing: {', '.join(per_film)} "
                f"{'is' if one else 'are'} for classifying films; leave {'it' if one else 'them'} out")
    if about[0] == "--card" and (json_out or csv_out):
        return f"--card is for people; --info gives the facts as JSON: leave out {'--json' if json_out else '--csv'}"
    if about[0] == "--info" and csv_out:  # --json asks for what --info gives: its facts as JSON, on one line
        return "--info prints JSON (with --json on one line), not CSV: leave out --csv"
    if about[0] == "--selftest" and csv_out:
        return "--selftest prints text, or JSON with --json; not CSV"
    return None


def tell_about(which: str, m, model: Path, json_out: bool, debug: bool) -> int:
    """Print ``which`` (--info, --card or --selftest) of the loaded edge.model.EdgeModel ``m``; the exit code.
    --info with ``json_out`` prints its JSON on one line, as every other --json output is one JSON object a line."""
    if which == "--info":
        # "decision": the stored label rule, as report.json and the metadata name it, null where the file stores none
        # (absent, a script's info["decision"] failed on the files that answer by the most probable class)
        facts = {**m.info(), "decision": m.meta.get("decision")}
        v = facts.get("validation")
        if isinstance(v, dict) and isinstance(v.get("other_classes"), dict):  # [value, low, high], as its other shares
            facts["validation"] = {**v, "other_classes": other_classes_with_ci(v["other_classes"])}
        if m.renamed_from:  # what the file says: its own names, beside the ones given
            facts = {**facts, "labels": m.renamed_from, "labels_given": m.labels}
        with written_to_stdout(PROG):
            # valid UTF-8 whatever the file's name (edge.names): a name's undecodable bytes as \xNN, and <field>_bytes
            # a stored rule chosen where a class had no films keeps a specificity of NaN: null, which JSON parsers read
            print(json.dumps(to_jsonable(texts(json.loads(json.dumps(facts, default=str)))),
                             indent=None if json_out else 2, allow_nan=False))
        return EXIT_OK
    if which == "--card":
        if m.renamed_from:  # its figures and rule are keyed by the file's own names: the headline is too
            print(f"{PROG}: note: the card names the classes as {said_name(str(model))} stores them "
                  f"({','.join(m.renamed_from)}), not as --labels gives them", file=sys.stderr)
        _print_card({**m.meta, "labels": m.renamed_from or m.labels}, model, m.files)
        return EXIT_OK
    from edge.model import ModelFileError

    try:
        result = m.selftest()
    except ModelFileError as e:
        if debug:
            raise
        raise fail(PROG, str(e)) from None
    with written_to_stdout(PROG):
        print_selftest(result, json_out)
    return EXIT_OK if result["passed"] else EXIT_SOME_FAILED


# Within this many times the self-test's tolerance, with the same classes and labels, a device is warned, not
# stopped: another CPU's int8 kernels may round one step otherwise, which moves a probability by about 0.01
# (measured: up to 0.0097 between LiteRT and tflite-runtime 2.14, 0.0024 between kernel sets). At 5 times, a
# model altered so that 1 film in 20 got another label was only warned.
WARN_ONLY = 2


def selftest_problem(m, model: Path, anyway: str = ", or give --no-selftest to classify anyway") -> tuple[str, str] | None:
    """("error" or "warning", why) where this device's answers with ``m`` (edge.model.EdgeModel) are
    not the converting machine's, or None: its embedded self-test, run before the first film (a few
    ms), gives other answers here. A Pillow that decodes otherwise, or a runtime whose kernels differ,
    would change every answer unseen, and the figures on the model's card would no longer be this
    device's. Other classes, other labels or a large deviation stop it; a small one with the same
    classes is a warning. None too where the file carries no self-test (older or foreign files); an error
    where it lacks a member its metadata says it carries (edge.members: a self-test, fingerprints).
    ``anyway``: how the caller's user goes on regardless (cxr-evaluate, which scores what the device
    would answer, has no way)."""
    from edge.members import damaged_members
    from edge.model import ModelFileError
    from edge.selftest import SelftestDecodesOtherwise, SelftestOutOfMemory
    from edge.selftest_arrays import has_selftest

    if not m.meta.get("foreign") and (damaged := damaged_members(model, m.meta, m.files)):
        return "error", damaged  # a self-test or fingerprints gone: whatever else was lost cannot be told
    if not has_selftest(m.files):
        return None
    try:
        r = m.selftest()
    except (SelftestOutOfMemory, SelftestDecodesOtherwise) as e:  # the device's, not the file's: no copying it again
        return "error", str(e)
    except ModelFileError as e:
        return "error", f"{e}; the file may be damaged: copy it again from the workstation"
    if r["passed"]:
        return None
    if (then := r.get("converted_temperature")) is not None:  # not the device's fault, however small: edited
        now = m.meta.get("temperature", 1.0)
        return "error", (f"{said_name(str(model))}: its calibration temperature is {now:g} in its metadata, but its self-test's reference "
                         f"probabilities were computed with about {then:.2g} when it was converted (edited by hand?): "
                         f"every probability would read {'sharper' if now < then else 'flatter'} than its card reports; "
                         f"convert the run again with cxr-convert, or copy the file again from the workstation{anyway}")
    off = (f"its reference images get probabilities up to {r['max_deviation']:.2g} away from the converting "
           f"machine's (tolerance {r['tolerance']:g})")
    if r["same_labels"] and r["same_classes"] and r["max_deviation"] <= WARN_ONLY * r["tolerance"]:
        return "warning", (f"{said_name(str(model))}: the self-test is off on {r['runtime']}: {off}, though the same classes: a "
                           f"probability here may differ by about {r['max_deviation']:.2g} from what the card reports; "
                           f"its answers are given all the same. `{command_words('edge-classify', '--selftest', '--model', str(model))}`{hand_typed(str(model))} gives the figures")
    what = ("its labels are not those its outputs had when it was converted (edited in its metadata?): every answer "
            "would be named wrong" if not r["same_labels"] else
            f"{off}{'' if r['same_classes'] else ', and other classes'}: this device decodes, preprocesses or runs the "
            "model otherwise, so its answers are not the ones the model's card reports")
    return "error", (f"{said_name(str(model))}: the self-test failed on {r['runtime']}: {what}. `"
                     f"{command_words('edge-classify', '--selftest', '--model', str(model))}`{hand_typed(str(model))} gives the figures; install the Pillow and runtime README names (or copy the file "
                     f"again){anyway}")


def card_without_runtime(model: Path) -> int:
    """--card where no TFLite runtime is installed (a reviewer's laptop, a device not set up yet): the
    file's metadata, read and checked (edge.metadata, edge.members) without its weights."""
    from edge import metadata as md

    try:
        _, meta, files = md.read(model)
    except md.ModelFileError as e:
        raise fail(PROG, str(e)) from None
    if meta is None:
        raise fail(PROG, f"{said_name(str(model))} has no cxr-edge metadata, so no card")
    _print_card(meta, model, files)
    return EXIT_OK


def _print_card(meta: dict, model: Path, files: dict[str, bytes]) -> None:
    from edge.card import card_text
    from edge.members import damaged_members

    if damaged := damaged_members(model, meta, files):  # else it claimed fingerprints and a self-test the file lacks
        raise fail(PROG, damaged)

    try:
        text = card_text(meta, Path(model).name)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:  # figures edited by hand, or cut
        raise fail(PROG, f"{said_name(str(model))}: its card's figures are damaged or incomplete ({type(e).__name__}: {e}); "
                         "convert it again (cxr-convert RUN --report-only writes them anew)") from None
    with written_to_stdout(PROG):
        print(text)


def print_version(asked: bool) -> None:
    """--version: which cxr-edge this device runs, and the runtime it would use (messages about a model
    that needs a newer cxr-edge tell the operator to update it, so the version must be askable here)."""
    if not asked:
        return
    if sys.stdout is None:  # started with >&-: print() would drop the line and exit 0, a version check that passes
        raise fail("edge-classify", "standard output is closed: --version has nowhere to print; give it a file or a pipe")
    from edge import __version__
    from edge.runtime import RuntimeMissing, interpreter_class, runtime_version

    try:
        name = interpreter_class()[1]
        runtime = f"{name} {runtime_version(name)}"
    except RuntimeMissing as e:  # not installed, or installed and unusable (tflite-runtime 2.14 beside NumPy 2): why
        runtime = f"none usable ({e})"
    print(f"edge-classify (cxr-edge {__version__}); runtime: {runtime}")
    raise typer.Exit(EXIT_OK)

