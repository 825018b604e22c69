"""convert.evaluate_answers pinned where a small change went unseen (hand mutation testing: each test here failed with
one such change in place, which every earlier test of cxr-evaluate let through: its bootstrap note, its --explain
progress total, the notes --save-model gives and report.json's model_file)."""

from __future__ import annotations

import json
import re
import shutil
from types import SimpleNamespace

import numpy as np
from typer.testing import CliRunner

from convert.evaluate_answers import BOOTSTRAP_NOTE_WORK, say_bootstrap_time

QUICK = ["--n-boot", "100"]


def _films(n: int, sources: list[str], groups: dict | None = None) -> SimpleNamespace:
    one_each = [SimpleNamespace(source=source) for source in sources]
    items = (one_each * (n // len(sources) + 1))[:n]
    return SimpleNamespace(y=np.zeros(n, np.uint8), groups=groups, scan=SimpleNamespace(items=items))


def _said(capsys, n: int, sources: list[str], groups: dict | None = None, quiet: bool = False, n_boot: int = 1000) -> str:
    say_bootstrap_time(SimpleNamespace(quiet=quiet, n_boot=n_boot), _films(n, sources, groups))
    return capsys.readouterr().err


def test_the_note_comes_past_2e9_films_times_resamples_times_intervals_not_at_it(capsys):
    """1,000,000 films of one source at 1,000 resamples are 2e9 (the set and the source): at the limit, no note;
    one film more, the note, with its figures in thousands."""
    assert BOOTSTRAP_NOTE_WORK == 2_000_000_000
    assert _said(capsys, 1_000_000, ["A"]) == ""
    assert "1,000 bootstrap resamples of 1,000,001 films, for the whole set and each of 1 group" in \
        _said(capsys, 1_000_001, ["A"])


def test_films_of_no_source_are_no_group_and_each_by_value_is_one(capsys):
    """A blank source is no group; a --by column of 3 values is 3 groups, not 1: 500,004 films at 1,000 resamples
    need 3 intervals past the set's to pass 2e9."""
    assert _said(capsys, 700_000, ["", "A"]) == ""  # the set and A: 1.4e9
    said = _said(capsys, 500_004, [""], groups={"ward": ["a", "b", "c", "a"] * 125_001})
    assert "each of 3 groups (sources, --by)" in said


def test_a_set_of_no_source_and_no_by_names_the_whole_set_alone(capsys):
    """3,000,000 films of no source without --by: the note read 'for the whole set and each of 0 groups'."""
    assert "3,000,000 films, for the whole set; this can take a minute or more" in _said(capsys, 3_000_000, [""])


def test_quiet_says_nothing(capsys):
    assert _said(capsys, 3_000_000, ["A"], quiet=True) == ""


def test_save_model_says_what_it_replaces_and_the_maps_bar_ends_at_its_total(tiny_run, unseen_site, tmp_path, monkeypatch):
    """One run, three things no earlier test read: --save-model over a file already there says so ('replacing'); over
    a model that carries a rule, says which rule the copy drops; and --explain's bar counts the maps it makes (the
    mistakes, fewer than the 40 asked for, then the set's), so its last line in a log is 'N of N', not 'N of 40 + 32'."""
    import train.progress
    from convert.evaluate_cli import evaluate_app
    from convert.operating_point import stamp_decision

    monkeypatch.setattr(train.progress, "LOG_EVERY_S", 0.0)  # a log line at every step, not every 15 s
    model, saved, out = tmp_path / "m.tflite", tmp_path / "site.tflite", tmp_path / "r"
    shutil.copyfile(tiny_run / "model_int8.tflite", model)
    stamp_decision(model, {"class": "COVID", "threshold": 0.25, "target_sensitivity": 0.9})
    saved.write_bytes(b"kept on purpose")
    r = CliRunner().invoke(evaluate_app, [str(model), str(unseen_site), "--operating-point", "COVID=0.9", "--save-model",
                                          str(saved), "--out", str(out), "--explain", "40", *QUICK])
    assert r.exit_code == 0, r.output
    assert f"cxr-evaluate: note: replacing {saved}\n" in r.output
    assert ("cxr-evaluate: note: m.tflite's stored rule, COVID whenever p >= 0.25, is replaced in site.tflite by the one "
            "chosen here\n") in r.output
    site = json.loads((out / "report.json").read_text())["site_operating_point"]
    assert (site["model_file"], site["saved_to"]) == ("m.tflite", str(saved))
    counts = re.findall(r"mapping where the model looks: ([\d,]+) of ([\d,]+)$", r.output, re.M)
    assert counts, r.output
    assert counts[-1][0] == counts[-1][1] == str(len(json.loads((out / "report.json").read_text())["occlusion"]) + 32)


def test_a_threshold_chosen_on_a_model_keras_is_said_to_be_the_float_models(tiny_run, unseen_site, tmp_path):
    """report.json's model_file is what tells a .keras's threshold from the device file's: without it cxr-evaluate
    model.keras --operating-point advised '--save-model PATH' (which refuses a .keras) and said nothing of the float
    model, on the terminal or in report.md."""
    from convert.evaluate_cli import evaluate_app
    from tests.conftest import unpadded

    out = tmp_path / "k"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model.keras"), str(unseen_site), "--operating-point",
                                          "COVID=0.9", "--out", str(out), "--explain", "0", "--quiet", *QUICK])
    assert r.exit_code == 0, r.output
    assert json.loads((out / "report.json").read_text())["site_operating_point"]["model_file"] == "model.keras"
    assert "; the float model's threshold, not the device file's (report.md)" in r.output
    md = unpadded((out / "report.md").read_text())
    assert "This threshold is the float model's (`model.keras`)" in md and "Add `--save-model PATH`" not in md
