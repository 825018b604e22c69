"""edge-classify --watch as a service: links that cannot be followed, a share unmounted under it,
and logs appended to across restarts (no second CSV header, no answer glued to a torn line)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

import edge.watch
from edge.watch import Watcher


def _film(path: Path, seed: int) -> None:
    from PIL import Image

    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (96, 80), dtype=np.uint8)).save(path)


def test_a_link_that_cannot_be_followed_stops_no_other_film(tmp_path):
    """A link loop made the whole folder 'unreadable': no film was ever answered. A film's name on a
    link to nothing is handed out, so that it gets its error line as in a batch."""
    (tmp_path / "a.png").write_bytes(b"x" * 10)
    (tmp_path / "self").symlink_to("self")
    (tmp_path / "dead.png").symlink_to(tmp_path / "nowhere.png")
    said = []
    w = Watcher([tmp_path], say=said.append)
    assert w.poll() == [] and w.poll() == [str(tmp_path / "a.png"), str(tmp_path / "dead.png")]
    assert said == [] and w.poll() == []


def mount_point(monkeypatch, folder: Path) -> dict[str, bool]:
    """``folder`` as a share's mount point: while the returned {"yes": False}, os.stat gives it another
    file system's device number and it is no mount point, as its bare mount point once the share is
    unmounted; {"yes": "swapped"}: a third device mounted there (a USB stick swapped for another)."""
    real_stat, real_is_mount, mounted = os.stat, edge.watch._is_mount, {"yes": True}

    def stat(path, *args, **kw):
        st = real_stat(path, *args, **kw)
        if Path(path) == folder and mounted["yes"] is not True:
            return SimpleNamespace(st_mtime_ns=st.st_mtime_ns, st_ctime_ns=st.st_ctime_ns, st_dev=st.st_dev + (1 if not mounted["yes"] else 2))
        return st

    monkeypatch.setattr(edge.watch.os, "stat", stat)
    monkeypatch.setattr(edge.watch, "_is_mount", lambda f: bool(mounted["yes"]) if Path(f) == folder else real_is_mount(f))
    return mounted


def test_a_share_unmounted_under_the_watch_is_said_and_its_films_are_not_answered_again(tmp_path, monkeypatch):
    """Unmounted, a share leaves its mount point: an empty folder of another file system, which
    reads fine. Its films must be kept in mind, or every one is answered again once it is back."""
    share, hidden, said = tmp_path / "share", tmp_path / "hidden", []
    share.mkdir()
    hidden.mkdir()
    (share / "a.png").write_bytes(b"x" * 10)
    mounted = mount_point(monkeypatch, share)
    w = Watcher([share], say=said.append)
    assert w.poll() == [] and w.poll() == [str(share / "a.png")]
    (share / "a.png").rename(hidden / "a.png")
    mounted["yes"] = False
    assert [w.poll() for _ in range(3)] == [[]] * 3
    assert len(said) == 1 and "bare mount point of a share that was mounted there: its share unmounted?" in said[0]
    (hidden / "a.png").rename(share / "a.png")
    (share / "b.png").write_bytes(b"y" * 10)  # arrived on the share meanwhile
    mounted["yes"] = True
    assert w.poll() == [] and said[1:] == [f"can read the watched folder {share} again"]
    assert w.poll() == [str(share / "b.png")] and w.poll() == []


def test_a_folder_mounted_after_the_watch_started_is_taken_as_it_is(tmp_path, monkeypatch):
    """The other way round: an empty mount point at the start, then the share mounted on it."""
    share = tmp_path / "share"
    share.mkdir()
    real_stat, mounted = os.stat, {"yes": False}

    def stat(path, *args, **kw):
        st = real_stat(path, *args, **kw)
        return SimpleNamespace(st_mtime_ns=st.st_mtime_ns, st_ctime_ns=st.st_ctime_ns, st_dev=st.st_dev + 1) if Path(path) == share and mounted["yes"] else st

    monkeypatch.setattr(edge.watch.os, "stat", stat)
    monkeypatch.setattr(edge.watch, "_is_mount", lambda f: mounted["yes"] and Path(f) == share)
    said = []
    w = Watcher([share], say=said.append)
    assert w.poll() == []
    (share / "a.png").write_bytes(b"x" * 10)
    mounted["yes"] = True
    assert w.poll() == [] and w.poll() == [str(share / "a.png")] and said == []


def _classify(model: Path, args: list[str], stdout, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "edge.cli", *args, "--model", str(model)], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120, **kw)


def test_answers_appended_to_a_file_start_a_line_and_a_csv_has_one_header(model_dir, tmp_path):
    model = model_dir / "compact" / "model_int8.tflite"
    _film(tmp_path / "a.png", 0)
    log = tmp_path / "answers.jsonl"
    log.write_text('{"file": "x.png", "lab')  # an earlier run's last line, cut by a power cut
    with open(log, "a") as out:
        assert _classify(model, [str(tmp_path / "a.png"), "--json"], out).returncode == 0
    lines = log.read_text().splitlines()
    assert lines[0] == '{"file": "x.png", "lab'  # the torn line stays as it was, alone
    import json

    assert json.loads(lines[1])["file"] == str(tmp_path / "a.png")
    table = tmp_path / "answers.csv"
    for _ in range(2):
        with open(table, "a") as out:
            assert _classify(model, [str(tmp_path / "a.png"), "--csv"], out).returncode == 0
    rows = table.read_text().splitlines()
    assert len(rows) == 3 and rows[0].startswith("file,label,") and not rows[2].startswith("file,")


def test_a_watchs_csv_rows_say_when_they_were_written(model_dir, tmp_path):
    import csv
    from datetime import datetime, timezone

    model = model_dir / "compact" / "model_int8.tflite"
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "a.png", 0)
    table = tmp_path / "answers.csv"
    with open(table, "a") as out:
        proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(incoming), "--watch", "--csv", "--interval", "0.1",
                                 "--model", str(model)], stdout=out, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(table.read_text().splitlines()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    (row,) = list(csv.DictReader(table.read_text().splitlines()))
    assert row["file"] == str(incoming / "a.png") and row["label"]
    assert abs((datetime.now(timezone.utc) - datetime.fromisoformat(row["time"])).total_seconds()) < 120


@contextlib.contextmanager
def _watching_csv(model_dir: Path, tmp_path: Path):
    """`edge-classify incoming --watch --csv >> answers.csv` on a folder holding a.png, answered before the body runs;
    stopped by SIGTERM after it. The log is opened as the shell's `>>` opens it (O_APPEND at offset 0, where Python's
    open("a") would also seek to the end). Yields (incoming, the log, wait_for(text in the log))."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "a.png", 0)
    table = tmp_path / "answers.csv"

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 60
        while text not in table.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)

    out = os.open(table, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(incoming), "--watch", "--csv", "--interval", "0.1",
                                 "--model", str(model_dir / "compact" / "model_int8.tflite")], stdout=out,
                                stderr=subprocess.PIPE, text=True)
        try:
            wait_for("a.png")
            yield incoming, table, wait_for
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=60)
    finally:
        os.close(out)


