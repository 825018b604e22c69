"""Odd option values a user could type, which click's own types let through to the work: NaN passes a FloatRange
(every comparison with it is false), and an IntRange without a ceiling takes 99999999999999999999. Each was found
by fuzzing every command's options (session 65); each must be one clear line, exit 2, before any work starts.

- cxr-train --val-fraction nan (or --test-fraction nan) loaded TensorFlow and generated the films, then failed
  "unexpected ValueError: cannot convert float NaN to integer" at the split.
- cxr-train --epochs 99999999999999999999 froze the split and trained its first epoch, then failed "unexpected
  TypeError: Failed to convert elements of 99999999999999999999 to Tensor"; --batch-size as large failed "unexpected
  ValueError: Can't convert Python sequence with out-of-range integer to Tensor".
- cxr-evaluate and cxr-compare --n-boot 99999999999999999999 read and scored every film, then failed "unexpected
  ValueError: Maximum allowed dimension exceeded" in the bootstrap (or, where no resample was drawn, the report
  said that many were drawn)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from convert.compare_cli import compare_app
from convert.evaluate_cli import evaluate_app
from convert.summary import MAX_RESAMPLES
from train.cli import train_app
from train.run import TrainSettings
from train.settings_check import COUNT_MAX, check_settings

RUNNER = CliRunner()
HUGE = "99999999999999999999"
TINY = ["--data", "synthetic", "--image-size", "32", "--synthetic-count", "4", "--teacher-members", "0", "-q"]


@pytest.mark.parametrize("option, value, says", [
    ("--val-fraction", "nan", "--val-fraction is a share of the films between 0.01 and 0.5 (e.g. 0.15), not nan"),
    ("--test-fraction", "nan", "--test-fraction is a share of the films between 0.01 and 0.5 (e.g. 0.15), not nan"),
    ("--epochs", HUGE, f"--epochs {HUGE} is more than TensorFlow can count: give at most 2,147,483,647"),
    ("--batch-size", HUGE, f"--batch-size {HUGE} is more than TensorFlow can count"),
    ("--patience", HUGE, f"--patience {HUGE} is more than TensorFlow can count"),
    ("--members", HUGE, f"--members {HUGE} is more than TensorFlow can count"),
])
def test_cxr_train_refuses_a_nan_share_or_a_count_tensorflow_cannot_hold_before_any_work(tmp_path, option, value, says):
    out = tmp_path / "run"
    args = [a for a in TINY if not (option == "--members" and a in ("--teacher-members", "0"))]
    result = RUNNER.invoke(train_app, [*args, "--out", str(out), option, value])
    assert result.exit_code == 2, result.output
    assert f"cxr-train: error: {says}" in result.output
    assert "unexpected" not in result.output
    assert not out.exists()  # refused before the run folder (and the synthetic films in it) was made


@pytest.mark.parametrize("settings, says", [
    (dict(val_fraction=float("nan")), "--val-fraction is a share of the films between 0.01 and 0.5"),
    (dict(test_fraction=float("nan")), "--test-fraction is a share of the films between 0.01 and 0.5"),
    (dict(teacher_members=COUNT_MAX + 1), "--teacher-members 2147483648 is more than TensorFlow can count"),
    (dict(synthetic_count=COUNT_MAX + 1), "--synthetic-count 2147483648 is more than TensorFlow can count"),
])
def test_check_settings_refuses_them_too(settings, says):
    with pytest.raises(ValueError, match=says):
        check_settings(TrainSettings(data="synthetic", out=Path("r"), **settings))


def test_the_largest_counts_tensorflow_takes_still_pass():
    assert check_settings(TrainSettings(data="synthetic", out=Path("r"), epochs=COUNT_MAX, batch_size=COUNT_MAX,
                                        patience=COUNT_MAX, synthetic_count=COUNT_MAX, teacher_members=0)) == 0


@pytest.mark.parametrize("app, args", [
    (evaluate_app, ["m.tflite", "site"]),
    (compare_app, ["a.tflite", "b.tflite", "site"]),
])
def test_n_boot_has_a_ceiling_said_before_any_film_is_read(app, args):
    result = RUNNER.invoke(app, [*args, "--n-boot", HUGE])
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '--n-boot': {HUGE} is not in the range 100<=x<={MAX_RESAMPLES}" in result.output
    ok = RUNNER.invoke(app, [*args, "--n-boot", str(MAX_RESAMPLES)])  # the ceiling itself passes: the paths are next
    assert "--n-boot" not in ok.output and ok.exit_code == 2, ok.output


@pytest.mark.parametrize("value", ["1e-320", "1e-39"])
def test_cxr_train_refuses_a_learning_rate_tensorflow_would_read_as_0(tmp_path, value):
    """--lr 1e-320 passed 'above 0', trained to the end at a learning rate of 0 (Keras keeps it as a float32) and
    said done: a run that learnt nothing, recorded as trained with 1e-320."""
    out = tmp_path / "run"
    result = RUNNER.invoke(train_app, [*TINY, "--epochs", "1", "--out", str(out), "--lr", value])
    assert result.exit_code == 2, result.output
    assert f"cxr-train: error: --learning-rate {value} is below what TensorFlow's 32-bit numbers hold" in result.output
    assert not out.exists()


def test_the_smallest_learning_rate_taken_is_float32s_smallest_full_precision_number():
    import numpy as np

    from train.cli import FLOAT32_TINY

    assert FLOAT32_TINY == float(np.finfo(np.float32).tiny) and np.float32(FLOAT32_TINY) > 0


def test_cxr_train_refuses_one_class_before_any_work(tmp_path):
    """--classes COVID loaded TensorFlow and generated (or read) the films, then said 'need at least 2 classes with
    images in DATA, found COVID: give a folder that holds a sub-folder of films per class': the folder was fine."""
    out = tmp_path / "run"
    result = RUNNER.invoke(train_app, [*TINY, "--epochs", "1", "--out", str(out), "--classes", "COVID"])
    assert result.exit_code == 2, result.output
    assert ("cxr-train: error: --classes names one class (COVID); a classifier tells two or more apart: name each "
            "class to train on, e.g. --classes COVID,Normal") in result.output
    assert not out.exists()
