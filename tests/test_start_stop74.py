"""A stop (Ctrl-C, or SIGTERM from systemd or `timeout`) while a command starts is one line and exit code 130, at
every moment of the start: in run_app's own first lines, while Typer builds the command and Click reads the
options, and in the command's function before its one_line_errors (edge-classify's ``from edge.model import
EdgeModel``, ~80 ms). Each test runs the console script's entry point in a child process and stops it at an exact
point: the child sends itself the real signal from inside one function or one import, then sleeps until the
signal's handler raises there."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SIGNALS = [signal.SIGINT, signal.SIGTERM]
SAID = "{prog}: interrupted while starting; nothing was written\n"

_CHILD = """
import os, signal, sys, time
sys.argv = {argv!r}

def stop():  # the signal, as from Ctrl-C or a service manager; its handler raises KeyboardInterrupt in the sleep
    os.kill(os.getpid(), {sig})
    time.sleep(30)
    sys.exit("the stop was not raised")

{patch}
from {module} import {function}
{function}()
"""

# stop as the named module is first imported (by a statement of the command's own, in its function)
_AT_IMPORT = """
class StopAt:
    def find_spec(self, name, path=None, target=None):
        if name == {target!r}:
            sys.meta_path.remove(self)
            stop()
        return None

sys.meta_path.insert(0, StopAt())
"""

# stop in a call of an attribute of a module (or of a class in it), looked up as it is called; once
_AT_CALL = """
import {module}
patched = {module}{owner}
original = patched.{attr}

def once(*args, **kwargs):
    patched.{attr} = original
    stop()

patched.{attr} = once
"""


def _at_call(module: str, attr: str, owner: str = "") -> str:
    return _AT_CALL.format(module=module, attr=attr, owner=owner)

ENTRY = {"edge-classify": ("edge.entry", "edge_classify"), "cxr-train": ("train.entry", "cxr_train"),
         "cxr-convert": ("convert.entry", "cxr_convert"), "cxr-evaluate": ("convert.entry", "cxr_evaluate")}


def _default_signals() -> None:
    """The child's signals as at a terminal, whatever the suite inherited (a background job ignores SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run(prog: str, args: list[str], patch: str = "", sig: int = signal.SIGINT) -> tuple[int, str, str]:
    """Run ``prog``'s console-script entry point with ``args`` in a child, ``patch`` applied there first:
    (exit code, stdout, stderr)."""
    module, function = ENTRY[prog]
    code = _CHILD.format(argv=[prog, *args], sig=int(sig), patch=patch, module=module, function=function)
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL, preexec_fn=_default_signals)
    return p.returncode, p.stdout, p.stderr


def _args(prog: str, tmp_path: Path) -> list[str]:
    """Arguments each command gets past Click with, up to where its function starts its work."""
    return {"edge-classify": [str(tmp_path), "--watch", "--model", str(tmp_path / "model.tflite")],
            "cxr-train": ["--data", "synthetic", "--out", str(tmp_path / "run")],
            "cxr-convert": [str(tmp_path / "run")],
            "cxr-evaluate": [str(tmp_path / "model_int8.tflite"), str(tmp_path)]}[prog]


@pytest.mark.parametrize("sig", SIGNALS)
def test_a_watch_stopped_as_it_imports_its_model_code_says_so(sig, tmp_path):
    """`from edge.model import EdgeModel` (~80 ms) comes before edge-classify's one_line_errors: a stop there was
    Typer's exit 130 with nothing on stderr, and the service's journal showed no reason for the end."""
    rc, out, err = _run("edge-classify", _args("edge-classify", tmp_path), _AT_IMPORT.format(target="edge.model"), sig)
    assert (rc, err, out) == (130, SAID.format(prog="edge-classify"), "")


@pytest.mark.parametrize("sig", SIGNALS)
@pytest.mark.parametrize("where", [("edge.cliutil", "reconfigure_streams"), ("edge.help_output", "fit_help_to_terminal"),
                                   ("edge.help_output", "help_unprintable")])
