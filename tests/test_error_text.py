"""A runtime's error message quoted in a film's 'inference failed (...)': LiteRT keeps its error text across invokes
and adds each run's to it, unseparated, so a batch's tenth failing film quoted the same sentence ten times."""

from __future__ import annotations

import numpy as np

from edge.batch import _answer
from edge.capped_repr import LONGEST, error_text
from edge.preprocess import PreprocessConfig

SENTENCE = "Input tensor 1 lacks data"  # LiteRT 2.3's words, as its tenth failed invoke gave them


class Failing:
    preprocess = PreprocessConfig(size=8)

    def __init__(self, message: str):
        self.message = message

    def classify(self, batch):
        raise RuntimeError(self.message)


def test_the_tenth_films_error_says_the_runtimes_sentence_once():
    r = _answer(Failing(SENTENCE * 10), "a.png", np.zeros((8, 8, 1), np.uint8), False)
    assert r.error == f"inference failed (RuntimeError: {SENTENCE})"


def test_repeated_sentences_and_lines_are_said_once_and_the_text_is_capped():
    assert error_text(SENTENCE * 3) == SENTENCE
    assert error_text("Conv failed. Conv failed. Conv failed.") == "Conv failed."
    assert error_text("conv.cc:12 bad input\nNode 3 failed\nconv.cc:12 bad input\nNode 3 failed\n") == (
        "conv.cc:12 bad input Node 3 failed")
    assert error_text("tensor shape") == "tensor shape" and error_text("") == ""
    assert error_text("...") == "..." and error_text("1000") == "1000"  # too short to be a sentence said again
    long = error_text("".join(f"reason {i}; " for i in range(100)))
    assert len(long) < LONGEST + 30 and long.endswith("... (1,089 characters)")  # the last "; " stripped
