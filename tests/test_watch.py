"""edge-classify --watch: films classified as they arrive, never half-copied, stopped cleanly."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from edge.watch import Watcher


def test_a_film_is_handed_out_once_it_has_settled_and_again_when_rewritten(tmp_path):
    w = Watcher([tmp_path], full_every=1)  # every file looked at each poll (the default: each 30th)
    film = tmp_path / "a.png"
    film.write_bytes(b"first half")
    assert w.poll() == []                      # first sight: it may still be copying
    with film.open("ab") as f:
        f.write(b" and the rest")              # it was: it grew
    assert w.poll() == []
    assert w.poll() == [str(film)]             # unchanged over one poll: settled
    assert w.poll() == []                      # handed out once
    os.utime(film, ns=(1, 1))                  # rewritten (another time)
    assert w.poll() == [] and w.poll() == [str(film)]
    data = film.read_bytes()
    film.unlink()                              # moved away once handled ...
    assert w.poll() == []
    film.write_bytes(data)
    os.utime(film, ns=(1, 1))                  # ... and brought back unchanged: a new arrival
    assert w.poll() == [] and w.poll() == [str(film)]


def test_films_that_settle_in_one_poll_are_handed_out_in_name_order_not_the_order_they_came(tmp_path):
    """A study copied in at once (IM0003 first) is answered in the order `ls` shows it, as a batch of the folder
    would answer it: in arrival or directory order, the log of a watch no longer matched the folder's listing."""
    names = ["IM0003.png", "IM0001.png", "IM0010.png", "IM0002.png"]
    for name in names:
        (tmp_path / name).write_bytes(b"x" * 10)
    w = Watcher([tmp_path], full_every=1)
    assert w.poll() == [] and w.poll() == [str(tmp_path / name) for name in sorted(names)]


def test_empty_hidden_and_unlisted_files_are_not_handed_out(tmp_path):
    w = Watcher([tmp_path])
    (tmp_path / "empty.png").write_bytes(b"")           # a copy that has not started
    (tmp_path / ".b.png.part").write_bytes(b"x" * 10)   # a copy tool's temporary name
    (tmp_path / "notes.txt").write_bytes(b"x" * 10)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.png").write_bytes(b"x" * 10)
    assert w.poll() == [] and w.poll() == []
    deep = Watcher([tmp_path], recursive=True)
    assert deep.poll() == [] and deep.poll() == [str(tmp_path / "sub" / "c.png")]


def _quiet(folder: Path) -> None:
    """Date a folder's own time stamp an hour back, as for a folder that has not changed lately."""
    old = time.time_ns() - 3600 * 10**9
    os.utime(folder, ns=(old, old))


def _change_time_is_modification_time(monkeypatch, folder: Path) -> None:
    """``folder``'s change time read as its modification time, as on FAT (no change time of its own): a date put
    back with os.utime then leaves both as they were, as a second film landing within the stamp's step does."""
    import edge.watch as watch_module

    real_stat = os.stat

    def stat(path, *args, **kw):
        st = real_stat(path, *args, **kw)
        if Path(path) != folder:
            return st
        return SimpleNamespace(st_mtime_ns=st.st_mtime_ns, st_ctime_ns=st.st_mtime_ns, st_dev=st.st_dev)
    monkeypatch.setattr(watch_module.os, "stat", stat)


