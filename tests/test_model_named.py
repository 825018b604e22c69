"""Which model answered every film: a batch's --json answers name the model file (its path as given, "model", and
its SHA-256, "model_sha256", as a watch's and --csv's do), a batch's text answers say it once on stderr (stdout
stays path, label, probability), and the digest is of the very bytes the runtime loaded: a model file copied over
the path after the load (a rollout) never lends its digest to the old model's answers. Real tiny model
(tests/conftest.py's tiny_run), real runtime; the file is replaced between the load and the answers, no mocks."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edge.answering import Answering, answer

ROOT = Path(__file__).resolve().parents[1]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _classify(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from edge.cli import run; run()", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_a_batchs_json_answers_name_the_model_file_and_its_sha256(tiny_run, films, tmp_path):
    model = tiny_run / "model_int8.tflite"
    gone = tmp_path / "gone.png"
    p = _classify(*map(str, films), str(gone), "--json", "--model", str(model))
    assert p.returncode == 1, p.stderr  # the missing file failed
    answers = {r["file"]: r for r in map(json.loads, p.stdout.splitlines())}
    for f in films:
        assert (answers[str(f)]["model"], answers[str(f)]["model_sha256"]) == (str(model), _sha256(model))
    assert "model" not in answers[str(gone)] and "model_sha256" not in answers[str(gone)]  # no model read it
    assert "answering with" not in p.stderr  # each answer names it: stderr is as it was


def test_a_batchs_text_answers_say_the_model_once_on_stderr_and_keep_their_columns(tiny_run, films):
    model = tiny_run / "model_int8.tflite"
    p = _classify(*map(str, films), "--model", str(model))
    assert p.returncode == 0, p.stderr
    assert [line.split("\t")[0] for line in p.stdout.splitlines()] == list(map(str, films))
    assert all(len(line.split("\t")) == 3 for line in p.stdout.splitlines())  # path, label, probability
    said = [line for line in p.stderr.splitlines() if "answering with" in line]
    assert said == [f"edge-classify: note: answering with {model} (SHA-256 {_sha256(model)})"]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_answers_name_the_model_loaded_not_the_file_copied_over_it_after_the_load(tiny_run, films, tmp_path,
                                                                                   monkeypatch, fmt):
    from edge.model import EdgeModel

    model = tmp_path / "model.tflite"
    shutil.copy(tiny_run / "model_int8.tflite", model)
    loaded = _sha256(model)
    m = EdgeModel(model)
    shutil.copy(tiny_run / "model_fp32.tflite", model)  # a rollout copying a new model in place, after the load
    assert _sha256(model) != loaded
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    assert answer(m, Answering(fmt=fmt), [], list(map(str, films)), []) == 0
    if fmt == "json":
        assert [json.loads(line)["model_sha256"] for line in out.getvalue().splitlines()] == [loaded, loaded]
    else:
        assert [row.rsplit(",", 2)[1] for row in out.getvalue().splitlines()[1:]] == [loaded, loaded]  # then synthetic
    assert m.info()["file_sha256"] == loaded  # --info's too: the file loaded, not the one there now


def test_read_digested_reads_as_read_does_and_hashes_the_whole_file_it_read(tiny_run):
    from edge import metadata as md

    model = tiny_run / "model_int8.tflite"
    *got, digest = md.read_digested(model)
    assert tuple(got) == md.read(model) and digest == _sha256(model)  # sha256sum's, metadata and all
