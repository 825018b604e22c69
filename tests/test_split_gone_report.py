"""report.md of a run's model.keras whose split.json was deleted: cxr-evaluate's stderr said the split.json is gone
and to restore it, while report.md said only that the model "has no split.json of its own beside it", as if no run
had ever listed its films. Now both say it in the same words (convert.seen_lines.SPLIT_GONE)."""

from __future__ import annotations

import json
import shutil

from typer.testing import CliRunner

from convert.seen_lines import SPLIT_GONE, seen_line
from tests.test_temperature_range import films


def test_the_line_says_the_split_is_gone_and_how_to_restore_it():
    assert seen_line(None, gone=["model.keras"]) == (
        f"Whether the model saw any of these films in training could not be checked: {SPLIT_GONE}.")
    assert "restore it from a copy of the run" in SPLIT_GONE
    assert "no split.json of its own beside it" in seen_line(None)  # a model without a run: as before
    note = {"films": 0, "split": "runA/split.json", "models": 2, "unchecked": ["runB/model.keras"], "cropped": 0}
    assert f"runB/model.keras could not be checked: {SPLIT_GONE}." in seen_line(note, 2, gone=["runB/model.keras"])


def test_cxr_evaluate_report_says_why_in_the_stderr_words(tiny_run, tmp_path):
    from convert.evaluate_cli import evaluate_app

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    (run / "split.json").unlink()
    r = CliRunner().invoke(evaluate_app, [str(run / "model.keras"), str(films(tmp_path / "films")), "--out",
                                          str(tmp_path / "r"), "--explain", "0", "--n-boot", "100"])
    assert r.exit_code in (0, 1), r.output
    assert SPLIT_GONE in r.output
    md = (tmp_path / "r" / "report.md").read_text()
    assert f"could not be checked: {SPLIT_GONE}." in md, md
    assert "has no split.json of its own beside it" not in md


def test_cxr_compare_md_says_which_models_split_is_gone(tiny_run, tmp_path):
    """compare.md named a model whose run's split.json was deleted only as one without a split beside it."""
    from convert.compare_cli import compare_app

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    (run / "split.json").unlink()
    r = CliRunner().invoke(compare_app, [str(run / "model.keras"), str(tiny_run / "model_int8.tflite"),
                                         str(films(tmp_path / "films")), "--out", str(tmp_path / "c"), "--n-boot", "100",
                                         "--quiet"])
    assert r.exit_code in (0, 1), r.output
    md = (tmp_path / "c" / "compare.md").read_text()
    assert f"could not be checked: {SPLIT_GONE}." in md, md
    assert "has no split.json of its own beside it" not in md
    assert json.loads((tmp_path / "c" / "compare.json").read_text())["split_gone"]