def test_a_second_film_in_the_same_stamp_step_is_found_when_the_devices_clock_runs_ahead(tmp_path, monkeypatch):
    """A Pi without a clock chip runs ahead of the share: a folder its server stamped a moment ago
    looked a minute old, its listing was kept, and a second film landing within the stamp's step
    (2 s on FAT) waited for the next arrival, maybe for ever. A full check lists every folder too."""
    import edge.watch as watch_module

    _change_time_is_modification_time(monkeypatch, tmp_path)
    real = time.monotonic_ns
    monkeypatch.setattr(watch_module.time, "monotonic_ns", lambda: real() + 60 * 10**9)
    first, second = tmp_path / "IM0001.png", tmp_path / "IM0002.png"
    first.write_bytes(b"x" * 10)
    stamp = os.stat(tmp_path).st_mtime_ns
    w = Watcher([tmp_path], full_every=1000)
    assert w.poll() == []
    second.write_bytes(b"x" * 10)
    os.utime(tmp_path, ns=(stamp, stamp))       # in the same step: the folder's stamp did not move
    assert w.poll() + w.poll() == [str(first), str(second)]
    third = tmp_path / "IM0003.png"
    w = Watcher([tmp_path], full_every=4)
    assert w.poll() == [] and w.poll() == [str(first), str(second)]
    monkeypatch.setattr(watch_module.time, "monotonic_ns", lambda: real() + 70 * 10**9)  # the stamp stood 10 s
    third.write_bytes(b"x" * 10)
    os.utime(tmp_path, ns=(stamp, stamp))
    assert w.poll() == []                       # not seen: the listing is kept between full checks
    assert w.poll() == [] and w.poll() == [str(third)]  # the full check lists the folder, and it settles


def test_a_quiet_folder_costs_one_stat_and_changes_are_still_found(tmp_path, monkeypatch):
    import edge.watch as watch_module

    films = [tmp_path / f"{k}.png" for k in range(50)]
    for f in films:
        f.write_bytes(b"x" * 10)
    _quiet(tmp_path)
    w = Watcher([tmp_path], full_every=4)
    assert w.poll() == [] and len(w.poll()) == 50   # poll 2: all settled
    calls = []
    real_stat = os.stat
    monkeypatch.setattr(watch_module.os, "stat", lambda p, *a, **k: calls.append(p) or real_stat(p, *a, **k))
    assert w.poll() == [] and calls == [str(tmp_path)]  # poll 3: the folder alone, no film
    with films[0].open("r+b") as f:                # rewritten in place: the folder's stamp stays
        f.write(b"y")
    os.utime(films[0], ns=(5, 5))
    _quiet(tmp_path)
    assert w.poll() == []                          # poll 4, a full check: seen changed
    assert w.poll() == [str(films[0])]             # poll 5: settled
    new = tmp_path / "new.png"                     # an arrival moves the folder's stamp: found at once
    new.write_bytes(b"x" * 10)
    calls.clear()
    assert w.poll() == [] and calls == [str(tmp_path), str(new)]  # read again, but only the arrival is looked at
    assert w.poll() == [str(new)]
    tmp = tmp_path / ".1.png.tmp"                  # a rewrite by rename over the old name: found at once
    tmp.write_bytes(b"z" * 20)
    os.replace(tmp, films[1])
    assert w.poll() == [] and w.poll() == [str(films[1])]


def _settled(folder: Path, name: str, data: bytes = b"x" * 10, **kw) -> tuple[Watcher, str]:
    """A watcher of a quiet folder (read once, then only on a change of its stamp) that has handed
    out its one film."""
    film = folder / name
    film.write_bytes(data)
    _quiet(folder)
    w = Watcher([folder], **kw)
    assert w.poll() == [] and w.poll() == [str(film)]
    return w, str(film)


def test_a_film_read_half_written_is_answered_again_once_its_copy_has_finished(tmp_path):
    w, film = _settled(tmp_path, "a.png", b"first half")   # a copy stalled past two polls: handed out half-written
    w.failed(film)                                          # ... and its classification failed
    assert w.poll() == []
    with open(film, "ab") as f:                             # the copy resumes: the folder's stamp does not move
        f.write(b" and the rest")
    assert w.poll() == []                                   # seen changed (no full check needed): settling
    assert w.poll() == [film]                               # settled: answered again
    assert [w.poll() for _ in range(5)] == [[]] * 5         # once


def test_another_film_moved_in_under_an_old_name_with_its_size_and_time_is_answered(tmp_path):
    w, film = _settled(tmp_path, "a.png", b"x" * 10, full_every=1)  # every file looked at each poll
    os.utime(film, ns=(10**18, 10**18))
    assert w.poll() == [] and w.poll() == [film]            # rewritten in place (another time): as before
    other = tmp_path / ".a.png.part"                        # rsync -t, cp -p then mv: same size and time
    other.write_bytes(b"y" * 10)
    os.utime(other, ns=(10**18, 10**18))
    os.replace(other, film)
    assert w.poll() == [] and w.poll() == [film]
    os.chmod(film, 0o600)                                   # a film answered well: its ctime alone means nothing
    os.chmod(film, 0o644)
    assert [w.poll() for _ in range(3)] == [[]] * 3


