"""run.json's temperature edited by hand inside the range cxr-train fits it in (1.0 -> 0.2) is refused by cxr-convert:
the validation NLL at it is not the one run.json recorded with the fitted temperature (convert.temperature_check).
Before, only one outside 0.05-20 was noticed, and every model file carried the edited temperature."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from convert.temperature_check import TOLERANCE_NATS, recorded_nll_problem
from train.calibration import fit_temperature, nll

ARGS = ["--quant", "int8", "--explain", "0", "--no-latency", "--quiet"]


def _copy(tiny_run: Path, tmp_path: Path, **fields) -> Path:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    record = json.loads((run / "run.json").read_text())
    (run / "run.json").write_text(json.dumps({**record, **fields}))
    return run


def _files(run: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(run.iterdir()) if p.is_file() and p.name != "run.json"}


def test_cxr_convert_refuses_a_temperature_edited_inside_the_fitted_range(tiny_run, tmp_path):
    from convert.cli import convert_app

    fitted = json.loads((tiny_run / "run.json").read_text())["temperature"]
    assert abs(fitted - 0.2) > 0.5, fitted  # the edit below is one
    run = _copy(tiny_run, tmp_path, temperature=0.2)
    before = _files(run)
    r = CliRunner().invoke(convert_app, [str(run), *ARGS])  # --report-only: the files' temperature differs, refused
    assert r.exit_code == 2, r.output
    assert f"{run / 'run.json'}'s temperature 0.2 is not the one cxr-train fitted" in r.output
    assert "restore run.json from a copy of the run, or train the run again" in r.output
    assert len(r.output.strip().splitlines()) == 1 and "Traceback" not in r.output, r.output
    assert _files(run) == before  # refused before a model file, report or cache was written


def test_cxr_convert_converts_the_run_as_trained(tiny_run, tmp_path):
    from convert.cli import convert_app

    run = _copy(tiny_run, tmp_path)  # run.json as written, key order aside
    r = CliRunner().invoke(convert_app, [str(run), *ARGS])
    assert r.exit_code == 0, r.output
    assert json.loads((run / "report.json").read_text())["temperature"] == json.loads(
        (tiny_run / "run.json").read_text())["temperature"]


def _fitted(seed: int = 0, n: int = 60) -> tuple[np.ndarray, np.ndarray, dict]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    z = rng.normal(0, 1, (n, 3)) + 3.0 * np.eye(3)[y]
    t = fit_temperature(z, y)
    return z, y, {"temperature": t, "validation": {"nll_after": nll(z, y, t)}}


def test_float_noise_passes_and_an_edit_is_named(tmp_path):
    z, y, run = _fitted()
    noisy = z + np.random.default_rng(1).normal(0, 1e-3, z.shape)  # another machine's kernels, TF32 at worst
    assert recorded_nll_problem(run, noisy, y, tmp_path / "run.json") is None
    assert recorded_nll_problem(run, z.astype(np.float32), y, tmp_path / "run.json") is None
    edited = {**run, "temperature": run["temperature"] * 0.5}
    said = recorded_nll_problem(edited, z, y, tmp_path / "run.json")
    assert said is not None and said.startswith(f"{tmp_path / 'run.json'}'s temperature "), said
    assert abs(nll(z, y, edited["temperature"]) - run["validation"]["nll_after"]) > TOLERANCE_NATS


@pytest.mark.parametrize("run", [{"temperature": 0.2}, {"temperature": 0.2, "validation": {}},
                                 {"temperature": 0.2, "validation": {"nll_after": None}},
                                 {"temperature": 0.2, "validation": None}])
def test_a_run_that_records_no_nll_is_not_judged(tmp_path, run):
    z, y, _ = _fitted()
    assert recorded_nll_problem(run, z, y, tmp_path / "run.json") is None


def test_a_temperature_left_out_is_taken_as_one_and_judged(tmp_path):
    z, y, run = _fitted()
    assert abs(run["temperature"] - 1.0) > 0.2, run  # the fit moved it: 1.0 is an edit here
    said = recorded_nll_problem({"validation": run["validation"]}, z, y, tmp_path / "run.json")
    assert said is not None and "temperature 1 is not the one" in said


def test_not_judged_where_the_validation_films_decode_otherwise_than_the_model_learnt_them(tiny_run, tmp_path):
    """train.cache.decoded_otherwise's warning kept in the stamp: the NLL would differ without any edit, and that
    warning already says to train again."""
    from convert.keras_model import run_model
    from convert.temperature_check import check_recorded_temperature
    from edge.preprocess import PreprocessConfig
    from train.cache import stamp_path
    from train.data import Split

    run_dir = _copy(tiny_run, tmp_path, temperature=0.2)
    run = json.loads((run_dir / "run.json").read_text())
    split, config = Split.load(run_dir / "split.json"), PreprocessConfig.from_dict(run["preprocess"])
    model = run_model(run_dir / "model.keras", run, run_dir / "run.json")
    with pytest.raises(ValueError, match="is not the one cxr-train fitted"):
        check_recorded_temperature(run_dir, run, split, config, model, progress=False)
    stamp = stamp_path(run_dir, "val")
    stamp.write_text(json.dumps({**json.loads(stamp.read_text()), "learnt_otherwise": "warning: 1 val film ..."}))
    check_recorded_temperature(run_dir, run, split, config, model, progress=False)


def test_the_tolerance_grows_with_the_nll_recorded_and_nothing_measured_is_not_judged(tmp_path):
    """Pinned by mutation testing. Logits of no skill over 3 classes: NLL = log 3 = 1.0986 at any temperature, so
    the tolerance is 0.005 * (1 + 1.0986) = 0.0105 nats: a record 0.008 off passes (a flat 0.005 would not), 0.02
    off is named. An empty validation split, or logits that give no finite NLL, are not judged."""
    z, y = np.zeros((30, 3)), np.arange(30) % 3
    run_json = tmp_path / "run.json"
    for off, named in ((0.008, False), (0.02, True)):
        run = {"temperature": 0.5, "validation": {"nll_after": float(np.log(3)) + off}}
        assert (recorded_nll_problem(run, z, y, run_json) is not None) is named
    run = {"temperature": 0.5, "validation": {"nll_after": 1.0}}
    assert recorded_nll_problem(run, np.zeros((0, 3)), np.zeros(0, int), run_json) is None
    assert recorded_nll_problem(run, np.full((30, 3), np.nan), y, run_json) is None


def test_what_cannot_be_judged_is_not_judged(tmp_path):
    """Pinned by mutation testing. A temperature of 0 (run_fields_problem says what is wrong with it) and a validation
    record that is no mapping are not judged here; a cache with no stamp, or a damaged one, is load_part's to say,
    not a sign of films learnt otherwise, while a stamp that records it is."""
    from convert.temperature_check import _learnt_otherwise
    from train.cache import stamp_path

    z, y = np.zeros((30, 3)), np.arange(30) % 3
    for run in ({"temperature": 0, "validation": {"nll_after": 5.0}}, {"temperature": 1.0, "validation": [5.0]}):
        assert recorded_nll_problem(run, z, y, tmp_path / "run.json") is None
    assert not _learnt_otherwise(tmp_path)
    stamp = stamp_path(tmp_path, "val")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text("{not json")
    assert not _learnt_otherwise(tmp_path)
    stamp.write_text(json.dumps({"learnt_otherwise": True}))
    assert _learnt_otherwise(tmp_path)


def test_an_edited_temperature_quotes_a_run_folder_holding_a_newline_and_esc(tmp_path):
    """The refusal named run.json raw: a newline in the run folder's name broke cxr-convert's error in two."""
    from edge.output import said_name

    z, y, run = _fitted()
    run_json = tmp_path / "ev\nFORGED: all fine\x1b[2Kil" / "run.json"
    said = recorded_nll_problem({**run, "temperature": run["temperature"] * 0.5}, z, y, run_json)
    assert said is not None and said.startswith(f"{said_name(str(run_json))}'s temperature "), said
    assert "\n" not in said and "\x1b" not in said, said
