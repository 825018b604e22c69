"""cxr-evaluate's model: loaded once, with the rule it labels by and what must be said before a film is read.

A model trained on drawings, a folder of drawings, and a stored rule chosen on this very folder all
change what the figures mean; they are said first, so that they are not lost under the progress bars.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np

from convert.evaluate_checks import Settings
from edge.decision import fmt_threshold
from edge.install_hint import own_pip
from edge.output import said_name


class Loaded(NamedTuple):
    """The model as every later step uses it, and the digests that prove it is still the file loaded."""

    predict: Callable[[np.ndarray], np.ndarray]
    info: dict  # convert.evaluate.model_for's description
    rule: tuple[int, float] | None  # (class, threshold) the films are labelled by; None: the most probable class
    point: tuple[int, float] | None  # --operating-point's (class, sensitivity)
    pins: list[Path]  # the files the report reads, checked unchanged before anything is written
    digests: list[str | None]
    drawn: bool  # the data folder is cxr-synth's
    rule_warnings: list[str]

    @property
    def labels(self) -> list[str]:
        return self.info["labels"]


def rule_words(rule: tuple[int, float], labels: list[str]) -> str:
    """The rule as the warnings about where it was chosen name it: 'COVID whenever p >= 0.3'."""
    return f"{labels[rule[0]]} whenever p >= {fmt_threshold(rule[1])}"


def load_model(s: Settings) -> Loaded:
    """Load the model, pin its files, choose the rule the films are labelled by, and say what qualifies every
    figure to come: a model trained on synthetic images, a synthetic or unfinished data folder, a stored rule
    chosen on these films' folder. Also refuses a bad --operating-point, and warns when plots cannot be drawn."""
    from convert import plots
    from convert.evaluate import model_for
    from convert.model_pin import pinned, read_by_report
    from convert.operating_point import parse_operating_point
    from convert.rule_notes import chosen_here_line
    from edge.threshold_text import parse_threshold
    from train.synthetic_set import is_synthetic_folder, unfinished_line  # numpy and Pillow only: fine on a device

    pins = read_by_report(s.model)  # every step reads this model, or nothing is written (convert.model_pin)
    digests = [pinned(p) for p in pins]
    predict, info = model_for(s.model, labels=s.labels, input_scale=s.input_scale)
    labels = info["labels"]
    if info.get("synthetic_data"):
        from edge.synthetic_words import synthetic_words

        print(f"cxr-evaluate: note: {said_name(str(s.model))} was trained on {synthetic_words(info)}; its figures say nothing about "
              "what it would do on real X-rays", file=sys.stderr)
    rule = parse_threshold(s.threshold, labels) if s.threshold else None if s.most_probable else info.get("decision")
    drawn = is_synthetic_folder(s.data_dir)  # cxr-synth's drawings: no figure or rule chosen on them means anything
    if drawn:
        print(f"cxr-evaluate: note: {said_name(str(s.data_dir))} holds SYNTHETIC images (cxr-synth): these figures, and any rule "
              "chosen on them, say nothing about real X-rays", file=sys.stderr)
    if line := unfinished_line(s.data_dir):
        print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
    rule_warnings = []  # files that say which films their rule was chosen on are checked film by film, later
    if rule is not None and not s.threshold and not info.get("decision_films") and (line := chosen_here_line(
            info.get("decision_chosen_on"), s.here, rule_words(rule, labels))):
        print(f"cxr-evaluate: warning: {line}", file=sys.stderr)
        rule_warnings.append(line)
    point = parse_operating_point(s.operating_point, labels) if s.operating_point else None
    if not plots.available():  # a device-only install: the report is written, without its plots
        # this Python's own pip: the device's .venv/bin/cxr-evaluate runs without the venv activated
        print(f"cxr-evaluate: warning: {own_pip(plots.NO_PLOTS)}", file=sys.stderr)
    return Loaded(predict, info, rule, point, pins, digests, drawn, rule_warnings)
