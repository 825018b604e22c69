"""edge.interrupts: a stop raised where it is dropped is remembered, and asked for again."""

from __future__ import annotations

import signal
import time

import pytest

from edge.interrupts import kept_interrupts


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_dropped_stop_is_raised_again_when_asked_for(sig):
    """A KeyboardInterrupt raised in a runtime's callback is printed as 'Exception ignored' and lost:
    a watch under a service manager's stop went on, and a conversion rewrote every file."""
    before = signal.getsignal(signal.SIGTERM)
    if signal.getsignal(sig) in (signal.SIG_IGN, None):
        pytest.skip("the signal is ignored here (a suite started in the background): it stays ignored")
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


def test_a_stop_after_the_work_is_done_ends_the_process_with_its_own_exit_code():
    """For a second after 'report: ...' (TensorFlow's teardown) SIGTERM killed cxr-evaluate with 143 and
    no line: the work was done and said, so the process now ends at once with the command's exit code."""
    import subprocess
    import sys

    code = ("import os, signal, time\nfrom edge.cliutil import run_app\n"
            "def app():\n    print('report: done')\n    raise SystemExit(1)\n"
            "try:\n    run_app('x', app)\nexcept SystemExit:\n    os.kill(os.getpid(), signal.SIGTERM)\n    time.sleep(10)\n"
            "raise SystemExit(99)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and p.stdout == "report: done\n", (p.returncode, p.stderr)


def test_a_stop_a_library_turned_into_another_error_is_still_a_stop(monkeypatch, tmp_path):
    """TensorFlow sometimes turns a Ctrl-C or SIGTERM in its first epoch into a RuntimeError ('pybind11 MISMATCH ...
    REPLACED BY KeyboardInterrupt') or a SystemError: cxr-train said 'unexpected RuntimeError', exit 2, not
    'interrupted', exit 130, which a job scheduler or `timeout` counts on."""
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_IGN, None):
        pytest.skip("SIGTERM is ignored here: it stays ignored")
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

    if signal.getsignal(signal.SIGINT) in (signal.SIG_IGN, None):
        pytest.skip("the signal is ignored here (a suite started in the background): it stays ignored")
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
