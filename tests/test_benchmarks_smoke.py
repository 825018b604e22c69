"""benchmarks/run.py --quick runs end to end and prints every row (no timing thresholds here:
targets are judged in the table, never in tests)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.data_path import CXR_DEV

ROOT = Path(__file__).resolve().parents[1]


def test_quick_performance_benchmark(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n## Accuracy benchmark\n\nkept\n")
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(tmp_path),
                        "--results", str(results)], capture_output=True, text=True, timeout=600,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-3000:]
    text = results.read_text()
    assert "## Accuracy benchmark\n\nkept" in text and "## Performance benchmark" in text
    for measure in ("model size, int8", "invoke ms, 1 thread", "invoke ms, 2 thread", "cold start", "peak RSS",
                    "classify (edge.batch, one decoding thread)", "training s/epoch", "Pi 4 estimate", "ESTIMATE"):
        assert measure in text, measure
    ratios = re.findall(r"\| ([0-9.,]+)x \|", text)
    assert len(ratios) >= 8 and all(float(r.replace(",", "")) > 0 for r in ratios)
    # --quick's stand-ins are 64 px (converting a 128 px seed model took 41 s): the table says so, for its ratios
    assert "compact (64 px): `" in text and "seed (64 px): `" in text and "build both for 64 px inputs" in text
    from edge import __version__  # the release that measured it: a reader rerunning the command must know it

    assert re.search(rf"Command: `python benchmarks/run.py --quick` — [0-9-]+, cxr-edge {re.escape(__version__)}, ", text)
    assert (tmp_path / "keras_predict.py").is_file()  # the TF cold-start script stays in the work folder, not /tmp
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--images", "0"], capture_output=True,
                       text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 2 and "--images 0: give at least 2" in p.stderr and "Traceback" not in p.stderr


def test_ablation_script_scores_a_variant_on_a_frozen_split(tiny_run, tmp_path):
    out = tmp_path / "ablations.jsonl"
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "ablate.py"), "--run", str(tiny_run), "--epochs", "1",
                        "--batch-size", "8", "--flip", "--mixup", "0.2", "--mixstyle", "0.5", "--ampmix", "0.5,1.0",
                        "--randconv", "0.5", "--tag", "smoke", "--out", str(out)],
                       capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-3000:]
    import json

    result = json.loads(out.read_text().splitlines()[-1])
    assert result["tag"] == "smoke" and result["settings"]["mixup"] == 0.2 and result["settings"]["mixstyle"] == 0.5
    assert result["settings"]["ampmix"] == "0.5,1.0" and result["settings"]["randconv"] == 0.5
    assert 0.0 <= result["test"]["balanced_accuracy"] <= 1.0
    assert set(result["test"]["sensitivity"]) == {"COVID", "Normal"}


def test_ensemble_gain_scores_every_subset_of_members(tiny_run, tmp_path):
    logits = tmp_path / "logits"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "ensemble_gain.py"), "--run", str(tiny_run), "--members", "2",
           "--epochs", "1", "--logits", str(logits)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-3000:]
    rows = [line for line in p.stdout.splitlines() if re.match(r"\| [12] \|", line)]
    assert [r.split("|")[2].strip() for r in rows] == ["2", "1"]  # two singles, one pair
    assert len(list(logits.glob("member*_test.npy"))) == 2
    # A second call reuses the members' logits instead of training again.
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert again.returncode == 0 and "trained" not in again.stderr and rows[0] in again.stdout


def test_distill_gain_scores_members_teacher_and_students(tmp_path):
    from train.quiet import load_tensorflow

    load_tensorflow()
    from train.run import TrainSettings, run_training

    teacher = tmp_path / "tiny-x2"
    run_training(TrainSettings(data="synthetic", out=teacher, image_size=64, epochs=1, synthetic_count=12,
                               batch_size=8, members=2, progress=False))
    out = tmp_path / "students"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "distill_gain.py"), "--teacher", str(teacher), "--seeds", "0,1",
           "--epochs", "1", "--out", str(out)]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-3000:]
    rows = {line.split("|")[2].strip(): line.split("|") for line in p.stdout.splitlines() if line.startswith("| tiny-x2 |")}
    assert set(rows) == {"member (one model, no teacher)", "teacher (mean of 2)", "student (distilled)"}
    assert [rows[k][3].strip() for k in sorted(rows)] == ["2", "2", "1"]  # member, student, teacher
    assert rows["student (distilled)"][-2].strip() and not rows["teacher (mean of 2)"][-2].strip()  # int8 change
    # the caption names what was given (it once said three members, seeds 0, 1, 2, and Hannover, whatever the teacher)
    assert "Members are each teacher's 2 single models (seeds 0, 1)" in p.stdout and "Hannover" not in p.stdout
    assert "seed 0 of benchmarks/accuracy.py" not in p.stdout
    assert "runs with seeds 0,1, cxr-train's default recipe, epochs 1." in p.stdout
    for seed in (0, 1):
        assert (out / f"tiny-x2-student-seed{seed}-e1" / "report.json").is_file()


def test_distill_gain_reuses_the_default_student_only_for_the_default_schedule(tmp_path):
    from benchmarks.distill_gain import student_dir

    teacher, sibling = tmp_path / "cn-compact-x3", tmp_path / "cn-compact-distilled"
    sibling.mkdir()
    (sibling / "run.json").write_text("{}")
    out = tmp_path / "students"
    assert student_dir(teacher, 0, out) == sibling
    assert student_dir(teacher, 1, out) == out / "cn-compact-x3-student-seed1"
    assert student_dir(teacher, 0, out, {"epochs": 240}) == out / "cn-compact-x3-student-seed0-e240"
    assert student_dir(teacher, 0, out, {"consistency": 0.0}) == out / "cn-compact-x3-student-seed0-c0"
    # a sibling trained for a set number of epochs (a --quick smoke run) is not the default recipe's student
    (sibling / "run.json").write_text('{"settings": {"epochs": 3}}')
    assert student_dir(teacher, 0, out) == out / "cn-compact-x3-student-seed0"


def test_record_replaces_only_its_own_section(tmp_path, monkeypatch):
    from benchmarks.results import record

    path = tmp_path / "RESULTS.md"
    path.write_text("# Benchmark results\n\n## Ensembles (2020-01-01)\n\nold table\n\n## Ablations\n\nkept\n")
    monkeypatch.setattr(sys, "argv", ["/somewhere/benchmarks/ensemble_gain.py", "--members", "5"])
    record("Ensembles", "new table", path)
    text = path.read_text()
    assert "old table" not in text and "2020-01-01" not in text
    assert "Command: `python benchmarks/ensemble_gain.py --members 5`\n\nnew table\n" in text
    assert text.index("new table") < text.index("## Ablations\n\nkept")


def test_shift_lean_runs_on_a_run_folder(tiny_run):
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "shift_lean.py"), "--run", str(tiny_run)],
                       capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-3000:]
    row = p.stdout.splitlines()[-1]  # the table's one row, after its header
    assert row.startswith(f"| {tiny_run.name} |"), p.stdout
    films, changed = (int(v) for v in row.split("|")[2:4])
    assert films > 0 and 0 <= changed <= 14 * films


@pytest.mark.parametrize("script, args", [("shift_lean.py", []), ("ensemble_gain.py", ["--logits", "L"]),
                                          ("ablate.py", ["--tag", "t"])])
def test_a_benchmark_given_a_folder_that_is_no_run_says_so_in_one_line(tmp_path, script, args):
    """They stopped with a FileNotFoundError traceback over run.json."""
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--run", str(tmp_path),
                        *[str(tmp_path / a) if a == "L" else a for a in args]],
                       capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 1 and "Traceback" not in p.stderr, p.stderr[-2000:]
    assert p.stderr.strip().endswith("give a finished cxr-train run folder (--run)") and str(tmp_path) in p.stderr


def test_adult_films_scores_runs_on_the_films_every_run_held_out(tiny_run):
    import json

    split = json.loads((tiny_run / "split.json").read_text())
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "adult_films.py"), str(tiny_run), str(tiny_run),
                        "--data", split["data_dir"]],
                       capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-3000:]
    n_test = len(split["splits"]["test"])
    assert p.stdout.startswith(f"{n_test} adults' films held out by every run"), p.stdout
    rows = [line for line in p.stdout.splitlines() if line.startswith(f"| {tiny_run.parent.name}/{tiny_run.name} |")]
    assert len(rows) == 2 and rows[0] == rows[1]  # the same model on the same films
    assert all(0 <= float(v) <= 1 for v in rows[0].strip("|").split("|")[1:])


def test_record_keeps_the_notes_below_the_kept_line(tmp_path, monkeypatch):
    from benchmarks.results import KEPT, record

    path = tmp_path / "RESULTS.md"
    path.write_text(f"# Benchmark results\n\n## Distillation (2020-01-01)\n\nold table\n\n{KEPT}\n\n"
                    "Session 1 notes.\n\n## Ablations\n\nkept\n")
    monkeypatch.setattr(sys, "argv", ["benchmarks/distill_gain.py"])
    record("Distillation", "new table", path)
    record("Distillation", "newer table", path)  # twice: the notes stay once
    text = path.read_text()
    assert "old table" not in text and "new table" not in text and text.count("Session 1 notes.") == 1
    assert text.index("newer table") < text.index(KEPT) < text.index("Session 1 notes") < text.index("## Ablations\n\nkept")


def test_duplicate_memory_benchmark_prints_both_searches():
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "duplicate_memory.py"), "--n", "600"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    rows = [ln for ln in p.stdout.splitlines() if ln.startswith("| 600 |")]
    assert len(rows) == 2 and "gathering" in rows[0] and "blocks (shipped)" in rows[1]


def test_shift_speed_prints_one_row_per_thread_count():
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "shift_speed.py"), "--films", "3", "--size", "200x160"],
                       capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-3000:]
    rows = [line for line in p.stdout.splitlines() if re.match(r"\| \d+ \| [0-9.]+ \| [0-9.]+x \|", line)]
    assert rows and rows[0].startswith("| 1 |") and rows[0].endswith("| 1.00x |")


def test_crop_copies_benchmark_finds_copies_on_real_films():
    if not CXR_DEV.is_dir():
        pytest.skip(f"{CXR_DEV} is absent: the crop benchmark needs real films")
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "crop_copies.py"), "--sample", "20", "--films", "300"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    found = [int(m) for m in re.findall(r"joined to their film \| (\d+) \|", p.stdout)]
    assert len(found) == 3 and found[1] == 20 and found[0] >= 15, p.stdout  # measured: 18 of these 20 cuts
    assert found[2] >= 15, p.stdout  # turned copies
    assert int(re.search(r"moved 2-4% apart: joined to each other \| (\d+) \|", p.stdout).group(1)) >= 15, p.stdout
    assert "| pairs of cxr-dev films joined to each other | 0 |" in p.stdout


def test_crop_search_scale_prints_a_row_per_size():
    if not CXR_DEV.is_dir():
        pytest.skip(f"{CXR_DEV} is absent: the scale benchmark draws its films from it")
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "crop_search_scale.py"), "--films", "300"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-3000:]
    row = re.search(r"^\| 300 \| ([0-9.]+)% \| [0-9.]+ ms \| [0-9.]+ s \| \d+ \| \d+ → \d+ \| \d+ \| \d+ \|$", p.stdout, re.M)
    assert row, p.stdout
    assert 1 < float(row.group(1)) < 15, p.stdout  # drawn films pass the sieve about as real ones do (4-5%)


def test_left_out_cost_benchmark_times_the_three_ways(tiny_run):
    if not CXR_DEV.is_dir():
        pytest.skip(f"{CXR_DEV} is absent: the left-out benchmark links its Lung_Opacity and Viral_Pneumonia films")
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "left_out_cost.py"), "--model",
                        str(tiny_run / "model_int8.tflite"), "--films", "30"],
                       capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-3000:]
    rows = [line for line in p.stdout.splitlines() if re.match(r"\| [^|]+ \| 30 \| [0-9.]+ \| [0-9.]+x \| \d+ \|", line)]
    assert len(rows) == 3 and "| 1.00x |" in rows[0], p.stdout
    assert "cropped copies" in rows[2], p.stdout


def test_interval_coverage_prints_a_row_per_case():
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "interval_coverage.py"), "--sims", "5", "--boot", "20"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    rows = [ln for ln in p.stdout.splitlines() if ln.startswith(("| balanced accuracy", "| paired", "| macro AUROC"))]
    assert len(rows) == 15 and all(ln.count("|") == 5 for ln in rows)


def test_watch_soak_runs_a_real_watch_and_checks_its_answers(tiny_run):
    if not CXR_DEV.is_dir():
        pytest.skip(f"{CXR_DEV} is absent: the soak benchmark makes its films from cxr-dev's")
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "watch_soak.py"), "--model",
                        str(tiny_run / "model_int8.tflite"), "--films", "10", "--batch", "5"],
                       capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-3000:]
    rows = re.findall(r"^\| (5|10) \| [0-9.]+ \| ([0-9.]+)x \| [0-9.]+ \| [0-9.]+x \| [0-9.]+ \| [0-9.]+x \|$", p.stdout, re.M)
    assert [n for n, _ in rows] == ["5", "10", "5", "10"] and rows[0][1] == "1.00", p.stdout  # both folders
    assert "Folder that keeps every film" in p.stdout and "moved away once answered" in p.stdout
    # every film answered once, with a label, in both folders
    assert p.stdout.count("answers file: 10 answers for 10 films: 10 films answered, 0 twice, 10 with a label") == 2
    assert "INCOMPLETE" not in p.stdout