def test_a_watchs_csv_log_cut_by_copytruncate_gets_its_header_again(model_dir, tmp_path):
    """logrotate's copytruncate (the rotation the docs prescribe) cut the header away while the watch ran: the live
    log went on with rows alone, and every CSV reader took its first film's row for the header."""
    import csv
    import shutil

    with _watching_csv(model_dir, tmp_path) as (incoming, table, wait_for):
        shutil.copy(table, tmp_path / "answers.csv.1")  # logrotate copytruncate: copied, then cut to nothing
        os.truncate(table, 0)
        _film(incoming / "b.png", 1)
        wait_for("b.png")
    lines = table.read_text().splitlines()
    assert lines[0].startswith("file,label,probability,") and len(lines) == 2, lines
    (row,) = list(csv.DictReader(lines))
    assert row["file"] == str(incoming / "b.png") and row["label"] and row["time"]
    assert [r["file"] for r in csv.DictReader((tmp_path / "answers.csv.1").read_text().splitlines())] == [
        str(incoming / "a.png")]


def test_a_watchs_csv_log_cut_and_then_given_notes_longer_than_its_rows_gets_its_header_again(model_dir, tmp_path):
    """With its notes in the same log (2>&1), a note written after the cut made the log longer than its rows had
    left it, and the watch took it for uncut: its rows went on without a header, and the next restart refused it."""
    import csv

    with _watching_csv(model_dir, tmp_path) as (incoming, table, wait_for):
        os.truncate(table, 0)  # copytruncate, then a note longer than the log was (as 2>&1 writes one)
        with open(table, "a") as note:
            note.write("edge-classify: note: " + "x" * 8 * len(str(incoming / "a.png")) + "\n")
        _film(incoming / "b.png", 1)
        wait_for("b.png")
    lines = table.read_text().splitlines()
    assert lines[0].startswith("edge-classify: note:") and lines[1].startswith("file,label,probability,"), lines
    assert [r["file"] for r in csv.DictReader(lines[1:])] == [str(incoming / "b.png")]


