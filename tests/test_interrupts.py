"""edge.interrupts: a stop raised where it is dropped is remembered, and asked for again."""

from __future__ import annotations

import signal
import time

import pytest

from edge.interrupts import kept_interrupts

# A suite started as a background job of a shell (`make test &`, and CI's `.ci/run`) inherits SIGINT ignored; the
# tests of Ctrl-C skipped there, so CI never ran them and a Ctrl-C that was no longer remembered passed it.
# Each test here starts as at a terminal instead, and so does every child it starts (_as_at_a_terminal); a test of
# an ignored signal ignores it itself.


@pytest.fixture(autouse=True)
def stops_as_at_a_terminal():
    """Python's own handlers at start (Ctrl-C raises KeyboardInterrupt, SIGTERM ends), whatever the suite inherited."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    yield
    for sig, handler in before.items():
        if handler is not None:
            signal.signal(sig, handler)


def _as_at_a_terminal() -> None:
    """A child's signals before it runs Python: default, so Python installs its Ctrl-C handler as at a terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_dropped_stop_is_raised_again_when_asked_for(sig):
    """A KeyboardInterrupt raised in a runtime's callback is printed as 'Exception ignored' and lost:
    a watch under a service manager's stop went on, and a conversion rewrote every file."""
    before = signal.getsignal(signal.SIGTERM)
    with kept_interrupts() as interrupted:
        interrupted()  # nothing asked yet
        try:
            signal.raise_signal(sig)
            time.sleep(0.2)
        except KeyboardInterrupt:
            pass  # dropped where it landed
        with pytest.raises(KeyboardInterrupt):
            interrupted()
    assert signal.getsignal(signal.SIGTERM) == before  # the handlers are the caller's again


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_ignored_where_the_command_started_stays_ignored(sig):
    """A watch started with `nohup ... &` (SIGINT ignored) was stopped by the Ctrl-C of the terminal it came from.
    The test ignores the signal itself, so it runs the same at a terminal and in a suite started in the background."""
    before = signal.signal(sig, signal.SIG_IGN)
    try:
        with kept_interrupts():
            assert signal.getsignal(sig) is signal.SIG_IGN
        assert signal.getsignal(sig) is signal.SIG_IGN
    finally:
        signal.signal(sig, before)


def test_a_sigterm_ignored_where_the_command_started_stays_ignored_under_sigterm_as_interrupt():
    """edge.entry.start leaves an ignored SIGTERM ignored, but run_app's sigterm_as_interrupt then took it as Ctrl-C:
    cxr-synth started with SIGTERM ignored stopped at one, exit 130."""
    from edge.interrupts import sigterm_as_interrupt

    before = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        with sigterm_as_interrupt():
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
            signal.raise_signal(signal.SIGTERM)  # ignored: nothing raised
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        with sigterm_as_interrupt(), pytest.raises(KeyboardInterrupt):  # as before where it was not ignored
            signal.raise_signal(signal.SIGTERM)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, before)


# A command whose work is done, with a teardown as slow as TensorFlow's: an object that Python frees as it shuts
# down (after it has reset the signals it handles), saying so on stderr, then taking 3 s.
_SLOW_TEARDOWN = """
import os, signal, sys, time
from edge.cliutil import run_app

class Teardown:
    def __del__(self, write=os.write, sleep=time.sleep):
        write(2, b"tearing down\\n")
        sleep(3)

kept = Teardown()

def app():
    print("report: done", flush=True)
    raise SystemExit(1)

run_app("x", app)
"""


