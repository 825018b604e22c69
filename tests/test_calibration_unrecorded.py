"""cxr-convert --report-only on a full-integer file converted before files recorded how many training films set its
ranges: it said nothing of calibration, which read as no warning due, where the warning under 100 films
(convert/calibration_draw.py) could not be checked at all. Now a note says so, once; the exit code is unchanged."""

from __future__ import annotations

import shutil


def _report_only(run, capsys) -> tuple[int, str]:
    from convert.quantize import ConvertSettings, run_conversion

    capsys.readouterr()
    _, code = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], latency_threads=(), n_boot=100,
                                             progress=False, report_only=True, explain=0, other_classes=False))
    return code, capsys.readouterr().err


def test_report_only_says_once_that_an_older_file_does_not_record_its_calibration_count(tiny_run, tmp_path, capsys):
    from edge.metadata import read, rewrite

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    counted_code, counted_err = _report_only(run, capsys)
    assert "does not record how many training films" not in counted_err  # the file says: its count is read
    assert "warning: the int8 ranges were set on" in counted_err  # tiny_run's count is under 100

    path = run / "model_int8.tflite"  # as an earlier cxr-edge wrote it: metadata without the count
    path.write_bytes(rewrite(path.read_bytes(), lambda m: {k: v for k, v in m.items() if k != "calibration_samples"}))
    assert "calibration_samples" not in read(path)[1]
    code, err = _report_only(run, capsys)
    assert code == counted_code
    said = [line for line in err.splitlines() if "does not record how many training films" in line]
    assert said == ["cxr-convert: note: model_int8.tflite does not record how many training films set its int8 "
                    "ranges (it was converted before files recorded it), so whether they were fewer than 100, which "
                    "cxr-convert warns of, cannot be checked; convert again without --report-only to know"]
    assert "error" not in said[0]


def test_the_note_names_every_such_file_in_one_sentence():
    from convert.calibration_draw import uncounted_line

    line = uncounted_line(["model_int8.tflite", "model_int16x8.tflite"])
    assert line.startswith("model_int8.tflite and model_int16x8.tflite do not record how many training films set "
                           "their int8 ranges (they were converted before")