def test_a_csv_log_cut_between_the_header_check_and_the_rows_write_gets_its_header_back(tmp_path, monkeypatch):
    """A copytruncate in the microseconds between the watch's look at its log and the row's write put the row at the
    log's start without its header; the log's size was then as the row left it, so no later row looked again: the
    live log stayed headerless for good, and the next restart refused it (Restart=on-failure looped)."""
    import csv

    import edge.output
    from edge.batch import Result

    table = tmp_path / "answers.csv"
    labels = ["COVID", "Normal"]
    with open(table, "a") as out:
        monkeypatch.setattr(sys, "stdout", out)
        write = edge.output.writer_for(labels, 1, "csv", stamped=True)
        write(Result("in/a.png", np.array([0.25, 0.75])))
        now = edge.output._now

        def cut_then_now() -> str:  # called after the look at the log, before the row is written: the cut goes there
            out.flush()
            os.truncate(table, 0)
            return now()

        monkeypatch.setattr(edge.output, "_now", cut_then_now)
        write(Result("in/b.png", np.array([0.75, 0.25])))
        monkeypatch.setattr(edge.output, "_now", now)
        write(Result("in/c.png", np.array([0.5, 0.5])))
        monkeypatch.undo()
    lines = table.read_text().splitlines()
    assert lines[0].startswith("file,label,probability,") and len(lines) == 3, lines
    assert [r["file"] for r in csv.DictReader(lines)] == ["in/b.png", "in/c.png"]


def test_a_csv_log_that_cannot_be_read_back_gets_its_header_again_when_cut_to_nothing(tmp_path, monkeypatch):
    """A log that cannot be read back (``>>`` opens it write-only, and Windows has no name to open it again by) is
    trusted to hold its header: but one cut to 0 bytes holds nothing, so its header goes first again. Without the
    size's own say the next rows went into the rotated log alone, and every CSV reader took a row for the header."""
    import csv

    import edge.output
    import edge.stdout_file
    from edge.batch import Result

    table = tmp_path / "answers.csv"
    monkeypatch.setattr(edge.stdout_file, "_path_behind", lambda fd: None)  # as on Windows: no /proc, no F_GETPATH
    with open(table, "a") as out:
        monkeypatch.setattr(sys, "stdout", out)
        assert edge.stdout_file.file_start(out) is None  # the case: the log's start is not known
        write = edge.output.writer_for(["COVID", "Normal"], 1, "csv", header=True, stamped=True)
        write(Result("in/a.png", np.array([0.25, 0.75])))
        out.flush()
        os.truncate(table, 0)  # logrotate's copytruncate
        write(Result("in/b.png", np.array([0.75, 0.25])))
        monkeypatch.undo()
    lines = table.read_text().splitlines()
    assert lines[0].startswith("file,label,probability,") and len(lines) == 2, lines
    assert [r["file"] for r in csv.DictReader(lines)] == ["in/b.png"]


def test_a_csv_log_cut_and_written_to_by_another_before_the_row_keeps_what_the_other_wrote(tmp_path, monkeypatch):
    """Putting the header back empties the log and writes header and row: right where the log is that row alone, but
    a log that another writer added to after the cut lost what it wrote, answers included."""
    import edge.output
    from edge.batch import Result

    table = tmp_path / "answers.csv"
    other = "/srv/in/x.png,COVID,0.9000,0.9000,0.1000,0,,,2026-12-06T03:25:53+00:00\n"
    with open(table, "a") as out:
        monkeypatch.setattr(sys, "stdout", out)
        write = edge.output.writer_for(["COVID", "Normal"], 1, "csv", stamped=True)
        write(Result("in/a.png", np.array([0.25, 0.75])))
        now = edge.output._now

        def cut_and_written_to() -> str:  # after the look at the log, before the row's write
            out.flush()
            os.truncate(table, 0)
            with open(table, "a") as another:
                another.write(other)
            return now()

        monkeypatch.setattr(edge.output, "_now", cut_and_written_to)
        write(Result("in/b.png", np.array([0.75, 0.25])))
        monkeypatch.undo()
    lines = table.read_text().splitlines()
    assert lines[0] == other.rstrip("\n") and lines[1].startswith("in/b.png,COVID,"), lines


