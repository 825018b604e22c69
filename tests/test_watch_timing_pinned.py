"""edge.watch_timing pinned: the spans and counts a watch goes by are the ones docs/commands.md gives, and the
two no page names (how long a folder is read again after a change, how long an empty file is waited for) hold
(found by hand mutation testing: every watch test patches them, so a changed value went unseen)."""

from __future__ import annotations

import os
from pathlib import Path

from edge.watch import Watcher
from edge.watch_timing import FEW_FAILURES, FULL_EVERY, QUIET_NS
from tests.test_watch import _change_time_is_modification_time, _quiet

COMMANDS = Path(__file__).resolve().parent.parent / "docs" / "commands.md"


def test_the_spans_and_counts_docs_commands_gives_are_the_watchs():
    text = " ".join(COMMANDS.read_text().split())  # its lines rewrapped as one
    assert f"at least {QUIET_NS // 10**9} s apart" in text
    assert f"over {FEW_FAILURES} failed films: for {FULL_EVERY} polls, then at each check of every file, each " \
           f"{FULL_EVERY}th poll" in text
    assert (f"and failed ones: on every poll while at most {FEW_FAILURES} have failed, else for {FULL_EVERY} polls after "
            "each failed") in text


def _clock(monkeypatch) -> list[int]:
    import edge.watch as watch_module

    clock = [10**18]
    monkeypatch.setattr(watch_module.time, "monotonic_ns", lambda: clock[0])
    return clock


def test_a_folder_is_read_again_for_three_seconds_after_its_stamp_moved(tmp_path, monkeypatch):
    """A second film landing in the same step of the folder's stamp (2 s on FAT) 2.5 s after the first is found."""
    _change_time_is_modification_time(monkeypatch, tmp_path)
    clock = _clock(monkeypatch)
    (tmp_path / "IM0001.png").write_bytes(b"x" * 10)
    stamp = os.stat(tmp_path).st_mtime_ns
    w = Watcher([tmp_path], full_every=1000)
    assert w.poll() == []
    clock[0] += 2_500_000_000
    (tmp_path / "IM0002.png").write_bytes(b"x" * 10)
    os.utime(tmp_path, ns=(stamp, stamp))
    assert w.poll() + w.poll() == [str(tmp_path / "IM0001.png"), str(tmp_path / "IM0002.png")]


def test_an_empty_file_is_waited_for_thirty_seconds(tmp_path, monkeypatch):
    """A zero-byte film is a copy yet to start for 30 s (and ten polls) from the poll that first saw it unchanged,
    then handed out for its error line."""
    clock = _clock(monkeypatch)
    (tmp_path / "a.png").write_bytes(b"")
    _quiet(tmp_path)
    w = Watcher([tmp_path])
    got = []
    for _ in range(16):  # 2 s apart: 0 to 30 s, unchanged since 2 s
        got.append(w.poll())
        clock[0] += 2_000_000_000
    assert got == [[]] * 16
    assert w.poll() == [str(tmp_path / "a.png")]  # 32 s: unchanged for 30 s
