"""edge.stdout_file pinned where a change would spoil an answers log: a header read from the wrong file or not at
all, a cut last line not ended, a log written over from its start, another writer's answers cut off with a failed
block's half line, a rotation not told (found by hand mutation testing: each test here failed with one small change
to file_size, file_start, _read_at, name_of, LogPlace, written_over, appended_to or _cut_back in place)."""

from __future__ import annotations

import os
import subprocess
import sys

from edge.stdout_file import LogPlace, _cut_back, appended_to, file_size, file_start, written_over


def test_the_size_and_start_count_what_is_still_in_the_streams_buffer(tmp_path):
    with open(tmp_path / "a.csv", "a") as out:
        out.write("file,label\n")
        assert file_size(out) == 11 and file_start(out) == b"file,label\n"


def test_the_start_of_a_log_opened_for_appending_only_is_read_by_its_name_and_is_long(tmp_path):
    """`>>` opens the log for writing only: its start is read again through /proc/self/fd; a header after 256 bytes
    of notes (2>&1) is still found."""
    log = tmp_path / "a.log"
    log.write_bytes(b"n" * 300 + b"\n" + b"file,label\n")
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    with os.fdopen(fd, "a") as out:
        assert file_start(out).endswith(b"file,label\n")


def test_a_stream_to_no_regular_file_has_no_start_and_loses_nothing_to_the_look(tmp_path):
    r, w = os.pipe()
    with os.fdopen(w, "w") as out:
        out.write("a.png,COVID\n")
        out.flush()
        assert file_size(out) is None and file_start(out) is None
    assert os.read(r, 100) == b"a.png,COVID\n"  # the reader at the pipe's other end gets its answer
    os.close(r)


def test_a_log_that_ends_in_half_a_line_gets_a_newline_first(tmp_path):
    for held, after in ((b"a.png,COVID\n", b"a.png,COVID\n"), (b"a.png,CO", b"a.png,CO\n"), (b"a.png\r", b"a.png\r\n")):
        (tmp_path / "a.csv").write_bytes(held)
        with open(tmp_path / "a.csv", "a") as out:
            assert appended_to(out) == len(held)
        assert (tmp_path / "a.csv").read_bytes() == after


def test_an_empty_log_gets_nothing_written(tmp_path):
    (tmp_path / "a.csv").write_bytes(b"")
    with open(tmp_path / "a.csv", "a") as out:
        assert appended_to(out) == 0
    assert (tmp_path / "a.csv").read_bytes() == b""


def test_a_log_opened_to_be_written_over_from_its_start_is_refused(tmp_path):
    log = tmp_path / "a.csv"
    log.write_text("old answers\n")
    with open(log, "r+") as out:  # the shell's 1<>, systemd's StandardOutput=file:
        assert written_over(out).startswith("standard output's file is not opened for appending")
        out.seek(0, os.SEEK_END)  # at its end: nothing written over
        assert written_over(out) is None
    with open(log, "a") as out:
        assert written_over(out) is None
    with os.fdopen(os.open(log, os.O_WRONLY | os.O_APPEND), "w") as out:  # O_APPEND at offset 0: writes at the end
        assert out.tell() == 0 and written_over(out) is None


def test_a_failed_blocks_half_line_is_cut_and_whole_lines_after_the_start_kept(tmp_path):
    log = tmp_path / "a.jsonl"
    log.write_bytes(b"old\nmine 1\nanother writer's\nhalf")
    with open(log, "a") as out:
        _cut_back(out, 4, whole_lines=True)
    assert log.read_bytes() == b"old\nmine 1\nanother writer's\n"
    log.write_bytes(b"old\n{\"card\": 1,\n \"half\": ")
    with open(log, "a") as out:
        _cut_back(out, 4, whole_lines=False)  # half a card or JSON document is none: cut off whole
    assert log.read_bytes() == b"old\n"


def test_a_write_to_standard_output_that_fails_cuts_its_half_line_and_says_so(tmp_path):
    log = tmp_path / "answers.csv"
    log.write_bytes(b"old\n")
    code = ("import sys, typer\nfrom edge.stdout_file import written_to_stdout\n"
            "try:\n"
            "    with written_to_stdout('edge-classify', answers=True):\n"
            "        sys.stdout.write('a.png,COVID\\nb.png,Nor'); sys.stdout.flush()\n"
            "        raise OSError(28, 'No space left on device')\n"
            "except typer.Exit as e:\n"
            "    raise SystemExit(e.exit_code)\n")
    with open(log, "ab") as out:
        done = subprocess.run([sys.executable, "-c", code], stdout=out, stderr=subprocess.PIPE, text=True)
    assert log.read_bytes() == b"old\na.png,COVID\n"
    assert done.returncode == 2 and "cannot write the answers to standard output: no space left on device" in done.stderr


def test_a_log_moved_is_said_once_and_a_log_removed_stops_the_watch_naming_where_it_went(tmp_path):
    log, moved = tmp_path / "answers.csv", tmp_path / "answers.csv.1"
    log.write_text("")
    with open(log, "a") as out:
        place = LogPlace(out)
        assert place.start == str(log) and place.check() is None
        log.rename(moved)
        said, stop = place.check()
        assert said.startswith(f"warning: standard output's file {log} was moved to {moved} ") and not stop
        assert place.check() is None  # once
        moved.unlink()
        said, stop = place.check()
        assert said.startswith(f"standard output's file {log} was removed (moved to {moved} first): ") and stop