def test_a_watch_restarted_on_a_csv_log_of_rows_without_their_header_refuses_it(model_dir, tmp_path):
    """A log whose header an older release's copytruncate rotation cut away: the restart wrote the header after its
    rows. Refused before any answer, the log left as it was."""
    model = model_dir / "compact" / "model_int8.tflite"
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "a.png", 0)
    table = tmp_path / "answers.csv"
    table.write_text("/srv/in/b.png,COVID,0.5022,0.5022,0.4978,0,,,2026-12-06T03:25:53+00:00\n")
    before = table.read_bytes()
    with open(table, "a") as out:  # the old code went on watching: killed at the timeout
        p = subprocess.run([sys.executable, "-m", "edge.cli", str(incoming), "--watch", "--csv", "--interval", "0.1",
                            "--model", str(model)], stdout=out, stderr=subprocess.PIPE, text=True, timeout=60)
    assert p.returncode == 2, p.stderr
    assert "edge-classify: error: standard output's file holds CSV rows without their header" in p.stderr
    assert p.stderr.count("error:") == 1 and "Traceback" not in p.stderr and table.read_bytes() == before


def test_a_log_opened_without_append_is_refused_not_written_over(model_dir, tmp_path):
    """systemd's StandardOutput=file: (and the shell's 1<>) opens the log without O_APPEND, at offset 0: a restarted
    watch wrote its answers over the earlier runs', silently, exit 0 (and a batch's --csv/--json the same)."""
    model = model_dir / "compact" / "model_int8.tflite"
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "a.png", 0)
    log = tmp_path / "answers.jsonl"
    log.write_text('{"file": "/srv/in/earlier-film-answered-yesterday.png", "label": "Normal", "probability": 0.6}\n')
    table = tmp_path / "answers.csv"
    table.write_text("file,label,probability\n/srv/in/b.png,COVID,0.5\n")
    runs = [(log, [str(incoming), "--watch", "--json", "--interval", "0.1"]), (table, [str(incoming / "a.png"), "--csv"])]
    for path, args in runs:
        before = path.read_bytes()
        with open(path, "r+") as out:  # O_RDWR at offset 0, no O_APPEND: what file: and 1<> give
            p = subprocess.run([sys.executable, "-m", "edge.cli", *args, "--model", str(model)], stdout=out,
                               stderr=subprocess.PIPE, text=True, timeout=60)  # the old watch went on: killed here
        assert p.returncode == 2, p.stderr
        assert "error: standard output's file is not opened for appending (systemd's StandardOutput=file:" in p.stderr
        assert "use StandardOutput=append: (systemd) or >>" in p.stderr and p.stderr.count("error:") == 1
        assert path.read_bytes() == before
    with open(log, "r+") as out:  # at the end of the file, it overwrites nothing: taken
        out.seek(0, os.SEEK_END)
        p = subprocess.run([sys.executable, "-m", "edge.cli", str(incoming / "a.png"), "--json", "--model", str(model)],
                           stdout=out, stderr=subprocess.PIPE, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert log.read_text().splitlines()[0].startswith('{"file": "/srv/in/earlier-film') and len(log.read_text().splitlines()) == 2


def test_a_restarted_watch_on_a_log_the_shell_appends_to_is_not_refused(model_dir, tmp_path):
    """The shell's `>> answers.jsonl` and systemd's StandardOutput=append: open the log with O_APPEND but at offset 0,
    before the end of the earlier runs' answers: taken for a log opened without O_APPEND, every restarted watch
    would be refused (exit 2, Restart=on-failure looping) though its answers can only go to the end."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "a.png", 0)
    log = tmp_path / "answers.jsonl"
    earlier = '{"file": "/srv/in/earlier-film-answered-yesterday.png", "label": "Normal", "probability": 0.6}\n'
    log.write_text(earlier)
    out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)  # as `>>` and append: open it
    try:
        assert os.lseek(out, 0, os.SEEK_CUR) == 0  # at the start, unlike Python's open("a")
        proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(incoming), "--watch", "--json", "--interval",
                                 "0.1", "--model", str(model_dir / "compact" / "model_int8.tflite")], stdout=out,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while "a.png" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    finally:
        os.close(out)
    assert "not opened for appending" not in stderr, stderr
    lines = log.read_text().splitlines()
    assert lines[0] == earlier.rstrip("\n") and len(lines) == 2 and json.loads(lines[1])["file"] == str(incoming / "a.png")


def test_a_watchs_log_moved_by_a_create_rotation_is_said_and_removed_stops_the_watch(model_dir, tmp_path):
    """logrotate's default (create) moved the log under the watch, and its next rotation removed the moved copy: every
    later answer went into a deleted file, lost, with exit code 0 and a normal summary, and nothing said either time.
    (The file at the log's path is not empty here, so the watch cannot take it up: tests/test_watch_log_rotation.py.)"""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    log, moved = tmp_path / "answers.jsonl", tmp_path / "answers.jsonl.1"

    def wait_for(path: Path, text: str) -> None:
        deadline = time.monotonic() + 60
        while text not in path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)

    _film(incoming / "a.png", 0)
    with open(log, "a") as out:
        proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(incoming), "--watch", "--json", "--interval", "0.1",
                                 "--model", str(model_dir / "compact" / "model_int8.tflite")], stdout=out,
                                stderr=subprocess.PIPE, text=True)
    try:
        wait_for(log, "a.png")
        log.rename(moved)  # moved, and a new log created: one that holds something already, so not taken up
        log.write_text("another writer's line\n")
        for k, film in enumerate(["b.png", "c.png"], 1):  # answered in two polls, said once
            _film(incoming / film, k)
            wait_for(moved, film)
        log.rename(moved)  # the next rotation: the file the watch writes to is removed
        log.write_text("another writer's line\n")
        _film(incoming / "d.png", 3)
        code = proc.wait(timeout=60)  # the old watch went on: killed here
    finally:
        proc.kill()
        err = proc.communicate()[1]
    assert code == 2, err
    assert err.count(f"warning: standard output's file {log} was moved to {moved} (a rotation without copytruncate?)") == 1
    assert f"error: standard output's file {log} was removed (moved to {moved} first): a rotation without " \
           "copytruncate?" in err and err.count("error:") == 1 and "Traceback" not in err
    assert log.read_text() == "another writer's line\n" and "d.png" not in moved.read_text()  # the restart answers it


