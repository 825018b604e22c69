"""convert/calibration_draw.py read directly on the cases its other fast tests left open (the rest go through
cxr-convert on tiny_run): a full-integer mode among others still needs a film a class, as does every mode (None);
--report-only's count at exactly 100 is enough; one unrecorded file is "it", and a name with a line break is quoted
(edge.output.said_name: a JSON string, one line); the warning is logged prefixed "warning: " and the draw handed on;
report.md's class names go through its ``name`` (md_cell) in the sentence and in the warning; a report without
``calibrated_modes`` (written before it was kept) still says how the ranges were set."""

from __future__ import annotations

import numpy as np

from convert.calibration_draw import (calibration_draw, draw_sentence, draw_words, recorded_draw, too_few_problem,
                                      uncounted_line, warned)

CLASSES = ["COVID", "Normal"]


def test_a_full_integer_mode_among_others_or_every_mode_needs_a_film_a_class():
    assert too_few_problem(1, CLASSES, ["fp32", "int8"]).startswith("--calibration-samples 1 is fewer than the run's 2")
    assert too_few_problem(1, CLASSES, None).startswith("--calibration-samples 1 is fewer than the run's 2")


def test_a_recorded_count_of_exactly_100_is_enough():
    assert recorded_draw(100) == {"counts": None, "warning": None}
    assert recorded_draw(99)["warning"].startswith("the int8 ranges were set on 99 training films")


def test_one_unrecorded_file_is_it_and_a_line_break_is_quoted():
    line = uncounted_line(["model_int8.tflite"])
    assert line.startswith("model_int8.tflite does not record how many training films set its int8 ranges (it was "
                           "converted before files recorded it)")
    assert uncounted_line(["a\nb.tflite"]).startswith('"a\\nb.tflite" does not record')  # one line, a JSON string


def test_the_warning_is_logged_prefixed_and_the_draw_handed_on():
    logged: list[str] = []
    draw = {"counts": None, "warning": "few films"}
    assert warned(draw, logged.append) is draw and logged == ["warning: few films"]
    quiet = {"counts": None, "warning": None}
    assert warned(quiet, logged.append) is quiet and warned(None, logged.append) is None
    assert logged == ["warning: few films"]


def test_class_names_are_shown_through_name_in_the_sentence_and_its_warning():
    name = lambda c: f"<{c}>"  # noqa: E731  (a stand-in for report.md's md_cell)
    assert draw_words({"COVID": 2, "Normal": 3}, name) == "2 <COVID> and 3 <Normal>"
    draw = calibration_draw(np.array([0, 0, 1, 1, 1]), CLASSES, 5)
    said = draw_sentence({"calibrated_modes": ["int8"], "calibration_samples": 5, "calibration_draw": draw}, name)
    assert said.startswith("The full-integer modes' quantization ranges were set on 5 training images: 2 <COVID> and "
                           "3 <Normal>, an equal share")
    assert "**Warning:** the int8 ranges are set on 5 training films (2 <COVID> and 3 <Normal>): values" in said


def test_a_report_without_calibrated_modes_still_says_how_the_ranges_were_set():
    said = draw_sentence({"calibration_samples": 300, "calibration_draw": {"counts": None, "warning": None}})
    assert said == ("The full-integer modes' quantization ranges were set on 300 training images, drawn from each class "
                    "alike when the files were converted (never test). ")
