"""A cxr-train run stopped under 0.56.0 (its prepared.json without data_warnings) and run again after an upgrade.

The call that went on said none of the data phase's warnings, and that they were in prepared.json, which an
earlier version's holds no few-films warnings: a student of an earlier version's teacher says them (from its
split), so the run resumed in place of its own step 1 says them too (session 73's upgrade walk)."""

from __future__ import annotations

import json

from tests.test_resume import _films_not_read, _stop_in_training
from tests.test_resume_warnings import WARNING, _settings


def test_an_earlier_versions_stopped_run_says_its_splits_few_films_warnings_again(tmp_path, capsys, monkeypatch):
    from train.prepared import PREPARED
    from train.run import run_training

    s = _settings(tmp_path)
    capsys.readouterr()
    _stop_in_training(s)
    first = [line for line in capsys.readouterr().err.splitlines() if line.startswith(WARNING)]
    few = [line for line in first if "the test figures for" in line or "the validation figures for" in line]
    assert few, first
    kept = json.loads((s.out / PREPARED).read_text())
    (s.out / PREPARED).write_text(json.dumps({k: v for k, v in kept.items() if k != "data_warnings"}))  # as 0.56.0
    _films_not_read(monkeypatch)
    run_training(s)
    again = capsys.readouterr().err.splitlines()
    going_on = next(line for line in again if "going on from the split and inputs" in line)
    assert f"its notes on copies and shortcuts are in {PREPARED}, and will be in run.json" in going_on
    assert [line for line in again if line in few] == few  # in the first call's words and order
    split_at = next(k for k, line in enumerate(again) if line.startswith("cxr-train: split: "))
    assert all(again.index(line) < split_at for line in few)  # where the first call said them
    assert json.loads((s.out / "run.json").read_text())["data_warnings"] is None  # as docs/json-fields.md says