def test_a_watch_ended_by_sighup_says_why_in_one_line(model_dir, tmp_path):
    """SIGHUP (a logrotate postrotate's kill -HUP) ended the watch with 129 and no line at all: the journal showed a
    restart nothing explained. It still ends it, killed by the signal, after one line."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "a.png", 0)
    log = tmp_path / "answers.jsonl"
    with open(log, "a") as out:
        proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(incoming), "--watch", "--json", "--interval", "0.1",
                                 "--model", str(model_dir / "compact" / "model_int8.tflite")], stdout=out,
                                stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while "a.png" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGHUP)
        err = proc.communicate(timeout=60)[1]
    finally:
        proc.kill()
    assert proc.returncode == -signal.SIGHUP, err  # killed by it, as before: a shell's 129
    assert err.strip().splitlines()[-1] == (
        "edge-classify: stopped by SIGHUP (its terminal closed, or a logrotate postrotate's kill -HUP): a watch needs "
        "no kill -HUP, it opens the new log a rotation creates by itself; drop the postrotate, or restart the watch")


def test_a_closed_standard_output_is_said(model_dir, tmp_path):
    _film(tmp_path / "a.png", 0)
    r = _classify(model_dir / "compact" / "model_int8.tflite", [str(tmp_path / "a.png"), "--json"], None,
                  preexec_fn=lambda: os.close(1))
    assert r.returncode == 2 and "standard output is closed" in r.stderr and "Traceback" not in r.stderr


def test_a_stopped_batch_does_not_decode_the_films_queued_behind_it(monkeypatch):
    """SIGTERM on a watch with a backlog of large films waited for 32 queued decodes to finish, each
    thrown away: on a Pi, many seconds before a service manager's stop is done."""
    import threading

    import edge.batch
    from edge.preprocess import PreprocessConfig

    decoded, lock = [], threading.Lock()

    def slow_decode(path, config):
        time.sleep(0.05)
        with lock:
            decoded.append(path)
        return np.zeros((config.size, config.size, 1), np.uint8)

    class Model:
        preprocess = PreprocessConfig(size=8)

        def classify(self, batch):
            return np.tile([[0.5, 0.5]], (len(batch), 1))

    monkeypatch.setattr(edge.batch, "decode", slow_decode)
    answers = edge.batch.classify_files(Model(), [f"{k}.png" for k in range(40)], workers=1)
    next(answers)
    answers.close()  # what a KeyboardInterrupt in the consumer does to the generator
    assert len(decoded) <= 3  # the first, and the one being decoded when it stopped: not the 31 queued