def _signal_once(code: str, sig: int, after: bytes) -> tuple[int, bytes, bytes]:
    """Run ``code`` in a child, send it ``sig`` once ``after`` shows on its stderr: (exit code, stdout, stderr)."""
    import subprocess
    import sys

    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         preexec_fn=_as_at_a_terminal)
    err = b""
    while after not in err:
        chunk = p.stderr.read1(4096)
        assert chunk, (p.wait(), err)
        err += chunk
    time.sleep(0.3)  # a flush that blocks is blocked by now
    p.send_signal(sig)
    time.sleep(0.3)  # the signal lands before the reader reads
    out, rest = p.communicate(timeout=60)
    return p.returncode, out, err + rest


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_after_the_work_is_done_leaves_the_commands_own_exit_code(sig):
    """For a second or two after 'report: ...' (TensorFlow's teardown) a SIGTERM or Ctrl-C killed cxr-train,
    cxr-convert and cxr-evaluate with 143 or 130 and no line, though everything was written: a script read
    'interrupted', and a failed gate's 1 was lost. Python had put the signals back to their default as it
    shut down, taking the handler meant for this moment with them."""
    code, out, err = _signal_once(_SLOW_TEARDOWN, sig, b"tearing down\n")
    assert code == 1 and out == b"report: done\n" and b"Traceback" not in err, (code, err)


# A command stopped while it wrote to a slow reader: it has said "interrupted", and its last answers still wait
# in standard output's buffer for the reader to take them.
_BLOCKED_FLUSH = """
import io, sys
from edge.cliutil import run_app

def app():
    raw = sys.stdout.detach().detach()  # a buffer that holds more than a pipe takes at once
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw, 1 << 20))
    sys.stdout.write(("a" * 99 + "\\n") * 3000)
    print("x: error: interrupted", file=sys.stderr, flush=True)
    raise SystemExit(130)

run_app("x", app)
"""


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_second_stop_while_the_last_answers_are_flushed_keeps_the_first_stops_code(sig):
    """Under `timeout` (which signals the command and its process group) or a double Ctrl-C, with a slow reader:
    the second signal met the final flush outside every handler, and printed a KeyboardInterrupt traceback after
    the one line, or killed the process with 143 where the stop had said 130."""
    code, out, err = _signal_once(_BLOCKED_FLUSH, sig, b"interrupted\n")
    assert code == 130 and b"Traceback" not in err and b"KeyboardInterrupt" not in err, (code, err)
    assert out == ("a" * 99 + "\n").encode() * 3000  # every answer whole, none lost


def test_a_stop_a_library_turned_into_another_error_is_still_a_stop(monkeypatch, tmp_path):
    """TensorFlow sometimes turns a Ctrl-C or SIGTERM in its first epoch into a RuntimeError ('pybind11 MISMATCH ...
    REPLACED BY KeyboardInterrupt') or a SystemError: cxr-train said 'unexpected RuntimeError', exit 2, not
    'interrupted', exit 130, which a job scheduler or `timeout` counts on."""
    with pytest.raises(KeyboardInterrupt):
        with kept_interrupts():
            try:
                signal.raise_signal(signal.SIGTERM)
                time.sleep(0.2)
            except KeyboardInterrupt:
                raise RuntimeError("MISMATCH of original and normalized active exception types") from None
    with pytest.raises(ValueError):  # no stop asked: the error is the error
        with kept_interrupts():
            raise ValueError("bad data")

    import numpy as np
    from PIL import Image
    from typer.testing import CliRunner

    import train.run
    from train.cli import train_app

    def stopped_in_the_first_epoch(settings):
        try:
            signal.raise_signal(signal.SIGTERM)
            time.sleep(0.2)
        except KeyboardInterrupt:
            raise SystemError("Objects/listobject.c:338: bad argument to internal function") from None

    for c in ("COVID", "Normal"):
        (tmp_path / "data" / c).mkdir(parents=True)
        Image.fromarray(np.zeros((40, 40), np.uint8)).save(tmp_path / "data" / c / "0.png")
    monkeypatch.setattr(train.run, "run_training", stopped_in_the_first_epoch)
    r = CliRunner().invoke(train_app, ["--data", str(tmp_path / "data"), "--out", str(tmp_path / "run")])
    assert r.exit_code == 130 and "error: interrupted" in r.output, r.output