def test_a_film_renamed_over_an_old_name_in_a_folder_whose_date_is_put_back_is_answered(tmp_path, monkeypatch):
    """rsync -a (tar x, cp -a) writes a re-exported film under a temporary name, renames it over the old one and
    puts the folder's date back: the folder looked unchanged, and the new film waited for the full check (30 polls,
    30 hours at --interval 3600). A folder's change time cannot be put back."""
    import edge.watch as watch_module

    monkeypatch.setattr(watch_module, "RACY_NS", 0)         # the folder's stamp has stood: its listing is kept
    w, film = _settled(tmp_path, "IM0001.png", full_every=1000)
    assert w.poll() == []
    folder_date = os.stat(tmp_path).st_mtime_ns
    other = tmp_path / ".IM0001.png.XyZ12"
    other.write_bytes(b"y" * 20)
    os.replace(other, film)
    os.utime(tmp_path, ns=(folder_date, folder_date))       # the source folder's date, as rsync -t sets it
    assert w.poll() == [] and w.poll() == [film]


def test_a_failed_film_whose_permissions_are_fixed_is_tried_again(tmp_path):
    w, film = _settled(tmp_path, "a.png")
    w.failed(film)                                          # say, permission denied
    assert [w.poll() for _ in range(3)] == [[]] * 3         # unchanged: not tried again
    os.chmod(film, 0o644 if (os.stat(film).st_mode & 0o777) != 0o644 else 0o600)  # only its ctime moves
    assert w.poll() == [] and w.poll() == [film]
    assert [w.poll() for _ in range(3)] == [[]] * 3


def test_a_watched_folder_that_goes_away_is_said_once_and_once_back(tmp_path):
    incoming, away, said = tmp_path / "incoming", tmp_path / "away", []
    incoming.mkdir()
    w, film = _settled(incoming, "a.png", say=said.append)
    incoming.rename(away)                                   # a share unmounted, a folder removed
    assert [w.poll() for _ in range(3)] == [[]] * 3
    assert len(said) == 1 and said[0].startswith(f"warning: cannot read the watched folder {incoming} (")
    assert said[0].endswith("; still watching")
    (away / "b.png").write_bytes(b"x" * 10)                 # arrived meanwhile
    away.rename(incoming)
    assert w.poll() == [] and said[1:] == [f"can read the watched folder {incoming} again"]
    assert w.poll() == [str(incoming / "b.png")]            # its old film is not answered again
    assert [w.poll() for _ in range(3)] == [[]] * 3 and len(said) == 2


def test_films_in_sub_folders_without_recursive_are_said_once(tmp_path):
    said = []
    (tmp_path / "study-1").mkdir()
    (tmp_path / "study-1" / "IM0001.dcm").write_bytes(b"x" * 10)
    w = Watcher([tmp_path], say=said.append)
    assert [w.poll() for _ in range(3)] == [[]] * 3
    assert said == [f"warning: {tmp_path} has sub-folders with films, which --watch does not look into "
                    "without --recursive"]
    (tmp_path / "study-2").mkdir()                          # the listing read again: not said again
    (tmp_path / "study-2" / "IM0001.dcm").write_bytes(b"x" * 10)
    assert w.poll() == [] and len(said) == 1
    deep, quiet = [], tmp_path / "quiet"
    assert Watcher([tmp_path], recursive=True, say=deep.append).poll() == [] and deep == []
    (quiet / "sub").mkdir(parents=True)                     # sub-folders without films: nothing to say
    (quiet / "sub" / "notes.txt").write_bytes(b"x")
    q = Watcher([quiet], say=deep.append)
    assert q.poll() == [] and q.poll() == [] and deep == []


