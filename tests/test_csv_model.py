"""--csv's rows name the model file that answered each film (model_sha256, as --watch --json's answers do), so that
a fleet's CSV logs tell which model answered after a rollout; a log an older release began (its header without
model_sha256, or without header_says too) is appended to in its own columns, with a note naming the model, never
rows of two layouts under one header; a watch's start names the model on stderr in every format. Real tiny model
(tests/conftest.py's tiny_run), real runtime."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edge.answering import Answering, answer

ROOT = Path(__file__).resolve().parents[1]
OLD_054 = "file,label,probability,p_COVID,p_Normal,atypical,error,rule,time,header_says"  # a watch's: time too
OLD_044 = "file,label,probability,p_COVID,p_Normal,atypical,error,rule,time"


@pytest.fixture(scope="module")
def digest(model) -> str:
    return hashlib.sha256(model.read_bytes()).hexdigest()


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_batchs_csv_rows_name_the_model_that_answered_and_not_an_unreadable_films(model, digest, films, tmp_path):
    gone = tmp_path / "gone.png"
    p = subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", *map(str, films), str(gone), "--csv",
                        "--model", str(model)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr  # the missing file failed
    header, *rows = _rows(p.stdout)
    assert header[-3:] == ["header_says", "model_sha256", "synthetic"]
    assert all(len(r) == len(header) for r in rows)
    answered = {r[0]: r[-2] for r in rows}
    assert [answered[str(f)] for f in films] == [digest, digest]  # sha256sum's, --info's file_sha256
    assert answered[str(gone)] == ""  # no model read it
    assert "SHA-256" not in p.stderr  # a batch's stderr is as it was


def _watched(monkeypatch, tmp_path: Path, films: list[Path], log: Path, model: Path, fmt: str = "csv") -> int:
    """One in-process watch of a folder holding ``films``, its answers appended to ``log`` (standard output's
    file, as a unit's StandardOutput=append: gives it), stopped after its films are answered."""
    import edge.watch as watch_module
    from edge.model import EdgeModel

    def stopped(watcher, interval, sleep=None):
        for _ in range(3):
            yield watcher.poll()
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module, "watch", stopped)
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for f in films:
        shutil.copy(f, incoming / f.name)
    with open(log, "a", encoding="utf-8", newline="") as out:
        monkeypatch.setattr(sys, "stdout", out)
        return answer(EdgeModel(model), Answering(fmt=fmt, watch=True, interval=0.05), [str(incoming)], [], [])


@pytest.mark.parametrize("older, width", [(OLD_054, 10), (OLD_044, 9)])
def test_a_log_an_older_release_began_is_appended_to_in_its_own_columns(older, width, monkeypatch, capsys, model,
                                                                       digest, films, tmp_path):
    log = tmp_path / "answers.csv"
    row = ["old.png", "COVID", "0.9", "0.9", "0.1", "", "", "", "2026-12-06T03:25:53+00:00", *([""] * (width - 9))]
    before = older + "\n" + ",".join(row) + "\n"
    log.write_text(before, encoding="utf-8")
    _watched(monkeypatch, tmp_path, films, log, model)
    err = capsys.readouterr().err
    text = log.read_text(encoding="utf-8")
    assert text.startswith(before)
    rows = _rows(text)
    assert [r[0] for r in rows].count("file") == 1  # one header: no second layout under it
    assert len(rows) == 2 + len(films) and all(len(r) == width for r in rows)
    assert digest not in text
    missing = "header_says, model_sha256 and synthetic" if width == 9 else "model_sha256 and synthetic"
    assert (f"edge-classify: note: standard output's file has the CSV columns of {'0.44.0' if width == 9 else '0.53.0'} "
            f"and earlier, without {missing}: its rows keep them") in err
    assert f"they name no model: {model} (SHA-256 {digest}) answers them; " in err
    assert "a new file gets the columns\n" in err  # model_sha256 and synthetic, at least


def test_a_watchs_log_of_this_releases_columns_gets_rows_naming_the_model(monkeypatch, capsys, model, digest, films,
                                                                          tmp_path):
    log = tmp_path / "answers.csv"
    _watched(monkeypatch, tmp_path, films[:1], log, model)  # a new log: its header, then a row
    (tmp_path / "again").mkdir()
    _watched(monkeypatch, tmp_path / "again", films, log, model)  # restarted: appended to, no second header
    err = capsys.readouterr().err
    header, *rows = _rows(log.read_text(encoding="utf-8"))
    assert header[-4:] == ["time", "header_says", "model_sha256", "synthetic"]
    assert len(rows) == 3 and [r[-2] for r in rows] == [digest] * 3  # the restart wrote no second header
    assert "note: standard output's file has the CSV columns" not in err
    assert err.count(f"edge-classify: note: answering with {model} (SHA-256 {digest})\n") == 2  # each start, in the journal


def test_a_text_watch_names_its_model_on_stderr_and_its_lines_stay_as_they_were(monkeypatch, capsys, model, digest,
                                                                               films, tmp_path):
    log = tmp_path / "answers.txt"
    _watched(monkeypatch, tmp_path, films[:1], log, model, fmt="text")
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].split("\t")[0].endswith(films[0].name) and digest not in lines[0]
    err = capsys.readouterr().err.splitlines()
    assert err[1] == f"edge-classify: note: answering with {model} (SHA-256 {digest})"  # after 'watching ... Ctrl-C stops'
