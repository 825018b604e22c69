"""A run folder edited by hand or copied half-way (H65's run-folder fuzzing), read back by cxr-train (the same
--out), cxr-convert RUN and cxr-evaluate RUN/model.keras: each says one line naming the file and the field, and
what to do, exits 2, and trains over nothing. Before: 'unexpected TypeError', a 100 kB value quoted whole,
"nothing to do" of "( from synthetic)", a hand-edited split trained over without --replace, "trained nan"."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convert.cli import convert_app
from convert.evaluate_cli import evaluate_app
from train.cli import train_app

# the command tiny_run (tests.conftest) was trained with
TRAIN_ARGS = ["--data", "synthetic", "--image-size", "64", "--epochs", "2", "--synthetic-count", "16", "--batch-size", "8"]


@pytest.fixture
def run(tiny_run: Path, tmp_path: Path) -> Path:
    """tiny_run copied (file dates kept: a cxr-train wrote run.json after split.json)."""
    out = tmp_path / "run"
    shutil.copytree(tiny_run, out)
    return out


@pytest.fixture
def trained(monkeypatch) -> list[Path]:
    """Where cxr-train would train (its training itself replaced: only whether it would is asked)."""
    import train.run

    calls: list[Path] = []
    monkeypatch.setattr(train.run, "_train", lambda settings, **kw: calls.append(Path(settings.out)))
    return calls


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def _files(run: Path) -> dict[str, str]:
    return {p.relative_to(run).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(run.rglob("*")) if p.is_file()}


def _train(run: Path, *more: str):
    return CliRunner().invoke(train_app, [*TRAIN_ARGS, "--out", str(run), *more])


def _convert(run: Path):
    return CliRunner().invoke(convert_app, [str(run), "--report-only", "--explain", "0"])


def _evaluate(run: Path, tmp_path: Path):
    data = run / "teacher" / "synthetic-data"  # the films tiny_run was trained on, a copy
    return CliRunner().invoke(evaluate_app, [str(run / "model.keras"), str(data), "--out", str(tmp_path / "ev"),
                                             "--explain", "0", "--n-boot", "100"])


def _one_clear_line(r) -> str:
    assert r.exit_code == 2, r.output
    assert "unexpected" not in r.output and "Traceback" not in r.output, r.output
    return r.output.strip().splitlines()[-1]


@pytest.mark.parametrize("field, value, said", [
    ("path", 5, 'its test entry 1\'s "path" is 5, not text'),
    ("data_dir", float("nan"), 'its "data_dir" is nan, not a folder\'s path')])
def test_a_split_field_of_the_wrong_kind_is_named_by_every_command(run, tmp_path, trained, field, value, said):
    def change(split: dict) -> None:
        if field == "path":
            split["splits"]["test"][0]["path"] = value
        else:
            split[field] = value
    _edit(run / "split.json", change)
    before = _files(run)
    for r in (_train(run), _convert(run), _evaluate(run, tmp_path)):
        line = _one_clear_line(r)
        assert "split.json" in line and said in line, line
        assert "restore it from a copy of the run" in line, line
    assert trained == [] and _files(run) == before


def test_a_long_created_is_cut_in_every_line_that_quotes_it(run, tmp_path, trained):
    _edit(run / "run.json", lambda r: r.update(created="x" * 100_000))
    r = _convert(run)  # its .tflite files were converted from the model "created" named before
    line = _one_clear_line(r)
    assert "(100,000 characters)" in line and len(line) < 600, line[:300]
    r = _train(run)
    assert r.exit_code == 0 and "nothing to do" in r.output and "(100,002 characters)" in r.output, r.output[:300]
    assert max(map(len, r.output.splitlines())) < 600 and trained == []
    r = _evaluate(run, tmp_path)
    assert r.exit_code == 0, r.output[:300]
    assert max(map(len, (tmp_path / "ev" / "report.md").read_text().splitlines())) < 5_000


def test_a_run_json_without_classes_is_refused_not_nothing_to_do(run, tmp_path, trained):
    _edit(run / "run.json", lambda r: r.pop("classes"))
    before = _files(run)
    line = _one_clear_line(_train(run))
    assert line == (f'cxr-train: error: --out {run} holds a run whose run.json is damaged (it has no "classes"): '
                    "restore it from a copy of the run, or --replace to train over it")
    assert "no classes" in _one_clear_line(_convert(run))
    assert 'it has no "classes"' in _one_clear_line(_evaluate(run, tmp_path))
    assert trained == [] and _files(run) == before


@pytest.mark.parametrize("edit", ["run.json classes", "split.json classes", "split.json films"])
def test_a_hand_edited_split_or_classes_is_refused_not_trained_over(run, trained, edit):
    if edit == "run.json classes":
        _edit(run / "run.json", lambda r: r.update(classes=r["classes"][::-1]))
    elif edit == "split.json classes":
        _edit(run / "split.json", lambda s: s.update(classes=s["classes"][::-1]))
    else:
        _edit(run / "split.json", lambda s: s["splits"]["test"].append(s["splits"]["train"].pop(0)))
    before = _files(run)
    line = _one_clear_line(_train(run))
    assert line.startswith(f"cxr-train: error: --out {run} holds a finished run whose split.json "), line
    assert "no stopped cxr-train left it so" in line and line.endswith("or --replace to train over it"), line
    assert trained == [] and _files(run) == before
    r = _train(run, "--replace")  # trained over, as asked (the training replaced here returns no run)
    assert "no stopped cxr-train left it so" not in r.output and trained == [run], r.output


def test_a_retrain_stopped_after_its_split_still_goes_on(run, trained):
    """What a stopped `cxr-train --replace` with another --test-fraction leaves: its new split.json, written after
    run.json, and its data phase's record (prepared.json) until its run.json is written."""
    _edit(run / "split.json", lambda s: s["splits"]["test"].append(s["splits"]["train"].pop(0)))
    (run / "prepared.json").write_text("{}")
    r = _train(run)  # (the training replaced here returns no run)
    assert "going on in" in r.output and trained, r.output
    trained.clear()
    os.utime(run / "run.json")  # run.json written after the split: no cxr-train writes them in that order
    assert "no stopped cxr-train left it so" in _one_clear_line(_train(run)) and trained == []