def test_an_empty_file_that_stays_empty_is_handed_out_once_for_its_error_line(tmp_path, monkeypatch):
    import edge.watch as watch_module

    empty = tmp_path / "a.png"
    empty.write_bytes(b"")
    _quiet(tmp_path)
    slow = Watcher([tmp_path])                              # 30 s have not passed
    assert [slow.poll() for _ in range(15)] == [[]] * 15
    monkeypatch.setattr(watch_module, "EMPTY_NS", 0, raising=False)  # as if they had
    w = Watcher([tmp_path])
    assert [w.poll() for _ in range(11)] == [[]] * 11       # a copy that may yet start: ten polls
    assert w.poll() == [str(empty)]
    w.failed(str(empty))                                    # "empty file (0 bytes)"
    assert [w.poll() for _ in range(15)] == [[]] * 15       # once (a full check among them)
    empty.write_bytes(b"x" * 10)                            # the transfer done again: answered
    assert w.poll() == [] and w.poll() == [str(empty)]


def test_the_watch_loop_tells_the_watcher_which_films_failed(model_dir, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import edge.watch as watch_module
    from edge.cli import app

    (tmp_path / "broken.png").write_bytes(b"not an image")
    _film(tmp_path / "good.png", 0)
    watchers = []

    def two_polls(watcher, interval, sleep=None):
        watchers.append(watcher)
        yield watcher.poll()
        yield watcher.poll()
        raise KeyboardInterrupt  # as SIGTERM

    monkeypatch.setattr(watch_module, "watch", two_polls)
    r = CliRunner().invoke(app, [str(tmp_path), "--watch", "--model", str(model_dir / "compact" / "model_int8.tflite")])
    assert r.exit_code == 1, r.output                       # a film failed during the run
    assert list(watchers[0].failures) == [str(tmp_path / "broken.png")]


_unread: dict[int, bytes] = {}  # bytes read past the last whole line, per descriptor


def _lines(stream, n: int, timeout: float = 60) -> list[str]:
    """Up to n lines within the timeout, read from the descriptor itself: a readline on the text
    stream took two lines into its buffer when they came together, and select, which sees only
    the descriptor, then never said the second one was there (a CI failure under load)."""
    fd, out, deadline = stream.fileno(), [], time.monotonic() + timeout
    buf = _unread.pop(fd, b"")
    while True:
        while b"\n" in buf and len(out) < n:
            line, buf = buf.split(b"\n", 1)
            out.append(line.decode() + "\n")
        if len(out) >= n or time.monotonic() >= deadline:
            break
        if select.select([fd], [], [], 0.2)[0]:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
    _unread[fd] = buf
    return out


def _film(path: Path, seed: int) -> None:
    from PIL import Image

    Image.fromarray(np.random.default_rng(seed).integers(0, 255, (96, 80), dtype=np.uint8)).save(path)


def test_edge_classify_watch_answers_each_arrival_and_stops_on_sigterm(model_dir, tmp_path):
    """Films already there first, then each arrival as it comes, one line at a time (nothing
    waits in a buffer); a broken arrival fails alone; SIGTERM ends it cleanly with exit 1. On
    whichever runtime is in use (tflite-runtime 2.14 in make test's second run)."""
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    _film(incoming / "0-early.png", 0)
    proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(incoming), "--watch", "--interval", "0.1", "--json",
                             "--tally-every", "2", "--model", str(model_dir / "compact" / "model_int8.tflite")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = _lines(proc.stdout, 1)
        assert [json.loads(x)["file"] for x in first] == [str(incoming / "0-early.png")]
        _film(incoming / "1-late.png", 1)
        (incoming / "2-broken.png").write_bytes(b"not an image")
        later = [json.loads(x) for x in _lines(proc.stdout, 2)]
        assert [x["file"] for x in later] == [str(incoming / "1-late.png"), str(incoming / "2-broken.png")]
        assert "label" in later[0] and "error" in later[1]
        # each answer says when it was given: a log outlives its runs (a restart answers every film again)
        from datetime import datetime, timezone

        assert all(abs((datetime.now(timezone.utc) - datetime.fromisoformat(x["time"])).total_seconds()) < 120
                   for x in later)
        assert _lines(proc.stdout, 1, timeout=1) == []  # nothing is classified twice
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    # --tally-every 2: one line for the first two films (both labelled), none yet for the third
    tallies = [ln for ln in err.splitlines() if ln.startswith("edge-classify: last ")]
    assert len(tallies) == 1 and tallies[0].startswith("edge-classify: last 2 files: ") and "failed" not in tallies[0]
    # stopped, it ends with the summary, on stderr even with --json (stdout: the JSON lines alone)
    assert err.splitlines()[-1].startswith("edge-classify: summary: 3 files: ") and ", 1 failed" in err.splitlines()[-1]


def test_watch_takes_folders_only(model_dir, tmp_path):
    from typer.testing import CliRunner

    from edge.cli import app

    film = tmp_path / "a.png"
    film.write_bytes(b"x")
    r = CliRunner().invoke(app, [str(film), "--watch", "--model", str(model_dir / "compact" / "model_int8.tflite")])
    assert r.exit_code == 2 and "--watch takes folders" in r.output


def test_a_new_inode_number_alone_is_not_another_film(tmp_path, monkeypatch):
    """FAT and exFAT volumes (and SMB shares without server inode numbers) hand out new inode numbers
    for the same file once the kernel has forgotten it: size, times and all else unchanged."""
    import edge.film_stamp as film_stamp
    import edge.watch_listing as watch_listing

    w, film = _settled(tmp_path, "a.png", b"x" * 10, full_every=1)
    real_stamp, real_read = film_stamp.stamp, watch_listing.read
    number = {"offset": 0}
    calls = {"stamp": 0, "read": 0}  # both stand-ins must be the ones the watch calls, or this tests nothing

    def stamp(st):
        calls["stamp"] += 1
        size, mtime, ino, ctime = real_stamp(st)
        return size, mtime, ino + number["offset"], ctime

    def read(folder, mtime, linked=None, masks=None):
        calls["read"] += 1
        when, files, subdirs = real_read(folder, mtime, linked, masks)
        return when, [(p, i + number["offset"]) for p, i in files], subdirs

    monkeypatch.setattr(film_stamp, "stamp", stamp)       # looked up there by edge.watch
    monkeypatch.setattr(watch_listing, "read", read)
    for offset in (1000, 2000, 3000):                       # renumbered on every poll
        number["offset"] = offset
        assert w.poll() == []
    w.failed(film)                                          # nor is a failed film tried again for it
    for offset in (4000, 5000, 6000):
        number["offset"] = offset
        assert w.poll() == []
    os.chmod(film, 0o600)                                   # but a permission fixed still is (its ctime moved)
    assert w.poll() == [] and w.poll() == [film]
    assert calls["stamp"] and calls["read"], calls


def test_a_film_that_failed_half_copied_and_was_answered_later_counts_once(model_dir, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import edge.watch as watch_module
    from edge.cli import app

    (tmp_path / "late.png").write_bytes(b"\x89PNG\r\n\x1a\n half")  # a copy stalled part-way
    _film(tmp_path / "good.png", 0)

    def polls(watcher, interval, sleep=None):
        assert watcher.poll() == []            # both seen (a first poll hands out nothing: nothing has settled yet)
        yield watcher.poll()                   # both handed out: late.png fails
        _film(tmp_path / "late.png", 1)        # the copy finishes
        for _ in range(3):
            yield watcher.poll()               # seen changed, settled, answered
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)
    r = CliRunner().invoke(app, [str(tmp_path), "--watch", "--model", str(model_dir / "compact" / "model_int8.tflite")])
    # its error line, then its answer (up to 0.52.0 the input check's warning, said for every flagged film, named it
    # twice, and this passed though the first poll had handed out nothing and late.png never failed)
    lines = [line for line in r.output.splitlines() if "late.png" in line]
    assert len(lines) == 2 and sum("not a readable image" in line for line in lines) == 1, lines  # one error, one
    assert sum(line.startswith(str(tmp_path / "late.png") + "\t") for line in lines) == 1, lines  # answer
    summary = next(line for line in r.output.splitlines() if "summary:" in line)
    assert summary.startswith("edge-classify: summary: 2 files: ") and "failed" not in summary, summary
    assert r.exit_code == 0, r.output          # what failed was answered in the end


def test_a_failed_film_removed_then_another_under_its_name_are_two_films_one_failed(model_dir, tmp_path, monkeypatch):
    """A broken IM0001.png failed, cron removed it, and a later film reused the name (a PACS export's names): the
    second film was taken for the first's retry, and the summary said '1 file' and the exit code 0, though a film
    had failed during the run."""
    from typer.testing import CliRunner

    import edge.watch as watch_module
    from edge.cli import app

    film = tmp_path / "IM0001.png"
    film.write_bytes(b"\x89PNG\r\n\x1a\n broken")

    def polls(watcher, interval, sleep=None):
        for _ in range(2):
            yield watcher.poll()               # settled, handed out: it fails
        film.unlink()                          # cron removes it
        yield watcher.poll()
        _film(film, 1)                         # another film under its name
        for _ in range(3):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", polls)
    r = CliRunner().invoke(app, [str(tmp_path), "--watch", "--json", "--model", str(model_dir / "compact" / "model_int8.tflite")])
    answers = [json.loads(line) for line in r.stdout.splitlines()]
    assert ["error" in a for a in answers] == [True, False], r.output
    summary = next(line for line in r.stderr.splitlines() if "summary:" in line)
    assert summary.startswith("edge-classify: summary: 2 files: ") and ", 1 failed" in summary, summary
    assert r.exit_code == 1, r.output


def test_a_file_is_taken_only_once_its_stamp_has_stood_the_quiet_span(tmp_path, monkeypatch):
    """A copier that sets the full size first wrote a film within one step of a 1-second time stamp: polls
    0.2 s apart saw the same stamp twice and handed out the half-written film, never the finished one."""
    import edge.watch as watch_module

    clock = [10**18]
    monkeypatch.setattr(watch_module, "QUIET_NS", 3_000_000_000)
    monkeypatch.setattr(watch_module.time, "monotonic_ns", lambda: clock[0])
    film = tmp_path / "a.dcm"
    film.write_bytes(b"\0" * 4096)            # preallocated: its full size, its pixels still to come
    os.utime(film, ns=(5 * 10**9, 5 * 10**9))   # a coarse stamp that the writes below do not move
    w = Watcher([tmp_path])
    seen = []
    for _ in range(10):                         # 2 s of polls 0.2 s apart: the same stamp throughout
        seen += w.poll()
        clock[0] += 200_000_000
    assert seen == []
    for _ in range(6):
        seen += w.poll()
        clock[0] += 200_000_000
    assert seen == [str(film)]                  # taken 3 s after its stamp was first seen


def _stepped_clocks(monkeypatch) -> tuple[list[int], list[int]]:
    """The watch's clocks, set by the caller: (monotonic, wall), in ns; the watch's quiet span its 3 s."""
    import edge.watch as watch_module

    mono, wall = [10**12], [10**18]
    monkeypatch.setattr(watch_module, "QUIET_NS", 3_000_000_000)
    monkeypatch.setattr(watch_module, "time", SimpleNamespace(time_ns=lambda: wall[0], monotonic_ns=lambda: mono[0]))
    return mono, wall


def _settle_across_a_step(tmp_path, monkeypatch, step_s: int) -> list[tuple[float, list[str]]]:
    """(seconds, films) of each poll that handed out a film arriving at 0 s, polled every 0.5 s, where the
    wall clock steps by ``step_s`` at 1 s and the monotonic clock goes on."""
    mono, wall = _stepped_clocks(monkeypatch)
    film = tmp_path / "a.png"
    film.write_bytes(b"x" * 10)
    w = Watcher([tmp_path])
    seen = []
    for k in range(12):                           # 6 s of polls 0.5 s apart
        seen.append((k * 0.5, w.poll()))
        if k == 2:                                # 1 s after the film was first seen: NTP steps the clock
            wall[0] += step_s * 10**9
        mono[0] += 500_000_000
        wall[0] += 500_000_000
    return [(t, got) for t, got in seen if got]


def test_a_film_settling_when_the_clock_steps_back_an_hour_is_answered_after_the_quiet_span(tmp_path, monkeypatch):
    """A Pi without a clock chip boots on a saved time and NTP steps its clock, back too: every film then
    settling waited as long as the step (an hour), without a word. The quiet span is timed on a clock that never
    steps."""
    assert _settle_across_a_step(tmp_path, monkeypatch, -3600) == [(3.0, [str(tmp_path / "a.png")])]


def test_a_film_settling_when_the_clock_steps_forward_an_hour_is_not_taken_at_once(tmp_path, monkeypatch):
    """NTP stepping the clock forward an hour made a film still copying look an hour quiet: taken on the next
    poll, perhaps half-written (a preallocated DICOM's zero tail), the case the quiet span is there for."""
    assert _settle_across_a_step(tmp_path, monkeypatch, 3600) == [(3.0, [str(tmp_path / "a.png")])]


def test_a_film_that_failed_for_want_of_memory_is_tried_once_more(tmp_path):
    """Four large films decoded at once: two failed 'out of memory while decoding', and were never tried again
    while the watch ran, though each decoded alone; a film that fails for good is not tried over and over."""
    (tmp_path / "a.png").write_bytes(b"x" * 10)
    (tmp_path / "b.png").write_bytes(b"y" * 10)
    w = Watcher([tmp_path])
    assert w.poll() == [] and w.poll() == [str(tmp_path / "a.png"), str(tmp_path / "b.png")]
    w.failed(str(tmp_path / "a.png"), "out of memory while decoding")
    w.failed(str(tmp_path / "b.png"), "cannot identify image file (unknown or corrupt format)")
    assert w.poll() == [str(tmp_path / "a.png")]
    w.failed(str(tmp_path / "a.png"), "out of memory while decoding")
    assert [w.poll() for _ in range(3)] == [[]] * 3


def test_a_retried_films_error_line_keeps_its_stamp_and_a_new_film_of_its_name_may_be_retried(tmp_path):
    """The retry took the film back from the films handed out before its error line was written: the line had no
    "written" stamp; and a film moved in later under the name was never retried."""
    from types import SimpleNamespace

    film = tmp_path / "a.png"
    film.write_bytes(b"x" * 10)
    w = Watcher([tmp_path])
    assert w.poll() == [] and w.poll() == [str(film)]
    failed = SimpleNamespace(file=str(film), error="out of memory while decoding")
    for r in w.noting_failures([failed]):
        assert w.written(r.file) is not None  # as the writer sees it
    assert w.poll() == [str(film)]
    w.failed(str(film), "out of memory while decoding")
    assert w.poll() == []                     # tried once more already
    film.write_bytes(b"y" * 12)               # another film under the name
    assert w.poll() == [] and w.poll() == [str(film)]
    w.failed(str(film), "out of memory while decoding")
    assert w.poll() == [str(film)]            # its own retry


def test_a_watch_forgets_the_sub_folders_taken_away(tmp_path):
    """A PACS export adds a folder per study and an archiver takes it away: a watch of months kept each removed
    folder's file system and mount point (about 0.35 KB a study) for ever."""
    w = Watcher([tmp_path], recursive=True, full_every=1)
    for k in range(20):
        (tmp_path / f"study{k}").mkdir()
        (tmp_path / f"study{k}" / "a.png").write_bytes(b"x" * 100)
    w.poll()
    assert len(w.devices) == len(w.mounts) == 21
    for k in range(20):
        (tmp_path / f"study{k}" / "a.png").unlink()
        (tmp_path / f"study{k}").rmdir()
    w.poll()
    kept = [f for d in (w.devices, w.mounts, w.stamp_seen, w.listings, w.done, w.inodes, w.pending) for f in d]
    assert all("study" not in f for f in kept), kept


def test_a_flagged_film_that_failed_and_was_answered_later_is_one_flagged_film_in_the_summary():
    """A watch tries a failed film again once it changes (--refuse-atypical, a copy not finished): the
    summary counts it once, as its last try went. Its flag was counted again: '2 unlike the training images'
    for one film."""
    from edge.tally import Tally

    t = Tally(retries=True)
    t.add("a.png", None, flagged=True)       # refused, or failed, on its first try
    t.add("a.png", "COVID", flagged=True)    # the same film, answered later
    t.add("b.png", "Normal")
    assert (t.images, t.failed, t.flagged) == (2, 0, 1)
    assert t.line(["COVID", "Normal"]) == "2 files: 1 COVID, 1 Normal; 1 unlike the training images (input check)"
