"""The input check's warning in edge-classify's text output: its long words once a run (a watch: once per
--tally-every films), each flagged film's answer line marked 'flagged', --json unchanged. A model whose check flagged
every film of a site printed the same 330-character warning once per film (edge.flagged_once)."""

from __future__ import annotations

import json
import shutil

import numpy as np
from PIL import Image

from edge.answering import Answering
from edge.flagged_once import MARK, flagged_words
from edge.model_notes import flagged_too
from tests.test_answering_pinned import Model, _film, _run, _watch
from tests.test_edge_cli_messages import PREFIX, edge_classify, lines
from tests.test_json_probabilities import calibrated_model

LONG = "upside down, inverted, rotated, not a chest X-ray, another population?"  # the long words' middle


def _noise_films(folder, n: int) -> list:
    """``n`` films of noise, each its own, that the calibrated model's input check flags."""
    folder.mkdir()
    for i in range(n):
        Image.fromarray(np.random.default_rng(i).integers(0, 256, (64, 64), dtype=np.uint8)).save(folder / f"{i}.png")
    return sorted(folder.iterdir())


def test_a_real_run_over_several_flagged_films_says_the_long_words_once_and_marks_each_line(tmp_path):
    model, _ = calibrated_model(tmp_path)
    films = _noise_films(tmp_path / "films", 6)
    p = edge_classify(tmp_path / "films", "--model", model)
    assert p.returncode == 0, p.stderr
    assert (p.stderr + p.stdout).count(LONG) == 1, p.stderr  # was 6: one a film
    [warned] = [ln for ln in lines(p.stderr, "warning") if LONG in ln]
    assert warned == PREFIX + flagged_words(str(films[0]), flagged_too({}), more=True)  # the first film, named
    assert f"their answer lines end in '{MARK}'" in warned
    rows = [ln.split("\t") for ln in p.stdout.splitlines()]
    assert [r[0] for r in rows] == [str(f) for f in films] and all(r[-1] == MARK and len(r) == 4 for r in rows)
    assert lines(p.stderr, "summary") == [f"{PREFIX}summary: 6 files: 6 COVID, 0 Normal; 6 unlike the training "
                                          "images (input check)"]
    p = edge_classify(tmp_path / "films", "--json", "--model", model)  # machines: the field on every answer, as ever
    assert [json.loads(ln)["atypical"] for ln in p.stdout.splitlines()] == [True] * 6 and LONG not in p.stderr


def test_a_single_flagged_film_gets_the_full_words_as_before(tmp_path):
    model, noise = calibrated_model(tmp_path)
    p = edge_classify(noise, "--model", model)
    assert p.returncode == 0, p.stderr
    assert [ln for ln in lines(p.stderr, "warning") if LONG in ln] == [
        f"{PREFIX}warning: {noise}: less typical than 99% of the films this model was checked against (input check): "
        f"upside down, inverted, rotated, not a chest X-ray, another population? ({flagged_too({})}); look at it "
        "before trusting its label"]
    assert p.stdout.split("\t")[-1] == f"{MARK}\n"


def test_an_unflagged_film_has_no_mark(tmp_path, capsys):
    a = _film(tmp_path / "a.png", 20)
    _, out, err = _run(capsys, Model(flag_bright=True), Answering(fmt="text"), [a, a])
    assert out == f"{a}\tNormal\t0.7000\n" * 2 and "warning" not in err


def test_a_watch_says_the_words_again_after_each_tally_line(tmp_path, capsys, monkeypatch):
    """A watch's stderr is read from its tail (a journal): the words come back at the first flagged film after each
    --tally-every line, at most once per N films, not once per film nor once a run."""
    _watch(monkeypatch, polls=4)
    folder = tmp_path / "incoming"
    folder.mkdir()
    src = _film(tmp_path / "bright.png", 253)
    for i in range(5):
        shutil.copyfile(src, folder / f"{i}.png")
    _, out, err = _run(capsys, Model(flag_bright=True), Answering(fmt="text", watch=True, tally_every=2), [str(folder)])
    assert [ln.split("\t")[-1] for ln in out.splitlines()] == [MARK] * 5
    said = [ln for ln in err.splitlines() if LONG in ln]
    assert len(said) == 3, err  # films 1, 3 and 5: after the tally lines of 2 and 4
    assert err.count("edge-classify: last 2 files:") == 2
