"""Site thresholds that cannot be trusted (chosen on one class alone, or scored on the films they
were chosen on), cxr-convert --report-only on a run with some modes only or with files of an
earlier model, and cxr-evaluate in a device-only install (no matplotlib, no TensorFlow)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from convert.cli import convert_app
from convert.evaluate_cli import evaluate_app
from edge.shell_words import shell_quote

ROOT = Path(__file__).resolve().parents[1]


def _data(run: Path) -> Path:
    return Path(json.loads((run / "split.json").read_text())["data_dir"])


def _evaluate(*args: str):
    """--keep-seen but where a rule is saved, which refuses it (on films the model saw: tests use unseen_site)."""
    keep = [] if "--save-model" in args else ["--keep-seen"]
    return CliRunner().invoke(evaluate_app, [*args, *keep, "--explain", "0", "--n-boot", "100", "--quiet"])


def _error(r) -> str:
    """The output less the note that the tiny run's model was trained on synthetic images."""
    return "".join(line for line in r.output.splitlines(keepends=True) if "SYNTHETIC" not in line)


def _one_class_site(run: Path, site: Path, cls: str) -> int:
    shutil.copytree(_data(run) / cls, site / cls)
    return len(list((site / cls).glob("*.png")))


def test_a_threshold_chosen_on_one_class_alone_is_not_saved(tiny_run, tmp_path):
    site, saved = tmp_path / "my_site", tmp_path / "site.tflite"
    n = _one_class_site(tiny_run, site, "Normal")
    model = str(tiny_run / "model_int8.tflite")
    r = _evaluate(model, str(site), "--operating-point", "Normal=0.9", "--save-model", str(saved), "--out", str(tmp_path / "r"))
    assert r.exit_code == 2, r.output
    assert _error(r) == (f"cxr-evaluate: error: --save-model: the {n} films in my_site are all Normal: they hold no film "
                        "of the other classes (COVID), so what the threshold costs them cannot be measured (README: a "
                        "Normal threshold chosen on 120 children's healthy films alone left a model finding 28 of 66 "
                        "COVID films); add films of every class\n")
    assert not saved.exists() and not (tmp_path / "r").exists()  # refused before any film was read
    r = _evaluate(model, str(site), "--operating-point", "Normal=0.9", "--out", str(tmp_path / "r"))
    assert r.exit_code == 0, r.output
    (warn,) = [line for line in r.output.splitlines() if "hold no film of the other classes" in line]
    assert warn.startswith("cxr-evaluate: warning: the rule Normal whenever p >= ")
    assert f"was chosen on {n} films that are all Normal: they hold no film of the other classes (COVID)" in warn
    assert warn.endswith("add films of every class before storing it (--save-model)")


def test_a_site_without_films_of_the_class_is_told_so_plainly(tiny_run, tmp_path):
    n = _one_class_site(tiny_run, tmp_path / "my_site", "COVID")
    r = _evaluate(str(tiny_run / "model_int8.tflite"), str(tmp_path / "my_site"), "--operating-point", "Normal=0.9",
                  "--out", str(tmp_path / "r"))
    assert r.exit_code == 2
    assert _error(r) == (f"cxr-evaluate: error: --operating-point: none of the {n} films in my_site is Normal, so there "
                        "is no Normal film to choose a threshold on; add Normal films\n")


