"""A site's rule and the films it must not be judged on: cxr-evaluate --keep-seen chose a rule on the model's own
training films and promised the site's next films figures from them ("they played no part in choosing it"), and
cxr-convert --report-only scored a site's rule on test films it was chosen on without a word. After a retrain in
place, cxr-convert called the earlier model's files those of "an earlier conversion"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from convert.cli import convert_app
from convert.evaluate_cli import evaluate_app
from edge import metadata as md

QUICK = ["--explain", "0", "--n-boot", "100", "--quiet"]


def _data(run: Path) -> Path:
    return Path(json.loads((run / "split.json").read_text())["data_dir"])


def test_save_model_refuses_keep_seen_before_a_film_is_read(tiny_run, tmp_path):
    saved, out = tmp_path / "site.tflite", tmp_path / "r"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(_data(tiny_run)), "--keep-seen",
                                          "--operating-point", "COVID=0.9", "--save-model", str(saved), "--out", str(out),
                                          *QUICK])
    assert r.exit_code == 2, r.output
    assert r.output == ("cxr-evaluate: error: --save-model refuses --keep-seen: the model answers the films it was trained "
                        "or validated on better than it will the site's next films, so a rule chosen on them, and what it "
                        "promises, would flatter it too; run without --keep-seen\n")
    assert not saved.exists() and not out.exists()


def test_a_rule_chosen_with_seen_films_kept_is_called_optimistic(tiny_run, tmp_path):
    out = tmp_path / "r"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(_data(tiny_run)), "--keep-seen",
                                          "--operating-point", "COVID=0.9", "--out", str(out), *QUICK])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    seen, site = report["seen_in_training"]["films"], report["site_operating_point"]
    assert seen > 0 and site["seen"]["cases"] + site["seen"]["others"] == seen
    (warn,) = [line for line in r.output.splitlines() if "--keep-seen): it answers them better" in line]
    assert warn.startswith("cxr-evaluate: warning: the rule COVID whenever p >= ")
    assert (f"was chosen on 32 films, {seen} of which the model was trained or validated on ({site['seen']['cases']} "
            f"COVID, {site['seen']['others']} other{'' if site['seen']['others'] == 1 else 's'}; --keep-seen)") in warn
    text = (out / "report.md").read_text()
    assert "played no part" not in text
    assert f"is not fitted to the threshold, but {site['seen']['others']} of those films trained or validated the model." \
        in text
    assert (f"**The rule COVID whenever p >= {warn.split('p >= ')[1].split(' ')[0]} was chosen on 32 films, {seen} of "
            "which") in text
    assert "run again without `--keep-seen` and with `--save-model PATH`" in text
    assert "Add `--save-model PATH`" not in text


def test_a_rule_chosen_on_unseen_films_still_says_the_others_played_no_part(tiny_run, unseen_site, tmp_path):
    out = tmp_path / "r"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(unseen_site), "--keep-seen",
                                          "--operating-point", "COVID=0.9", "--out", str(out), *QUICK])
    assert r.exit_code == 0, r.output
    assert "seen" not in json.loads((out / "report.json").read_text())["site_operating_point"]
    assert "is not fitted: they played no part in choosing it." in (out / "report.md").read_text()
    assert "--keep-seen): it answers them better" not in r.output


def test_report_only_warns_when_a_site_rule_is_scored_on_test_films_it_was_chosen_on(tiny_run, unseen_site, tmp_path):
    run, site = tmp_path / "run", tmp_path / "my_site"
    shutil.copytree(tiny_run, run)
    shutil.copytree(unseen_site, site)
    from train.data import Split

    tests = Split.load(run / "split.json").parts["test"]
    for item in tests:  # the site's films include the run's test films, unseen by the model
        shutil.copy(_data(run) / item.path, site / item.label / f"test-{Path(item.path).name}")
    saved = tmp_path / "site.tflite"
    r = CliRunner().invoke(evaluate_app, [str(run / "model_int8.tflite"), str(site), "--operating-point", "COVID=0.9",
                                          "--save-model", str(saved), "--out", str(tmp_path / "r"), *QUICK])
    assert r.exit_code == 0, r.output
    shutil.copy(saved, run / "model_int8.tflite")
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8", "--report-only", "--no-latency", "--explain", "0", "--quiet"])
    assert r.exit_code in (0, 1), r.output
    n = len(tests)
    (warn,) = [line for line in r.output.splitlines() if "test films are ones the rule" in line]
    assert warn.startswith(f"cxr-convert: warning: model_int8.tflite: {n} of the {n} test films are ones the rule this "
                           "model file carries, COVID whenever p >= ")
    assert "SYNTHETIC films of the folder 'my_site' (cxr-evaluate)): on them its sensitivity is optimistic" in warn and "its sensitivity is optimistic" in warn
    text = (run / "report.md").read_text()
    section = text[text.index("## The rule stored in the model files"):]
    assert f"**Its test figures count films its rule was chosen on:** {n} of the {n} test films are ones the rule" in section
    from edge.cli import app

    card = CliRunner().invoke(app, ["--card", "--model", str(run / "model_int8.tflite")])
    assert card.exit_code == 0, card.output
    assert (f"  Warning: {n} of those {n} test films are ones its rule was chosen on: there its sensitivity is "
            "optimistic (the threshold was placed among them)") in card.output.splitlines()


def test_replacing_an_earlier_models_file_says_it_is_that_models(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    # as after cxr-train retrained the run in place: the file is the earlier model's
    (run / "model_int8.tflite").write_bytes(md.rewrite((run / "model_int8.tflite").read_bytes(),
                                                       lambda m: {**m, "trained": "2020-01-01T00:00:00+00:00"}))
    # and --auto's model.tflite, which this conversion does not write but removes: said before, not only after
    shutil.copy(run / "model_int8.tflite", run / "model.tflite")
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8,fp32", "--no-latency", "--explain", "0", "--quiet"])
    assert r.exit_code in (0, 1), r.output
    notes = [line for line in r.output.splitlines() if "note: replacing" in line]
    assert notes == [
        notes[0],
        "cxr-convert: note: replacing or removing model.tflite, model_int8.tflite: made from an earlier model of this "
        "run, not the one converted now; to keep the earlier model (cxr-compare OLD NEW sets it against the new one), "
        "copy them elsewhere before this conversion ends"]
    from convert.run_files import made_from

    assert made_from(run / "model.tflite") in (None, made_from(run / "model_int8.tflite"))  # follows the new int8 file, or gone
    assert made_from(run / "model_int8.tflite") != "2020-01-01T00:00:00+00:00"
    assert notes[0].startswith("cxr-convert: note: replacing model_fp32.tflite of an earlier conversion (")


def test_a_site_rule_counts_its_seen_cases_and_seen_others_apart():
    """--keep-seen: the warning's '(3 COVID, 1 others; --keep-seen)' and the report's sentence on whether the others
    'played no part' read these two counts; swapped, a rule whose specificity rests on films that trained the model
    was said to owe nothing to them."""
    import numpy as np

    from convert.operating_point import site_operating_point

    y = np.array([0] * 10 + [1] * 10)
    covid = np.r_[np.linspace(0.55, 0.95, 10), np.linspace(0.05, 0.45, 10)]
    seen = np.zeros(20, bool)
    seen[[0, 1, 2, 15]] = True  # 3 of the COVID films (the cases) and 1 Normal film were seen in training
    site = site_operating_point(y, np.stack([covid, 1 - covid], 1), ["COVID", "Normal"], 0, 0.9, films="films",
                                seen=seen)
    assert site["seen"] == {"cases": 3, "others": 1}
