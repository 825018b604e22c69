"""edge-classify as a service writes it: standard error is best effort (a note that cannot be
written never stops the answers), a watch whose standard output's reader went away says so and
exits 2, a CSV appended to a file gets its header where the file has none and is refused where the
file holds other columns, maps are never written inside a watched folder, and a failing file given
twice in a batch counts twice. Real tiny model (tests/conftest.py's tiny_run), real runtime, a
fresh edge-classify process per case."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edge.output import csv_header_text

ROOT = Path(__file__).resolve().parents[1]


def edge_classify(*args: object, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, **kw)


@pytest.fixture(scope="module")
def films(tiny_run) -> list[Path]:
    """Three films of tiny_run's set, one more than conftest's `films`, as these tests were written."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    return sorted(data.glob("*/*.png"))[:3]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, a device that is always full")
def test_a_standard_error_that_cannot_be_written_does_not_stop_the_answers(model, films):
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", *map(str, films), "--json",
                            "--model", str(model)], cwd=ROOT, stdout=subprocess.PIPE, stderr=full, text=True,
                           timeout=120)
    assert p.returncode == 0
    assert [json.loads(line)["file"] for line in p.stdout.splitlines()] == [str(f) for f in films]


def test_a_watch_whose_reader_went_away_says_so_and_exits_2(model, films, tmp_path):
    incoming = tmp_path / "in"
    incoming.mkdir()
    shutil.copy(films[0], incoming / "a.png")
    proc = subprocess.Popen([sys.executable, "-c", "from edge.cli import run; run()", str(incoming), "--watch",
                             "--json", "--interval", "0.1", "--model", str(model)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert json.loads(proc.stdout.readline())["file"].endswith("a.png")
        proc.stdout.close()  # the reader goes away
        for k in range(20):  # films keep arriving; the first answer written after the close fails
            shutil.copy(films[1], incoming / f"b{k}.png")
            time.sleep(0.3)
            if proc.poll() is not None:
                break
        err = proc.stderr.read()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
    assert proc.returncode == 2, err
    assert "edge-classify: error: standard output was closed (its reader went away) after 1 answer: the watch stops" in err, err
    assert "Traceback" not in err


def test_a_csv_log_gets_its_header_where_it_has_none(model, films, tmp_path):
    log = tmp_path / "answers.csv"
    log.write_text("edge-classify: note: something said on stderr, sent here with 2>&1\n")
    with open(log, "a") as out:
        p = subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", str(films[0]), "--csv",
                            "--model", str(model)], cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    lines = log.read_text().splitlines(keepends=True)
    assert lines[1] == csv_header_text(["COVID", "Normal"]) and lines[2].startswith(f"{films[0]},")
    with open(log, "a") as out:  # the same columns again: no second header
        subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", str(films[1]), "--csv",
                        "--model", str(model)], cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True, timeout=120)
    assert log.read_text().count("file,label,probability,") == 1


def test_a_csv_log_of_other_columns_is_refused(model, films, tmp_path):
    log = tmp_path / "answers.csv"
    with open(log, "w") as out:  # a batch's log: no time column
        subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", str(films[0]), "--csv",
                        "--model", str(model)], cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True, timeout=120)
    before = log.read_bytes()
    with open(log, "a") as out:
        p = subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", str(films[1]), "--csv",
                            "--explain", str(tmp_path / "maps"), "--model", str(model)], cwd=ROOT, stdout=out,
                           stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 2
    assert "edge-classify: error: standard output's file holds answers with other columns" in p.stderr
    assert log.read_bytes() == before


def test_a_csv_log_begun_before_the_header_says_column_is_appended_to_in_its_own_columns(model, films, tmp_path):
    """header_says was added at the end of --csv's columns: a log 0.44.0 began (a watch's, `>> answers.csv`) was
    refused as one of other columns, and a unit with Restart=on-failure failed at every restart after an upgrade.
    Its rows keep the log's columns, and a note says the column is not there; a new log gets it."""
    import csv

    header = csv_header_text(["COVID", "Normal"])
    old = csv_header_text(["COVID", "Normal"], header_says=False, model=False, synthetic=False)  # 0.44.0's: none of
    # the last three columns
    log = tmp_path / "answers.csv"
    log.write_text(old)
    with open(log, "a") as out:
        p = subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", str(films[0]), "--csv",
                            "--model", str(model)], cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert ("note: standard output's file has the CSV columns of 0.44.0 and earlier, without header_says, "
            "model_sha256 and synthetic") in p.stderr
    rows = list(csv.reader(log.read_text().splitlines()))
    assert rows[0] == old.strip().split(",") and len(rows) == 2 and len(rows[1]) == len(rows[0]) and rows[1][0] == str(films[0])
    new = tmp_path / "new.csv"
    with open(new, "w") as out:
        p = subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", str(films[0]), "--csv",
                            "--model", str(model)], cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True, timeout=120)
    assert new.read_text().startswith(header) and "0.44.0" not in p.stderr


@pytest.mark.parametrize("first, then", [("--json", "--csv"), ("--csv", "--json")])
def test_answers_of_the_other_format_are_not_appended_to_a_log(model, films, tmp_path, first, then):
    """A unit edited from --json to --csv, its log kept: CSV rows went into answers.jsonl, and the other way
    round, leaving a file that no reader reads right."""
    log = tmp_path / "answers.log"
    with open(log, "w") as out:
        subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", str(films[0]), first,
                        "--model", str(model)], cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True, timeout=120)
    before = log.read_bytes()
    with open(log, "a") as out:
        p = subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", str(films[1]), then,
                            "--model", str(model)], cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True, timeout=120)
    said = "JSON answers (--json)" if first == "--json" else "CSV answers (--csv)"
    assert p.returncode == 2 and f"standard output's file holds {said}" in p.stderr, p.stderr
    assert log.read_bytes() == before
    with open(log, "a") as out:  # the same format: appended as before
        p = subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", str(films[1]), first,
                            "--model", str(model)], cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True, timeout=120)
    assert p.returncode == 0 and len(log.read_bytes()) > len(before)


def test_maps_inside_a_watched_folder_are_refused(model, tmp_path):
    incoming = tmp_path / "in"
    incoming.mkdir()
    p = edge_classify(incoming, "--watch", "--explain", incoming / "maps", "--model", model)
    assert p.returncode == 2 and f"--explain {incoming / 'maps'}: " in p.stderr and "inside the folder of the films" in p.stderr


def test_each_failing_file_counts_in_a_batch_and_one_named_twice_once(model, films, tmp_path):
    """A watch counts a film that fails on every poll once; a batch counts each failing film, and a film named twice
    is one film (its answer, and its failure, once: the summary is what a site compares with its own rate)."""
    bad, other = tmp_path / "bad.png", tmp_path / "other.png"
    bad.write_bytes(b"not an image")
    other.write_bytes(b"not an image either")
    p = edge_classify(bad, other, films[0], "--model", model)
    assert p.returncode == 1
    assert "edge-classify: summary: 3 files: " in p.stderr and "2 failed" in p.stderr
    p = edge_classify(bad, bad, films[0], "--model", model)
    assert p.returncode == 1
    assert "edge-classify: summary: 2 files: " in p.stderr and "1 failed" in p.stderr


def test_the_header_is_found_in_a_log_saved_with_crlf_or_a_byte_order_mark():
    from edge.log_file import csv_header_needed

    header = csv_header_text(["COVID", "Normal"])
    assert csv_header_needed(header.replace("\n", "\r\n").encode() + b"a.png,COVID\r\n", header) is False
    assert csv_header_needed(b"\xef\xbb\xbf" + header.encode(), header) is False
    assert csv_header_needed(b"edge-classify: note: ...\n", header) is True
    # a header cut at the read's limit is no header of other columns
    assert csv_header_needed(b"edge-classify: note: ...\n" + header.encode()[:20], header) is True


def test_a_csv_log_of_rows_without_their_header_is_refused_not_given_one_in_its_middle():
    """A watch's CSV log cut by logrotate's copytruncate under an older release holds rows and no header: the
    restart wrote the header after them, and every CSV reader took the first row for the header."""
    from edge.log_file import csv_header_needed

    header = csv_header_text(["COVID", "Normal"], stamped=True)
    rows = (b"/srv/in/b.png,COVID,0.5022,0.5022,0.4978,0,,,2026-12-06T03:25:53+00:00\n"
            b"/srv/in/c.png,,,,,,corrupt or truncated image,,2026-12-06T03:26:53+00:00\n")
    for start in (rows, b"edge-classify: note: ...\n" + rows, rows[60:]):  # the first line cut mid-row: the others
        with pytest.raises(ValueError, match=r"holds CSV rows without their header .*copytruncate.*write to a new file"):
            csv_header_needed(start, header)
    # the rows above are of 0.44.0's columns (no header_says): the message gives that header to put back; this
    # release's rows, its own
    with pytest.raises(ValueError, match=r"put this header back at its top \(file,label,.*,rule,time\), or"):
        csv_header_needed(rows, header)
    with pytest.raises(ValueError, match=r"put this header back at its top \(file,label,.*,rule,time,header_says\), or"):
        csv_header_needed(rows.replace(b"\n", b",\n"), header)
    with pytest.raises(ValueError, match=r"put this header back at its top \(file,.*,rule,time,header_says,model_sha256\), or"):
        csv_header_needed(rows.replace(b"\n", b",,\n"), header)
    # notes alone, even with commas in them, or a row of other columns: a header is still written
    assert csv_header_needed(b"edge-classify: note: a, b, c, d, e, f, g, h, i\n", header) is True
    assert csv_header_needed(b"/srv/in/b.png,COVID,0.5,0.5,0.5,0,,\n", header) is True


def test_text_answers_are_not_appended_to_a_json_or_csv_log():
    from edge.log_file import other_format

    assert "holds JSON answers (--json): text answers among them" in other_format(b'{"file": "a.png"}\n', "")
    assert "holds CSV answers (--csv): text answers among them" in other_format(b"file,label,probability,p_A\n", "")
    assert other_format(b"a.png\tCOVID\t0.9\n", "") is None and other_format(b'{"file": "a.png"}\n', "json") is None


def test_a_log_behind_a_write_only_descriptor_is_read_back_by_its_path_where_there_is_no_proc(tmp_path, monkeypatch):
    """macOS has no /proc: a `>> log` (opened write-only, so pread fails) could not be read back, and a JSON line was
    appended to a CSV log, a second header or rows under other columns, or a run glued onto a half line, without a
    word. The path behind the descriptor (F_GETPATH there) is read instead, only where it is the same file."""
    import builtins

    import edge.stdout_file as sf
    from edge.log_file import other_format

    real_open = builtins.open

    def no_proc(file, *a, **k):  # macOS, as far as this module can tell
        if str(file).startswith("/proc/"):
            raise FileNotFoundError(2, "No such file or directory", file)
        return real_open(file, *a, **k)

    log, other = tmp_path / "answers.csv", tmp_path / "other.csv"
    log.write_bytes(b"file,label,probability,p_COVID,p_Normal\na.png,COVID,0.9,0.9,0.1\nb.png,Nor")  # a power cut
    other.write_bytes(b'{"file": "c.png"}\n')
    monkeypatch.setattr(builtins, "open", no_proc)
    monkeypatch.setattr(sf, "_path_behind", lambda fd: str(log), raising=False)  # what F_GETPATH gives on macOS
    with real_open(log, "a") as out:
        assert "holds CSV answers (--csv)" in other_format(sf.file_start(out), "json")
        assert sf.appended_to(out) == 73
    assert log.read_bytes().endswith(b"b.png,Nor\n")  # this run's first answer starts a line of its own
    # the name leads to another file (the log renamed since, another put there): not read as this one
    monkeypatch.setattr(sf, "_path_behind", lambda fd: str(other))
    with real_open(log, "a") as out:
        assert sf.file_start(out) is None


def test_without_proc_the_path_is_taken_from_f_getpath_and_without_it_the_file_is_trusted(tmp_path, monkeypatch):
    """Where /proc is absent: macOS's fcntl F_GETPATH fills a 1024-byte buffer, the path then NULs (read whole, the
    NULs made every open fail); Windows has no fcntl: None, and the file is trusted as before."""
    import types

    import edge.stdout_file as sf

    isdir = os.path.isdir
    monkeypatch.setattr(os.path, "isdir", lambda p: p != "/proc/self/fd" and isdir(p))
    name = os.fsencode(tmp_path / "answers é.csv")
    monkeypatch.setitem(sys.modules, "fcntl", types.SimpleNamespace(
        F_GETPATH=50, fcntl=lambda fd, op, buf: name + bytes(len(buf) - len(name)) if op == 50 else None))
    assert sf._path_behind(1) == str(tmp_path / "answers é.csv")
    monkeypatch.setitem(sys.modules, "fcntl", types.SimpleNamespace(fcntl=lambda *a: 0))  # Linux without /proc
    assert sf._path_behind(1) is None
    monkeypatch.setitem(sys.modules, "fcntl", None)  # Windows: import fcntl fails
    assert sf._path_behind(1) is None
