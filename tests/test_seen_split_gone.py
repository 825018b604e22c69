"""cxr-evaluate on a run's model.keras whose split.json was deleted: the films it trained on cannot be left out, and
the warning says why (the run's split.json is gone) and what to do (restore it), not only that none is beside it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from convert.evaluate_cli import evaluate_app


def test_a_run_whose_split_json_was_deleted_is_said_to_have_lost_it(tiny_run, tmp_path):
    """cxr-convert refuses such a run (train.run_edits); cxr-evaluate scores any model with its run.json, with or
    without split.json (docs/commands.md), and said only 'it has no split.json beside it', as of a model copied out
    of its run, while its training films were scored as unseen ones."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    run = tmp_path / "run"
    run.mkdir()
    for name in ("model.keras", "run.json"):  # split.json deleted
        shutil.copy(tiny_run / name, run / name)
    r = CliRunner().invoke(evaluate_app, [str(run / "model.keras"), str(data), "--out", str(tmp_path / "r"),
                                          "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert ("warning: whether model.keras was trained or validated on any of these films cannot be checked: a .keras "
            "file carries no fingerprints of its training films and its run's split.json, which lists them, is gone "
            "(deleted, or not copied with it? restore it from a copy of the run to have them left out); films it saw "
            "would flatter its figures") in r.output, r.output
    record = json.loads((run / "run.json").read_text())  # a run.json that records no split: nothing to restore
    record.pop("split_digest")
    (run / "run.json").write_text(json.dumps(record))
    r = CliRunner().invoke(evaluate_app, [str(run / "model.keras"), str(data), "--out", str(tmp_path / "r2"),
                                          "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0 and "and it has no split.json beside it; films it saw" in r.output, r.output