def test_a_preprocess_edited_away_from_the_settings_is_refused(run, trained):
    _edit(run / "run.json", lambda r: r["preprocess"].update(size=96))
    before = _files(run)
    line = _one_clear_line(_train(run))
    assert line == (f"cxr-train: error: --out {run} holds a finished run whose {run / 'run.json'} says its inputs were "
                    "size 96, where its settings (--image-size 64, --arch compact) give size 64: restore it from a "
                    "copy of the run, or --replace to train over it")
    assert trained == [] and _files(run) == before


@pytest.mark.parametrize("field, value, said", [
    ("temperature", float("nan"), 'its "temperature" is nan, not a number above 0'),
    ("temperature", "warm", "its \"temperature\" is 'warm', not a number above 0"),
    ("created", float("nan"), 'its "created" is nan, not text'),
    ("classes", ["COVID", "COVID"], "not a list of distinct class names")])
def test_a_run_json_field_of_the_wrong_kind_is_no_finished_run_to_reuse(run, trained, field, value, said):
    _edit(run / "run.json", lambda r: r.update({field: value}))
    line = _one_clear_line(_train(run))
    assert "run.json is damaged (" in line and said in line and trained == [], line


def test_report_md_says_no_trained_nan(run, tmp_path):
    _edit(run / "run.json", lambda r: r.update(created=float("nan")))
    assert 'its "created" is nan, not text' in _one_clear_line(_evaluate(run, tmp_path))
    _edit(run / "run.json", lambda r: r.pop("created"))
    r = _evaluate(run, tmp_path)
    assert r.exit_code == 0, r.output
    md = (tmp_path / "ev" / "report.md").read_text()
    assert "(compact, float; its training time not recorded)" in md and "trained nan" not in md


@pytest.mark.parametrize("field, value", [("members", None), ("members", "x"), ("teacher", 5), ("parameters", "x")])
def test_a_run_json_field_report_md_formats_is_named_not_a_type_error(run, tmp_path, field, value):
    """cxr-convert --report-only ended in 'unexpected TypeError' ('>' not supported between 'NoneType' and 'int')
    or 'unexpected ValueError: Cannot specify ',' with 's'' where report.md formats these fields."""
    _edit(run / "run.json", lambda r: r.update({field: value}))
    before = _files(run)
    line = _one_clear_line(_convert(run))
    assert f"run.json is damaged or not cxr-train's: its \"{field}\" is " in line, line
    assert _files(run) == before


def test_a_finished_run_without_its_split_json_is_not_trained_over(run, trained):
    """No cxr-train leaves a model without its split.json (written first): one deleted or not copied was taken for a
    stopped run, and the model trained over without --replace."""
    (run / "split.json").unlink()
    before = _files(run)
    line = _one_clear_line(_train(run))
    assert line == (f"cxr-train: error: --out {run} holds a finished run without its split.json (deleted, or not copied "
                    "with it?), which cxr-convert and cxr-evaluate need to score it on films it never saw: restore "
                    "split.json from a copy of the run, or --replace to train over it")
    assert trained == [] and _files(run) == before