def test_a_restarted_watch_gives_the_map_of_a_reused_film_name_a_new_name(model_dir, tmp_path):
    """PACS reuse names such as IM0001: a restarted watch wrote the new film's map over the one an earlier
    answer in the log names."""
    import json

    model = model_dir / "compact" / "model_int8.tflite"
    incoming, maps = tmp_path / "incoming", tmp_path / "maps"
    incoming.mkdir()
    answers = []
    for seed in (0, 1):  # the same name, another film, one watch each
        _film(incoming / "IM0001.png", seed)
        proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(incoming), "--watch", "--json", "--interval", "0.1",
                                 "--explain", str(maps), "--model", str(model)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        import threading

        first: list[str] = []  # the answer's line, once written (its map is in place before it)
        reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout=60)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
        answers.append(json.loads(first[0])["map"])
    assert answers == [str(maps / "IM0001.png"), str(maps / "IM0001-2.png")]


def test_a_share_under_a_recursive_watch_or_a_film_in_its_bare_mount_point_is_still_a_share_away(tmp_path, monkeypatch):
    """A share mounted below a folder watched with --recursive went without a word, and each of its films was
    answered again on its return; a film copied into a watched share's bare mount point was taken for its return."""
    top, hidden, said = tmp_path / "in", tmp_path / "hidden", []
    site = top / "siteA"
    site.mkdir(parents=True)
    hidden.mkdir()
    (site / "a.png").write_bytes(b"x" * 10)
    mounted = mount_point(monkeypatch, site)
    w = Watcher([top], recursive=True, say=said.append)
    assert w.poll() == [] and w.poll() == [str(site / "a.png")]
    (site / "a.png").rename(hidden / "a.png")
    (site / "local.png").write_bytes(b"z" * 10)  # copied into the bare mount point while the share is away
    mounted["yes"] = False
    assert [w.poll() for _ in range(3)] == [[]] * 3
    assert len(said) == 1 and "bare mount point of a share that was mounted there: its share unmounted?" in said[0] and str(site) in said[0]
    (site / "local.png").rename(hidden / "local.png")  # hidden again under the share once it is back
    (hidden / "a.png").rename(site / "a.png")
    mounted["yes"] = True
    assert [w.poll() for _ in range(3)] == [[]] * 3 and said[1:] == [f"can read the folder {site} again"]


def test_another_disk_mounted_where_a_share_was_is_watched_as_it_is(tmp_path, monkeypatch):
    """A folder back on another device without its old films (a USB stick swapped for another) was refused on every
    poll after one warning, and its new films never answered."""
    stick, said = tmp_path / "usb", []
    stick.mkdir()
    (stick / "a.png").write_bytes(b"x" * 10)
    mounted = mount_point(monkeypatch, stick)
    w = Watcher([stick], say=said.append)
    assert w.poll() == [] and w.poll() == [str(stick / "a.png")]
    (stick / "a.png").unlink()
    (stick / "b.png").write_bytes(b"y" * 10)  # the other stick's film
    mounted["yes"] = "swapped"
    assert [w.poll() for _ in range(2)] == [[], [str(stick / "b.png")]] and said == []
