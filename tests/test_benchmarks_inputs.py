"""Benchmarks given awkward input: a relative data folder, unreadable films, options out of range.
Each stops with one line (or measures what it was asked to) instead of printing made-up rates or
crashing after the work."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def bench(script: str, *args: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], capture_output=True, text=True,
                          timeout=timeout, env=ENV, cwd=cwd)


def left_out_folder(root: Path, films: list[Path]) -> Path:
    """A cxr-dev-like folder with the two classes left_out_cost.py links from."""
    for k, film in enumerate(films):
        to = root / ("Lung_Opacity", "Viral_Pneumonia")[k % 2] / f"film{k}.png"
        to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(film, to)
    return root


def test_left_out_cost_reads_a_data_folder_given_relatively(tiny_run, tmp_path):
    """The links pointed at the relative path from inside a temporary folder: every one dangled, and
    the table gave 0 films with rates that were 1,000 times the elapsed time, exit code 0."""
    import json

    drawn = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    left_out_folder(tmp_path / "data", sorted(drawn.rglob("*.png"))[:4])
    p = bench("left_out_cost.py", "--model", str(tiny_run / "model_int8.tflite"), "--films", "6", "--data", "data",
              cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    rows = [line for line in p.stdout.splitlines() if re.match(r"\| [^|]+ \| 6 \| [0-9.]+ \| [0-9.]+x \| \d+ \|", line)]
    assert len(rows) == 3, p.stdout


def test_left_out_cost_with_no_readable_film_stops_instead_of_giving_rates(tiny_run, tmp_path):
    data = tmp_path / "data"
    for k, cls in enumerate(("Lung_Opacity", "Viral_Pneumonia")):
        (data / cls).mkdir(parents=True)
        (data / cls / f"broken{k}.png").write_bytes(b"not a png")
    p = bench("left_out_cost.py", "--model", str(tiny_run / "model_int8.tflite"), "--films", "4", "--data", str(data))
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr[-3000:]
    assert "none of the 4 films could be read" in p.stderr and "seconds per 1,000 films" not in p.stdout


def test_accuracy_reuses_a_run_only_for_the_data_it_was_trained_on(tmp_path):
    """A finished run of another --data went into the table as the cxr-dev benchmark's (only its
    epochs were compared)."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    from benchmarks.accuracy import RECIPES, reuse_problem
    from train.run import TrainSettings, run_training
    from train.synthetic_set import generate

    small, other = tmp_path / "small", tmp_path / "other"
    for data in (small, other):
        generate(data, n_per_class=12, classes=["COVID", "Normal"], size=(96, 96))
        (data / "MANIFEST.csv").write_text("file,label,source_repo\n")  # accuracy.py asks for a cxr-dev-like folder
    out = tmp_path / "runs"
    asked = TrainSettings(data=str(small), out=out / "covid-normal-compact", classes=["COVID", "Normal"], seed=0,
                          progress=False, image_size=128, batch_size=32, **{**RECIPES["compact"], "epochs": 3})
    run_training(asked)
    assert reuse_problem(out / "covid-normal-compact", asked) == ""
    p = bench("accuracy.py", "--archs", "compact", "--quick", "--data", str(other), "--out", str(out), timeout=600)
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr[-3000:]
    # the folders as cxr-train says them, from where the benchmark ran (the test's own folder)
    said = f"trained with --data {os.path.relpath(small)} (now {os.path.relpath(other)})"
    assert said in p.stderr and "give another --out" in p.stderr, p.stderr
    assert "| covid-normal |" not in p.stdout


def test_every_section_a_benchmark_rewrites_keeps_its_hand_written_notes(tmp_path, monkeypatch):
    """ensemble_gain.py --write erased the Ensembles section's session notes: it had no KEPT line."""
    from benchmarks.results import KEPT, record

    results = tmp_path / "RESULTS.md"
    shutil.copyfile(ROOT / "benchmarks" / "RESULTS.md", results)
    monkeypatch.setattr(sys, "argv", ["benchmarks/x.py"])
    for title in ("Accuracy benchmark", "Distillation", "Ensembles", "Input check", "Which way the answers go"):
        old = results.read_text()
        section = re.search(rf"\n## {re.escape(title)}[^\n]*\n.*?(?=\n## |\Z)", old, re.S).group(0)
        assert KEPT in section, f"the {title} section has no {KEPT} line: its notes would go"
        notes = section.split(KEPT, 1)[1].strip()
        record(title, "NEW TABLE", results)
        assert notes in results.read_text(), title
    assert "Session 3, a second split for the 4-class ensemble" in results.read_text()