def test_a_stop_while_a_runtime_starts_is_a_stop_not_a_missing_runtime(tmp_path, monkeypatch):
    """A SIGTERM landing while LiteRT's extension module initialised came out as its ImportError: the runtime
    was taken for not installed, the next one tried (TensorFlow, on a device), and the watch's stop was lost."""
    import sys

    import pytest

    import edge.runtime as runtime
    (tmp_path / "starting_runtime.py").write_text(
        "import os, signal, time\n"
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(5)\n"
        "except KeyboardInterrupt as e:\n"
        "    raise ImportError('initialization failed') from None\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(runtime, "RUNTIMES", (("litert", "starting_runtime", "pip install ai-edge-litert"),
                                               ("tensorflow", "no_such_module_here", "pip install tensorflow")))
    monkeypatch.delenv("CXR_EDGE_RUNTIME", raising=False)
    with pytest.raises(KeyboardInterrupt):
        runtime.interpreter_class()
    sys.modules.pop("starting_runtime", None)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_while_a_command_starts_is_one_line_and_exit_code_130(sig, tmp_path):
    """A Ctrl-C right after Enter (a wrong folder) came while the console script imported the command's modules,
    before any handler: a 30-line traceback, or for SIGTERM exit 143 and no line."""
    (tmp_path / "slow_command.py").write_text(  # a command whose modules take their time to import
        "import os, time\nos.write(2, b'importing\\n')\ntime.sleep(30)\ndef main():\n    raise SystemExit(0)\n")
    code = (f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
            "from edge.entry import start; start('x', 'slow_command', 'main')")
    rc, out, err = _signal_once(code, sig, b"importing\n")
    assert rc == 130 and err == b"importing\nx: interrupted while starting; nothing was written\n", (rc, err)


def test_every_console_script_starts_before_the_commands_modules_are_imported():
    """The handlers of edge.entry are in place before anything slow is imported: its console scripts' modules
    import neither Typer nor NumPy (the command's own modules do, in edge.entry.start)."""
    import subprocess
    import sys
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    scripts = tomllib.loads((root / "pyproject.toml").read_text())["project"]["scripts"]
    for name, target in scripts.items():
        module, function = target.split(":")
        check = (f"import sys, {module}; assert callable({module}.{function})\n"
                 "heavy = sorted({'typer', 'numpy', 'click', 'PIL'} & set(sys.modules)); assert not heavy, heavy")
        p = subprocess.run([sys.executable, "-c", check], cwd=root, capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, (name, target, p.stderr[-500:])


@pytest.mark.parametrize("command", ["cxr-compare", "cxr-convert"])
def test_a_stop_while_cxr_compare_or_convert_imports_in_its_command_is_one_line(command, tmp_path, monkeypatch):
    """cxr-compare and cxr-convert import their heavy modules in the command, after Typer parsed it and before
    one_line_errors: a Ctrl-C in that half second was Typer's exit 130 with no word, where every other command
    says it was interrupted while starting."""
    import sys
    import types

    from typer.testing import CliRunner

    from convert.cli import convert_app
    from convert.compare_cli import compare_app

    class Stopped(types.ModuleType):  # a module whose import the Ctrl-C lands in (once: pytest reads it after)
        stopped = False

        def __getattr__(self, name):
            if Stopped.stopped:
                raise AttributeError(name)
            Stopped.stopped = True
            raise KeyboardInterrupt

    module, app, args = {"cxr-compare": ("convert.group_values", compare_app, ["a.tflite", "b.tflite", str(tmp_path)]),
                         "cxr-convert": ("convert.quantize", convert_app, [str(tmp_path)])}[command]
    monkeypatch.setitem(sys.modules, module, Stopped(module))
    try:
        r = CliRunner().invoke(app, args)
    except KeyboardInterrupt:  # outside the test runner, Typer's _main: exit 130 and no word
        pytest.fail(f"{command}: a Ctrl-C while it imports went unsaid")
    assert r.exit_code == 130 and r.stderr == f"{command}: interrupted while starting; nothing was written\n", \
        (r.exit_code, r.stderr)
    assert list(tmp_path.iterdir()) == []
