"""The same inputs give the same outputs (docs/commands.md, "The same inputs, the same outputs"): a site that
validates a model, and an auditor who runs the command again, must get the same figures. Only times, paths and
what follows from them (a file's SHA-256 and size) may differ; these tests pin everything else equal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from typer.testing import CliRunner

# Fields that must differ between two runs of one command: times, and the paths the two runs were given.
TIMES = {".provenance.scored"}
MODEL_TIMES = {".converted", ".validation.scored"}


def _flat(d: Any, at: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(d, dict):
        for k, v in d.items():
            yield from _flat(v, f"{at}.{k}")
    elif isinstance(d, list):
        for i, v in enumerate(d):
            yield from _flat(v, f"{at}[{i}]")
    else:
        yield at, d


def _differing(a: Any, b: Any) -> set[str]:
    fa, fb = dict(_flat(a)), dict(_flat(b))
    return {k for k in fa.keys() | fb.keys() if fa.get(k, "absent") != fb.get(k, "absent")}


def test_cxr_evaluate_twice_writes_the_same_report_but_for_its_time(tiny_run, unseen_site, tmp_path):
    from convert.evaluate_cli import evaluate_app

    # The tiny model calls every film COVID, which leaves balanced accuracy no bootstrap (convert.summary's MOVER
    # interval): a copy with a rule at 50% COVID sensitivity gets some films of each class right, some wrong.
    ruled = tmp_path / "ruled.tflite"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(unseen_site), "--out",
                                          str(tmp_path / "rule"), "--operating-point", "COVID=0.5", "--save-model",
                                          str(ruled), "--n-boot", "100", "--explain", "0", "-q"])
    assert r.exit_code == 0, r.output
    outs = [tmp_path / "first", tmp_path / "second"]
    for out in outs:
        r = CliRunner().invoke(evaluate_app, [str(ruled), str(unseen_site), "--out", str(out), "--n-boot", "100",
                                              "--explain", "2", "-q"])
        assert r.exit_code == 0, r.output
    a, b = (json.loads((o / "report.json").read_text()) for o in outs)
    assert min(sum(a["metrics"]["confusion_matrix"], [])) > 0  # each class some right, some wrong: resampled
    assert _differing(a, b) <= TIMES
    for name in ["report.md", "predictions.csv"] + sorted(p.name for p in outs[0].glob("*.png")):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name  # report.md: the date only, same day


def test_the_bootstrap_interval_is_seeded():
    """Balanced accuracy's bootstrap interval (convert.summary) is the same on every call, and the seed is what
    makes it so: another seed gives another interval on these films."""
    from convert.summary import summarize

    rng = np.random.default_rng(5)
    y = np.repeat([0, 1], 30)
    p1 = np.clip(0.5 + 0.25 * (2 * y - 1) + rng.normal(0, 0.3, y.size), 0.01, 0.99)  # some right, some wrong per class
    probs = np.stack([1 - p1, p1], axis=1)
    first, again = (summarize(y, probs, ["Normal", "COVID"], n_boot=200)["balanced_accuracy_ci"] for _ in range(2))
    assert first == again
    assert summarize(y, probs, ["Normal", "COVID"], n_boot=200, seed=1)["balanced_accuracy_ci"] != first


def test_cxr_convert_twice_writes_the_same_model_but_for_its_times(tiny_run, tmp_path):
    """int8 on 10 of the 24 training films: which 10 calibrate the quantization is drawn with the run's seed, so
    the two files' models are the same bytes (their answers the same to the last bit), as are their self-test
    and fingerprints; only the metadata's times differ."""
    from convert.quantize import ConvertSettings, run_conversion
    from edge.metadata import read

    got = []
    for name in ("first", "second"):
        run = tmp_path / name
        shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("*.tflite", "report*"))
        run_conversion(ConvertSettings(run_dir=run, modes=["int8"], n_boot=100, progress=False,
                                       calibration_samples=10))  # latency measured, as cxr-convert does by default
        got.append(read(run / "model_int8.tflite"))
    (flat_a, meta_a, files_a), (flat_b, meta_b, files_b) = got
    assert flat_a == flat_b
    assert files_a == files_b
    assert _differing(meta_a, meta_b) <= MODEL_TIMES
    a, b = (json.loads((tmp_path / n / "report.json").read_text()) for n in ("first", "second"))
    assert a["models"]["int8"]["latency_ms"] and b["models"]["int8"]["latency_ms"]
    timed = {k for k in _differing(a, b) if k.startswith(".models.int8.latency_ms.")}  # times, as commands.md says
    assert {k for k in _differing(a, b) - timed if not k.startswith(".provenance.files_sha256.")} <= TIMES | {
        ".run_dir", ".models.int8.size_bytes"}


def test_a_films_probabilities_do_not_depend_on_threads_order_or_batch(tiny_run, unseen_site):
    """edge runs the model one film at a time: a film gets the same bits alone, among 7 others in any order, and
    with 1 or 4 threads."""
    from edge.model import EdgeModel
    from edge.preprocess import preprocess_file

    films = sorted(Path(unseen_site).rglob("*.png"))[::4][:7]
    for mode in ("int8", "fp32"):
        one = EdgeModel(tiny_run / f"model_{mode}.tflite", threads=1)
        four = EdgeModel(tiny_run / f"model_{mode}.tflite", threads=4)
        x = np.stack([preprocess_file(f, one.preprocess) for f in films])
        alone = np.concatenate([one.classify(x[i:i + 1]) for i in range(len(x))])
        assert np.array_equal(alone, one.classify(x))
        assert np.array_equal(alone, four.classify(x[::-1])[::-1])
        assert len({tuple(r) for r in alone}) > 1  # films that the model tells apart, or the check says nothing
