"""Lines said after 'warning: ', 'note: ' or 'error: ' start lower case, as the house writes them: cxr-evaluate said
"warning: Too few films to judge" and cxr-compare "note: Within a class, though" (sentences made for report.md and
compare.md, where they start a paragraph). Names keep their capitals (COVID, AUROC, DICOM, MANIFEST.csv)."""

from __future__ import annotations

import re
import tokenize
from pathlib import Path

import numpy as np
import pytest

from convert.evaluate_lines import closing_lines
from convert.summary import summarize
from edge.message_case import after_prefix

ROOT = Path(__file__).resolve().parent.parent
PREFIXED = re.compile(r"\b(warning|note|error): ([^\s{]+)")


@pytest.mark.parametrize("text, said", [("Too few films to judge", "too few films to judge"),
                                        ("Within a class, though: COVID", "within a class, though: COVID"),
                                        ("COVID sensitivity", "COVID sensitivity"), ("AUROC 0.9", "AUROC 0.9"),
                                        ("DICOM header", "DICOM header"), ("MANIFEST.csv names", "MANIFEST.csv names"),
                                        ("McNemar's p", "McNemar's p"), ("B's classes", "B's classes"),
                                        ("A film", "a film"), ("Wilson's interval", "Wilson's interval"),
                                        ("Normal films", "Normal films"), ("3 films", "3 films"), ("", "")])
def test_a_sentence_after_a_prefix_is_lowered_but_names_are_kept(text, said):
    assert after_prefix(text, ["COVID", "Normal"]) == said


def test_cxr_evaluate_says_too_few_films_in_lower_case(capsys):
    rng = np.random.default_rng(0)
    y = np.array([0, 0, 1])
    p = rng.dirichlet([1, 1], size=3)
    closing_lines({"metrics": summarize(y, p, ["COVID", "Normal"], n_boot=20), "missed_classes": []}, {},
                  ["COVID", "Normal"], None)
    err = capsys.readouterr().err
    assert "cxr-evaluate: warning: too few films to judge: 3 films scored (2 COVID, 1 Normal)" in err
    assert "warning: Too few" not in err


def test_cxr_compare_says_its_class_note_in_lower_case(capsys):
    from tests.test_compare_classes import _site
    from convert.compare_classes import say_class_note

    say_class_note(_site(6, 3))
    assert capsys.readouterr().err.startswith("cxr-compare: note: within a class, though: COVID sensitivity B - A ")


def _literals(path: Path):
    """Each string literal of a source file (f-strings' text parts too), with its line."""
    with path.open("rb") as f:
        for tok in tokenize.tokenize(f.readline):
            if tok.type == tokenize.STRING or tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
                yield tok.start[0], tok.string


def test_no_source_writes_a_capital_after_a_prefix():
    """Every literal in edge/, train/ and convert/ (f-strings included) that writes 'warning: ', 'note: ' or 'error: '
    follows it with a lower-case word or a name."""
    found = []
    for path in sorted(p for d in ("edge", "train", "convert") for p in (ROOT / d).rglob("*.py")):
        for line, text in _literals(path):
            for m in PREFIXED.finditer(text):
                if after_prefix(m.group(2)) != m.group(2):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {m.group(0)}")
    assert found == []
