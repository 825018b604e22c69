"""edge.interrupts pinned where a small change went unseen (hand mutation testing: each test here failed with one such
change to ignore_stops, kept_interrupts or hangup_said in place, which tests/test_interrupts.py lets through; SIGHUP's
line is otherwise tested only through a whole watch in tests/test_watch_service.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from edge.interrupts import hangup_said, ignore_stops, kept_interrupts

ROOT = Path(__file__).resolve().parents[1]


def _in_a_thread(work) -> list[BaseException]:
    """What ``work`` raised in a thread that is not the main one (signal.signal refuses to run there)."""
    raised: list[BaseException] = []

    def run():
        try:
            work()
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            raised.append(e)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return raised


def test_ignore_stops_off_the_main_thread_changes_nothing_and_raises_nothing():
    """A command finishing in a worker thread (a test's, a service's) must not fail in its last step."""
    before = signal.getsignal(signal.SIGINT)
    assert _in_a_thread(ignore_stops) == []
    assert signal.getsignal(signal.SIGINT) is before


def test_kept_interrupts_off_the_main_thread_yields_a_check_that_raises_nothing():
    def work():
        with kept_interrupts() as check:
            check()

    assert _in_a_thread(work) == []


@pytest.fixture
def sighup_default():
    before = signal.getsignal(signal.SIGHUP)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGHUP, before)


def test_hangup_said_leaves_sighup_as_it_found_it_default(sighup_default):
    with hangup_said("edge-classify", "stopped"):
        assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN)
    assert signal.getsignal(signal.SIGHUP) is signal.SIG_DFL


def test_hangup_said_leaves_a_handler_someone_else_installed_in_place(sighup_default):
    """A program's own SIGHUP handler (reload on HUP) is neither replaced inside nor lost after."""
    def mine(signum, frame):
        pass

    signal.signal(signal.SIGHUP, mine)
    with hangup_said("edge-classify", "stopped"):
        assert signal.getsignal(signal.SIGHUP) is mine
    assert signal.getsignal(signal.SIGHUP) is mine


def test_a_sighup_says_its_line_once_then_kills_the_process_with_sighup():
    """Killed by the signal (a shell's 129, a service manager's 'signal=HUP'), after exactly one line naming the
    program: a handler left in place would say it again for its own kill, for ever."""
    code = ("import os, signal, time\n"
            "signal.signal(signal.SIGHUP, signal.SIG_DFL)\n"
            "from edge.interrupts import hangup_said\n"
            "with hangup_said('edge-classify', 'stopped by SIGHUP'):\n"
            "    os.kill(os.getpid(), signal.SIGHUP)\n"
            "    time.sleep(5)\n"
            "print('not killed')\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert r.returncode == -signal.SIGHUP, r.stderr
    assert r.stderr == "edge-classify: stopped by SIGHUP\n"
    assert r.stdout == ""
