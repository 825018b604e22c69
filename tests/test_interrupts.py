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