def test_a_recorded_section_names_the_release_that_measured_it(tmp_path, monkeypatch):
    """Sections written by --write gave a date alone: a reader rerunning their command with today's code could not
    tell which release's options and columns it had been run with."""
    import time

    from benchmarks.results import record
    from edge import __version__

    path = tmp_path / "RESULTS.md"
    monkeypatch.setattr(sys, "argv", ["benchmarks/shift_lean.py", "--write"])
    record("Which way the answers go", "table", path)
    assert (f"## Which way the answers go ({time.strftime('%Y-%m-%d')}, cxr-edge {__version__})\n\n"
            "Command: `python benchmarks/shift_lean.py --write`\n\ntable\n") in path.read_text()


def test_ensemble_gain_gives_the_log_loss_after_the_temperature_as_distill_gain_does(tiny_run, tmp_path):
    """ensemble_gain.py gave the NLL of the raw logits and distill_gain.py the NLL after each model's
    temperature, and RESULTS.md set the two against each other."""
    import json

    import numpy as np

    from benchmarks.ensemble_gain import table
    from edge.model import softmax
    from train.calibration import fit_temperature

    split = json.loads((tiny_run / "split.json").read_text())
    classes = split["classes"]
    ys = {p: np.array([classes.index(i["label"]) for i in v]) for p, v in split["splits"].items()}
    rng = np.random.default_rng(0)
    for part, y in ys.items():  # an overconfident member: a temperature moves its NLL a long way
        np.save(tmp_path / f"member0_{part}.npy", 8 * rng.normal(size=(len(y), len(classes))).astype(np.float32))
    text = table(tiny_run, tmp_path, 1)
    header, _, row = text.splitlines()
    cells = dict(zip(header.strip("|").split("|"), row.strip("|").split("|")))
    val, test = np.load(tmp_path / "member0_val.npy"), np.load(tmp_path / "member0_test.npy")

    def nll(logits: np.ndarray) -> float:
        p = softmax(logits)
        return round(float(-np.mean(np.log(p[np.arange(len(ys["test"])), ys["test"]] + 1e-12))), 3)

    assert fit_temperature(val, ys["val"]) != 1.0
    assert float(cells[" NLL "].split()[0]) == nll(test / fit_temperature(val, ys["val"]))
    assert float(cells[" NLL, no temperature "].split()[0]) == nll(test)


def test_ablate_refuses_an_swa_fraction_that_holds_no_epoch_before_training(tmp_path):
    """--swa 0.1 of 2 epochs averaged no epoch: a TypeError after the whole training, no JSON line."""
    for fraction in ("0.1", "1.5", "-0.2"):
        p = bench("ablate.py", "--run", str(tmp_path), "--epochs", "2", "--swa", fraction, timeout=120)
        assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr[-2000:]
        assert f"--swa {fraction}: give a fraction of the 2 epochs that holds at least one of them" in p.stderr


def test_crop_copies_refuses_a_sample_of_no_film():
    """--sample 0 printed half a table, then a ZeroDivisionError."""
    p = bench("crop_copies.py", "--films", "10", "--sample", "0", timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr and not p.stdout, p.stderr[-2000:]
    assert "--sample 0: give at least 1 film" in p.stderr


def test_input_check_measures_a_run_whose_data_folder_has_no_manifest(tiny_run, tmp_path):
    """input_check.py read cxr-dev's MANIFEST.csv for the classes a run never saw, and on a run of other data (the
    synthetic set has none) stopped after the fitting with a FileNotFoundError traceback: the rows that need no
    manifest are measured, and one line says which are left out and why."""
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "covid-normal-compact-distilled").symlink_to(tiny_run, target_is_directory=True)
    p = bench("input_check.py", "--runs", str(runs))
    assert p.returncode == 0, p.stderr
    assert "Traceback" not in p.stderr and p.stderr.count("no MANIFEST.csv in") == 1, p.stderr
    assert "| test split, none |" in p.stdout and "a class it never saw" not in p.stdout, p.stdout
