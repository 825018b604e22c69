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