def test_scoring_a_stored_rule_on_the_films_it_was_chosen_on_is_called_optimistic(tiny_run, unseen_site, tmp_path):
    site, saved = tmp_path / "my_site", tmp_path / "site.tflite"
    shutil.copytree(unseen_site, site)
    r = _evaluate(str(tiny_run / "model_int8.tflite"), str(site), "--operating-point", "COVID=0.9", "--save-model",
                  str(saved), "--out", str(tmp_path / "r1"))
    assert r.exit_code == 0, r.output
    said = "its sensitivity is optimistic (the threshold was placed among their cases)"
    assert said not in r.output  # the original file carries no rule
    r = _evaluate(str(saved), str(site), "--out", str(tmp_path / "r2"))
    assert r.exit_code == 0, r.output
    (warn,) = [line for line in r.output.splitlines() if said in line]
    assert warn.startswith("cxr-evaluate: warning: 32 of the 32 films scored are ones the rule this model file carries, "
                           "COVID whenever p >= ")
    assert ", was chosen on (32 SYNTHETIC films of the folder 'my_site' (cxr-evaluate)): on them its sensitivity" in warn
    assert warn.split("warning: ", 1)[1][1:] in (tmp_path / "r2" / "report.md").read_text()  # and in the report
    # found by their bytes, whatever the folder is called: a copy under another name, or a folder with some of them
    copy, part = tmp_path / "other_site", tmp_path / "part"
    shutil.copytree(site, copy)
    shutil.copytree(site, part)
    for p in sorted(part.glob("*/*.png"))[::2]:
        p.unlink()
    for folder, n in ((copy, 32), (part, 16)):
        r = _evaluate(str(saved), str(folder), "--out", str(tmp_path / "r3"))
        assert r.exit_code == 0 and f"warning: {n} of the {n} films scored are ones the rule" in r.output, r.output
    for args in ([str(site), "--most-probable"], [str(site), "--threshold", "COVID=0.5"]):
        r = _evaluate(str(saved), *args, "--out", str(tmp_path / "r3"))
        assert r.exit_code == 0 and said not in r.output, r.output
    # a file stamped before it said which films: the folder's name is all there is to go by
    from edge import metadata as md

    older = tmp_path / "older.tflite"
    older.write_bytes(md.rewrite(saved.read_bytes(), lambda m: {k: v for k, v in m.items() if k != "decision_films"}))
    r = _evaluate(str(older), str(site), "--out", str(tmp_path / "r4"))
    (warn,) = [line for line in r.output.splitlines() if said in line]
    assert ", was chosen on 32 SYNTHETIC films of the folder 'my_site' (cxr-evaluate), the folder scored here" in warn
    r = _evaluate(str(older), str(copy), "--out", str(tmp_path / "r4"))
    assert said not in r.output


def test_report_only_scores_the_modes_the_run_has_and_refuses_a_missing_one_before_any_write(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)  # converted to int8 and fp32 only
    base = [str(run), "--report-only", "--operating-point", "COVID=0.9", "--no-latency", "--explain", "0", "--quiet"]
    before = {p.name: p.read_bytes() for p in run.glob("*.tflite")} | {"report.json": (run / "report.json").read_bytes()}
    r = CliRunner().invoke(convert_app, [*base, "--quant", "int8,int16x8"])
    assert r.exit_code == 2
    assert r.output == (f"cxr-convert: error: {run} has no model_int16x8.tflite; run cxr-convert without --report-only "
                        "first (or leave those modes out of --quant)\n")
    assert {p.name: p.read_bytes() for p in run.glob("*.tflite")} | {"report.json": (run / "report.json").read_bytes()} \
        == before
    r = CliRunner().invoke(convert_app, base)  # no --quant: the modes whose files the run has
    assert r.exit_code in (0, 1), r.output  # 1: the tiny model's gate, not the point here
    assert sorted(json.loads((run / "report.json").read_text())["models"]) == ["fp32", "int8", "keras"]
    assert "stored the rule COVID whenever" in r.output
    for p in run.glob("model_*.tflite"):
        p.unlink()
    r = CliRunner().invoke(convert_app, base)
    assert r.exit_code == 2 and f"{run} has no model_<mode>.tflite; run cxr-convert without --report-only first\n" \
        in r.output


DEVICE_ONLY = """
import sys

class NotInstalled:  # a device-only install: pip install . (no [train] extra)
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("matplotlib", "tensorflow", "keras", "tqdm"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, NotInstalled())
from convert.evaluate_cli import evaluate_main

evaluate_main()
"""


