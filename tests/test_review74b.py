"""Review 74b of what session 74 merged (its first finding, `--by PatientID,Ward` losing Ward's advice, went with
the refusal of identifiers before any other name is looked at: tests/test_by_patient_column74.py): a stop
Python drops while cxr-synth starts was swallowed unsaid (the hook hid its traceback, and cxr-synth has no check to
act on it); run.json's seconds_with_teacher row said the teacher was counted for `--teacher RUN` too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_watch_term74 import dropped_while_importing

ROOT = Path(__file__).resolve().parents[1]


# As tests/test_watch_term74.py's: a real SIGTERM dropped by Python while the command's module is imported.
_DROPPED_WHILE_SYNTH_STARTS = dropped_while_importing("train.synth_cli", "train.entry:cxr_synth")


def test_a_sigterm_python_drops_while_cxr_synth_starts_still_stops_it(tmp_path):
    """edge.interrupts.keep_lost_stops hides the dropped stop's traceback and keeps it for a command's next check;
    cxr-synth had none, so the stop was swallowed without a word and every film written, exit 0 (up to 0.57.0 the
    traceback at least said a stop was lost)."""
    out = tmp_path / "synth"
    proc = subprocess.run([sys.executable, "-c", _DROPPED_WHILE_SYNTH_STARTS, str(out), "--count", "2", "--size", "32"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 130, proc.stderr
    assert "cxr-synth: error: interrupted" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "wrote" not in proc.stdout, proc.stderr
    assert not list(out.rglob("*.png"))


def test_seconds_with_teacher_row_says_what_a_teacher_given_with_teacher_run_counts():
    """train.one_run adds the teacher's seconds for the default recipe's own teacher alone; for `--teacher RUN` the
    field is the student's seconds, which docs/json-fields.md's row ('With the teacher's training: its run.json's
    seconds') said otherwise."""
    text = (ROOT / "docs" / "json-fields.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `seconds_with_teacher` |"))
    assert "--teacher RUN" in row, row


def test_not_used_never_says_a_folder_with_films_holds_no_images(tmp_path):
    """report.json's not_used is worked out again as the report is written, from the folder as it is then: a class
    folder copied in while the films were scored (Pneumonia/, with films) was said to 'hold no images', as the empty
    folders site_items passed over are."""
    import numpy as np
    from PIL import Image

    from convert.site_folders import not_used

    for folder in ("COVID", "Normal", "Pneumonia"):
        (tmp_path / folder).mkdir()
        Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8)).save(tmp_path / folder / "a.png")
    assert "Pneumonia" not in not_used(tmp_path, {"COVID": "COVID", "Normal": "Normal"})
    (tmp_path / "Lung_Opacity").mkdir()  # passed over as empty: still said
    assert not_used(tmp_path, {"COVID": "COVID", "Normal": "Normal"}) == (
        "not used: class folder Lung_Opacity (it holds no images, and is none of the model's classes)")


@pytest.mark.parametrize("record", [{"data_dir": None, "model": "m.tflite"}, {"data_dir": ["x"], "model": 5}])
def test_a_damaged_earlier_report_is_not_named_as_a_report_on_none(tmp_path, record):
    """A report.json whose data_dir is null (damaged, or edited by hand) passes the folder check (its keys are there),
    and the note said 'replacing the report on None', now of an --out folder too; it is treated as unreadable."""
    import json

    from convert.earlier_report import other_report

    (tmp_path / "report.json").write_text(json.dumps({"metrics": {"n": 3}, **record}))
    assert other_report(tmp_path, tmp_path.parent / "site", Path("m.tflite")) is None


def test_a_damaged_earlier_comparison_is_not_named_as_a_comparison_on_none(tmp_path):
    """compare.json's likewise: 'replacing the comparison on None'."""
    import json

    from convert.earlier_report import other_comparison

    (tmp_path / "compare.json").write_text(json.dumps({"data_dir": None, "model_a": "a.tflite", "model_b": "b.tflite"}))
    assert other_comparison(tmp_path, tmp_path.parent / "site", Path("a.tflite"), Path("b.tflite")) is None
