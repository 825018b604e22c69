"""train.settings_check pinned where a small change went unseen (hand mutation testing: each test here failed with
one such change in place, which the fast refusal tests of tests/test_train_refusals.py and
tests/test_train_options.py let through). cxr-train refuses these settings before TensorFlow loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from train.run import TrainSettings
from train.settings_check import check_settings, teacher_size


def _check(**settings) -> int:
    return check_settings(TrainSettings(data="synthetic", out=Path("r"), **settings))


def test_the_teachers_size_is_the_one_given_even_zero_else_three_for_compact_and_none_for_seed():
    assert (teacher_size(None, "compact"), teacher_size(None, "seed"), teacher_size(0, "compact")) == (3, 0, 0)
    assert teacher_size(5, "seed") == 5


@pytest.mark.parametrize("settings, says", [
    (dict(members=0), "--members must be at least 1, not 0"),
    (dict(teacher_members=-1), "--teacher-members must be 0 (no teacher) or more, not -1"),
    (dict(consistency=float("inf")), "--consistency must be 0 (off) or a number above it, not inf"),
    (dict(mixstyle=-0.1), "--mixstyle is a probability between 0 (off) and 1, not -0.1"),
    (dict(arch="seed", image_size=1024), "--arch seed at --image-size 1024 has"),
    (dict(consistency=1.0, teacher_view="unmoved"), "--teacher-view unmoved and --consistency both need a second view"),
    (dict(members=2, consistency=1.0), "--consistency 1 only concerns a model learning from a teacher, and --members 2 "
                                       "ships an ensemble: nothing is distilled"),
    (dict(members=2, teacher_view="unmoved"), "--members 2 ships an ensemble"),
    (dict(arch="seed", mixstyle=0.5), "--arch seed has none to mix"),
    (dict(teacher="runs/t", teacher_members=2), "--teacher runs/t is the teacher: --teacher-members 2"),
    (dict(members=2, teacher_members=3), "--members 2 ships an ensemble and distils nothing"),
    (dict(arch="seed", teacher_view="unmoved"), "--arch seed trains without a teacher by default"),
    (dict(augment=False, teacher_view="unmoved", teacher="runs/t"),
     "--teacher-view unmoved sets a randomly augmented view"),
])
def test_settings_that_cannot_run_or_would_change_nothing_are_refused(settings, says):
    with pytest.raises(ValueError, match=re.escape(says)):
        _check(**settings)


def test_the_edges_of_each_range_and_a_given_teachers_ensemble_pass():
    """--consistency 0 is off, --mixstyle 1 always mixes; a student of a given --teacher distils whatever --members."""
    assert _check(consistency=0.0, mixstyle=1.0) == 3
    assert _check(members=1, teacher_members=0) == 0
    assert _check(teacher="runs/t", members=3, teacher_view="unmoved") == 3