def test_cxr_evaluate_without_matplotlib_writes_its_report_without_plots(tiny_run, tmp_path):
    out = tmp_path / "r"
    r = subprocess.run([sys.executable, "-c", DEVICE_ONLY, str(tiny_run / "model_int8.tflite"), str(_data(tiny_run)),
                        "--keep-seen", "--explain", "1", "--n-boot", "100", "--quiet", "--out", str(out)],
                       capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    # the device's own pip, as it runs .venv/bin/cxr-evaluate unactivated: a plain 'pip' is another's (hunt 62 H19)
    assert ("cxr-evaluate: warning: matplotlib is not installed, so the report has no plots (confusion matrix, ROC, "
            f"reliability diagram, occlusion maps); {shell_quote(sys.executable)} -m pip install matplotlib adds them "
            "(no TensorFlow needed)\n") in r.stderr
    assert r.stderr.count("matplotlib is not installed") == 1 and "error" not in r.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["plots"] is False and report["metrics"]["n"] == 32 and len(report["occlusion"]) == 1
    md = (out / "report.md").read_text()
    assert "No plots: matplotlib is not installed" in md and "![" not in md and "## Where the model looked" in md
    assert not list(out.glob("*.png")) and (out / "predictions.csv").is_file()


def test_report_only_refuses_files_converted_from_a_model_trained_before_the_one_in_the_run(tiny_run, tmp_path):
    """Trained again over a finished run, the old files would be scored against the new model: a gate failure
    stamped into their cards for what is another model's difference, not quantization's cost."""
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    before = (run / "model_int8.tflite").read_bytes()
    meta = json.loads((run / "run.json").read_text())
    meta["created"] = "2030-01-01T00:00:00+00:00"  # what cxr-train records when it trains the run again
    (run / "run.json").write_text(json.dumps(meta))
    r = CliRunner().invoke(convert_app, [str(run), "--report-only", "--quant", "int8", "--no-latency", "--quiet"])
    assert r.exit_code == 2, r.output
    assert "model_int8.tflite was converted from the model trained at " in r.output
    assert "not the one in model.keras (trained at 2030-01-01T00:00:00+00:00): run cxr-convert " in r.output
    assert (run / "model_int8.tflite").read_bytes() == before  # nothing rewritten


def test_a_site_rule_saved_as_the_runs_model_tflite_survives_a_conversion(tiny_run, unseen_site, tmp_path):
    """Taken for an earlier --auto's choice, it came back from the next cxr-convert (even --report-only)
    as a copy of its mode's file with the validation split's rule: the site's threshold gone, unsaid."""
    from convert.cli import convert_app
    from edge.metadata import read

    run, site = tmp_path / "run", tmp_path / "my_site"
    shutil.copytree(tiny_run, run)
    shutil.copytree(unseen_site, site)
    # --save-model refuses a run's model file now (tests/test_concurrent_reports.py); an older cxr-evaluate wrote
    # it there, or a user copies a site's copy there
    r = _evaluate(str(run / "model_int8.tflite"), str(site), "--operating-point", "COVID=0.9", "--save-model",
                  str(tmp_path / "site.tflite"), "--out", str(tmp_path / "r"))
    assert r.exit_code == 0, r.output
    shutil.copy(tmp_path / "site.tflite", run / "model.tflite")
    saved = (run / "model.tflite").read_bytes()
    assert "my_site" in read(run / "model.tflite")[1]["decision"]["chosen_on"]
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8", "--report-only", "--no-latency", "--explain", "0",
                                         "--quiet"])
    assert r.exit_code in (0, 1), r.output
    assert (run / "model.tflite").read_bytes() == saved and "model.tflite" not in r.output
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "int8", "--auto", "--no-latency", "--quiet"])
    assert r.exit_code == 2 and "carries a rule chosen on" in r.output and "--auto would write its choice over it" \
        in r.output, r.output
    assert (run / "model.tflite").read_bytes() == saved
