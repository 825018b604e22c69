"""A restarted watch (--skip-answered) at its close: the summary line counts the films it skipped, and a sub-folder
given before its parent under --recursive is skipped as the log answered it, not answered again, and the start's
"watching" line names the folders watched, after the note of the one left out."""

from __future__ import annotations

import json
import os

from tests.test_watch_restarts import _png, _two_polls


def test_the_closing_summary_counts_the_films_skipped_as_answered_before(model_dir, tmp_path, monkeypatch):
    """The summary said '1 file: ...' of a restart that skipped 2 films answered before: a reader comparing it with
    the folder's 3 films could not tell skipped films from lost ones. A run that skips nothing keeps its line."""
    from typer.testing import CliRunner

    from edge.cli import app

    _two_polls(monkeypatch)
    folder = tmp_path / "incoming"
    folder.mkdir()
    for n in ("a.png", "b.png"):
        _png(folder / n)
    model = str(model_dir / "compact" / "model_int8.tflite")
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model])
    assert r.exit_code == 0, r.output
    summary = [line for line in r.stderr.splitlines() if "summary:" in line]
    assert len(summary) == 1 and summary[0].startswith("edge-classify: summary: 2 files: ") and "skipped" not in \
        summary[0], r.stderr
    log = tmp_path / "answers.jsonl"
    log.write_text(r.stdout)
    _png(folder / "c.png")
    r = CliRunner().invoke(app, [str(folder), "--watch", "--json", "--model", model, "--skip-answered", str(log)])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 1, r.output
    summary = [line for line in r.stderr.splitlines() if "summary:" in line]
    assert len(summary) == 1 and summary[0].startswith("edge-classify: summary: 1 file: "), r.stderr
    assert summary[0].endswith("; 2 films skipped (answered before, --skip-answered)"), summary


def test_a_sub_folder_given_before_its_parent_skips_the_films_its_log_answered(model_dir, tmp_path, monkeypatch):
    """'--watch --recursive /abs/incoming/study incoming' after a watch of /abs/incoming/study alone: the study's
    films, now named under incoming/, were looked up under the study's own path in the log and answered again."""
    from typer.testing import CliRunner

    from edge.cli import app

    _two_polls(monkeypatch)
    folder = tmp_path / "incoming"
    (folder / "study").mkdir(parents=True)
    for n in ("a.png", "study/c.png"):
        _png(folder / n)
    model = os.path.abspath(model_dir / "compact" / "model_int8.tflite")  # read after the chdir below
    r = CliRunner().invoke(app, [str(folder / "study"), "--watch", "--json", "--model", model])
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 1, r.output
    log = tmp_path / "answers.jsonl"
    log.write_text(r.stdout)
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, [str(folder / "study"), "incoming", "--watch", "--recursive", "--json", "--model", model,
                                 "--skip-answered", str(log)])
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["file"] for line in r.stdout.splitlines()] == [os.path.join("incoming", "a.png")], r.stderr
    assert "1 film skipped: answered as it is now" in r.stderr, r.stderr
    # the note of the sub-folder left out comes first; the line after it names the folders watched, not the one left out
    assert (f"edge-classify: note: {folder / 'study'} is inside the watched folder incoming (--recursive): watched once, "
            "as part of it, so that no film is answered twice\nedge-classify: watching incoming every 2 s") in r.stderr, \
        r.stderr