def test_a_stop_in_run_apps_first_lines_is_one_line(where, sig, tmp_path):
    """run_app's lines before its try (the streams set up, Click's help fitted to the terminal) were outside every
    handler: a stop there printed a traceback ending in KeyboardInterrupt."""
    module, attr = where
    rc, out, err = _run("edge-classify", _args("edge-classify", tmp_path), _at_call(module, attr), sig)
    assert (rc, err) == (130, SAID.format(prog="edge-classify"))


@pytest.mark.parametrize("prog", sorted(ENTRY))
def test_a_stop_while_typer_builds_the_command_is_one_line(prog, tmp_path):
    """Typer builds the Click command from the function's options before its own KeyboardInterrupt handling: a stop
    there left app() as a KeyboardInterrupt, printed as a traceback."""
    rc, out, err = _run(prog, _args(prog, tmp_path), _at_call("typer.main", "get_command"),
                        signal.SIGTERM)
    assert (rc, err) == (130, SAID.format(prog=prog))


@pytest.mark.parametrize("prog", sorted(ENTRY))
def test_a_stop_while_click_reads_the_options_is_one_line(prog, tmp_path):
    """Click's reading of the options is inside Typer's handling, which turned a stop into exit 130 and no word."""
    rc, out, err = _run(prog, _args(prog, tmp_path), _at_call("typer.core", "parse_args", ".TyperCommand"), signal.SIGINT)
    assert (rc, err) == (130, SAID.format(prog=prog))


@pytest.mark.parametrize("prog, target", [("cxr-train", "train.teacher_split"), ("cxr-evaluate", "edge.input_scale")])
def test_a_stop_in_a_commands_imports_before_its_one_line_errors_is_one_line(prog, target, tmp_path):
    """cxr-train's and cxr-evaluate's functions import modules before their one_line_errors, as edge-classify's
    does: a stop there was exit 130 and no word."""
    rc, out, err = _run(prog, _args(prog, tmp_path), _AT_IMPORT.format(target=target), signal.SIGTERM)
    assert (rc, err) == (130, SAID.format(prog=prog))


def test_a_stop_while_version_looks_for_the_runtime_is_one_line():
    """--version imports the TFLite runtime (a second on a Pi) in Click's eager callback: exit 130 and no word."""
    rc, out, err = _run("edge-classify", ["--version"], _at_call("edge.runtime", "interpreter_class"))
    assert (rc, err, out) == (130, SAID.format(prog="edge-classify"), "")


def test_a_stop_the_command_handles_is_said_by_it_alone(tmp_path):
    """Once one_line_errors has begun, the stop is the command's to say: its line, not a second one."""
    rc, out, err = _run("edge-classify", _args("edge-classify", tmp_path),
                        _at_call("edge.model", "EdgeModel"), signal.SIGTERM)
    assert (rc, err) == (130, "edge-classify: error: interrupted; no answer or map is left half-written\n")


def test_a_stop_with_debug_inside_the_command_is_not_called_a_start():
    """--debug lets a stop inside one_line_errors through to Typer (exit 130, as before): it is no start-up stop."""
    rc, out, err = _run("edge-classify", [".", "--debug", "--model", "m.tflite"],
                        _at_call("edge.model", "EdgeModel"), signal.SIGTERM)
    assert rc == 130 and "while starting" not in err and "Traceback" not in err, err


@pytest.mark.parametrize("prog", sorted(ENTRY))
def test_help_and_version_still_print(prog):
    rc, out, err = _run(prog, ["--help"])
    assert rc == 0 and out.startswith("Usage: ") and err == "", (rc, err)
    if prog == "edge-classify":
        rc, out, err = _run(prog, ["--version"])
        assert rc == 0 and out.startswith("edge-classify (cxr-edge ") and err == "", (rc, err)
