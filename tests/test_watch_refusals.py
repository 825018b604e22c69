"""A watch run with --refuse-atypical as a service: what its restarts do with the films it refused, and how its
summary tells a refusal from a film that could not be read."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import numpy as np
import pytest

from edge.tally import Tally, tally
from tests.test_watch_restarts import _two_polls


def _folder(tmp_path):
    """A model with an input check, and a folder of three films it refuses: a frontal DICOM film and a PNG of noise
    that its input check flags, and a lateral film (its header says LL)."""
    from tests.test_dicom import make_dicom, with_header
    from tests.test_json_probabilities import calibrated_model
    from tests.test_typicality import layout_images

    model, noise = calibrated_model(tmp_path)
    folder = tmp_path / "incoming"
    folder.mkdir()
    shutil.move(noise, folder / "noise.png")
    pixels = layout_images(1, 7, 64)[0, :, :, 0].astype(np.uint16) * 16
    (folder / "IM1").write_bytes(with_header(make_dicom(pixels), ViewPosition="PA", BodyPartExamined="CHEST"))
    (folder / "IM2").write_bytes(with_header(make_dicom(pixels), ViewPosition="LL", BodyPartExamined="CHEST"))
    return model, folder


def test_a_restarted_watch_skips_the_films_it_refused_as_they_are_and_classifies_them_without_refusing(
        tmp_path, monkeypatch):
    """A refusal had no model_sha256 and counted as no answer: each restart of a --refuse-atypical service read every
    refused film's header again (or decoded and classified it again) and appended one more refusal for it to the log.
    A refusal is an answer of this model file to the film as it is: skipped while both stay. Restarted without
    --refuse-atypical, the refused films are classified; and a refusal of an older log, which names no model file,
    is answered again as before."""
    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    from typer.testing import CliRunner

    from edge.answered import model_sha256
    from edge.cli import app

    _two_polls(monkeypatch)
    model, folder = _folder(tmp_path)
    watch = [str(folder), "--watch", "--json", "--model", str(model)]
    r = CliRunner().invoke(app, [*watch, "--refuse-atypical"])
    assert r.exit_code == 1, r.output  # films refused: something was not answered
    records = {rec["file"]: rec for rec in map(json.loads, r.stdout.splitlines())}
    refused = [str(folder / n) for n in ("IM1", "IM2", "noise.png")]
    assert sorted(f for f, rec in records.items() if "error" in rec) == refused
    assert records[str(folder / "IM2")]["header_says"].startswith("the DICOM header says ViewPosition LL")
    assert "summary: 3 files: 0 COVID, 0 Normal, 3 refused; 2 unlike the training images (input check); 1 no frontal " \
           "chest film by its DICOM header" in r.stderr
    for f in refused:
        assert records[f]["model_sha256"] == model_sha256(model) and records[f]["written"]["bytes"] > 0
    log = tmp_path / "answers.jsonl"
    log.write_text(r.stdout)

    r = CliRunner().invoke(app, [*watch, "--refuse-atypical", "--skip-answered", str(log)])
    assert r.exit_code == 0 and r.stdout == "", r.output
    assert "3 films skipped: answered as they are now" in r.stderr and "no answer in" not in r.stderr

    r = CliRunner().invoke(app, [*watch, "--skip-answered", str(log)])  # no longer refusing: they are classified
    assert r.exit_code == 0, r.output
    again = [json.loads(line) for line in r.stdout.splitlines()]
    assert [a["file"] for a in again] == refused
    assert all(a["atypical"] is True and a["label"] == "COVID" for a in again)
    assert (f"note: 3 films in {folder}/ have no answer in {log}: answering them (films that arrived while no watch ran, "
            "or whose last answer was an error, or a refusal while --refuse-atypical is not given now") in r.stderr

    older = tmp_path / "older.jsonl"  # 0.43's refusals: no model_sha256, so nothing says which check refused them
    older.write_text("".join(json.dumps({k: v for k, v in json.loads(line).items() if k != "model_sha256" or "label" in
                                         json.loads(line)}) + "\n" for line in log.read_text().splitlines()))
    r = CliRunner().invoke(app, [*watch, "--refuse-atypical", "--skip-answered", str(older)])
    assert sorted(json.loads(line)["file"] for line in r.stdout.splitlines()) == refused, r.output


def test_the_summary_counts_refused_films_apart_from_films_that_could_not_be_read():
    """'3 files: 1 COVID, 0 Normal, 2 failed' for one film refused by design and one broken file: only the second
    needs fixing, and the line did not say which it was."""
    assert tally(Counter({"COVID": 1}), ["COVID", "Normal"], 4, 3, 2, refused=2) == \
        "4 files: 1 COVID, 0 Normal, 2 refused, 1 failed; 2 unlike the training images (input check)"
    t = Tally(retries=True)
    t.add("a.png", None, flagged=True)       # refused
    t.add("b.png", None)                     # could not be read
    t.add("c.png", None, flagged=True, by_header=True)
    assert t.line(["COVID", "Normal"]) == ("3 files: 0 COVID, 0 Normal, 2 refused, 1 failed; 1 unlike the training "
                                           "images (input check); 1 no frontal chest film by its DICOM header")
    t.add("a.png", "Normal")                 # the refused film, changed and answered: counted once, as it went last
    assert t.line(["COVID", "Normal"]) == ("3 files: 0 COVID, 1 Normal, 1 refused, 1 failed; 1 no frontal chest film "
                                           "by its DICOM header")
