"""edge.batch._answer pinned where a small change went unseen (hand mutation testing: each test here failed with one
such change in place, which the fast tests of the module let through). The classifier is a plain numpy one: _answer
reads only its classify() and atypical()."""

from __future__ import annotations

import numpy as np

from edge.batch import _answer


class Fixed:
    """A classifier giving ``out`` for any film, and ``flag`` as its input check's verdict (None: no check)."""

    def __init__(self, out, flag=None):
        self.out, self.flag = np.asarray(out, dtype=np.float32), flag

    def classify(self, batch):
        return self.out[None]

    def atypical(self, batch):
        return None if self.flag is None else np.array([self.flag, not self.flag])


X = np.zeros((4, 4, 1), np.uint8)


def test_a_film_its_header_refused_undecoded_is_an_atypical_error():
    r = _answer(Fixed([0.5, 0.5]), "ct.dcm", None, False, "its header says CT")
    assert (r.error, r.atypical, r.header_says) == ("refused: its header says CT", True, "its header says CT")


def test_infinity_is_no_answer():
    assert _answer(Fixed([np.inf, 0.0]), "a.png", X, False).error.startswith("inference failed (the model gave no finite")


def test_a_header_flag_makes_the_film_atypical_and_the_checks_own_verdict_is_kept():
    r = _answer(Fixed([0.9, 0.1], flag=False), "a.dcm", X, False, "its header says lateral")
    assert (r.atypical, r.input_check) == (True, False)


def test_the_first_films_verdict_is_the_answers_and_the_input_is_kept_only_when_asked():
    r = _answer(Fixed([0.9, 0.1], flag=False), "a.png", X, False)
    assert (r.atypical, r.image) == (False, None)
    assert _answer(Fixed([0.9, 0.1]), "a.png", X, True).image is X


def test_a_failing_model_is_one_films_error():
    class Broken(Fixed):
        def classify(self, batch):
            raise RuntimeError("tensor shape")

    assert _answer(Broken([0.5]), "a.png", X, False).error == "inference failed (RuntimeError: tensor shape)"
