"""The fields of a run.json that every command reads back, checked for their kind before any is used.

Users edit run.json by hand and copy runs half-finished. A "classes" removed made cxr-train say "nothing to do"
of "( from synthetic)" and cxr-evaluate blame the model for "0 classes"; a temperature of NaN or text, or a number
as "created", ran on into a bare TypeError or a "trained nan" in report.md. One check, said once, names the field
and its value (cut to a line) so that each command can refuse the record as damaged instead."""

from __future__ import annotations

from typing import Any

from edge.capped_repr import capped_repr
from edge.metadata import finite_number
from edge.temperature_range import outside_fitted_range

TEXT_FIELDS = ("created", "cxr_edge_version")  # said in messages and cards ("trained 2026-12-07 ...")


def run_fields_problem(run: dict, temperature: bool = True) -> str | None:
    """Why ``run`` (a run.json's object) cannot be a finished run's record, said as 'its "classes" is [], not a
    list of class names', or None. Fields left out that older runs never wrote are not asked for, except
    "classes": no run was ever written without it, and every command names its outputs by it. ``temperature``
    False: the caller checks that it is a number above 0 with the model (convert.keras_model says it there in its own
    words); one outside the range cxr-train fits it in is said here either way."""
    classes = run.get("classes")
    if not _class_names(classes):
        return ('it has no "classes"' if "classes" not in run
                else f'its "classes" is {capped_repr(classes)}, not a list of distinct class names')
    if "preprocess" in run and not isinstance(run["preprocess"], dict):
        return f'its "preprocess" is {capped_repr(run["preprocess"])}, not an object of settings'
    if temperature and "temperature" in run and not _positive(run["temperature"]):
        return f'its "temperature" is {capped_repr(run["temperature"])}, not a number above 0'
    # whether or not the caller words the impossible ones: a number no fit gives was edited by hand (T = 50: every
    # answer near 1/k), and went on into report.md and every model file converted from the run unnoticed
    if _positive(run.get("temperature")) and (far := outside_fitted_range(float(run["temperature"]))) is not None:
        return f'its "temperature" {far}'
    for key, least in (("members", 1), ("parameters", 0)):  # report.md: "an ensemble of 3", "116,658 parameters"
        if key in run and (run[key] is not None or key == "members") and not _whole(run[key], least):
            return f'its "{key}" is {capped_repr(run[key])}, not a whole number of at least {least}'
    teacher = run.get("teacher")  # report.md: "distilled from a 349,974-parameter teacher"
    if teacher and not (isinstance(teacher, dict) and _whole(teacher.get("parameters"), 0)):
        return f'its "teacher" is {capped_repr(teacher)}, not a teacher\'s record (with its "parameters")'
    for key in TEXT_FIELDS:
        if key in run and not (isinstance(run[key], str) and run[key].strip()):
            return f'its "{key}" is {capped_repr(run[key])}, not text'
    return None


def _class_names(classes: Any) -> bool:
    return (isinstance(classes, list) and len(classes) >= 2 and all(isinstance(c, str) and c.strip() for c in classes)
            and len(set(classes)) == len(classes))


def _whole(v: Any, least: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= least


def _positive(v: Any) -> bool:
    return finite_number(v) and v > 0
