"""cxr-train's settings checked before TensorFlow loads: refused where they cannot run, or where this run
would ignore them (an option that changes nothing is refused, not recorded in run.json as used). Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from train.model_size import seed_size_problem

if TYPE_CHECKING:
    from train.run import TrainSettings

TEACHER_VIEWS = ("same", "unmoved")
ARCHS = ("compact", "seed")  # train.models.ARCHS, which needs Keras (a test checks they agree)
# The largest count TensorFlow takes: --epochs 99999999999999999999 trained its first epoch, then failed "unexpected
# TypeError: Failed to convert elements ... to Tensor"; --batch-size so large "unexpected ValueError" after the split
COUNT_MAX = 2**31 - 1


def teacher_size(teacher_members: int | None, arch: str) -> int:
    """The members of the teacher the recipe trains: --teacher-members, else 3 for compact and 0 for seed, the
    tutorial's baseline, which is trained as the tutorial did."""
    return teacher_members if teacher_members is not None else (3 if arch == "compact" else 0)


def check_settings(s: TrainSettings) -> int:
    """Refuse settings that cannot run, or that this run would ignore; returns the teacher's size.

    Pure and quick, so cxr-train says it before TensorFlow loads. An option that would change
    nothing is refused rather than recorded in run.json as if it had been used."""
    if s.arch not in ARCHS:  # not train.models': it imports Keras, and this is said before TensorFlow loads
        raise ValueError(f"unknown architecture {s.arch!r}; choose one of {', '.join(ARCHS)}")
    if s.members < 1:
        raise ValueError(f"--members must be at least 1, not {s.members}")
    for option, count in (("--members", s.members), ("--teacher-members", s.teacher_members), ("--epochs", s.epochs),
                          ("--batch-size", s.batch_size), ("--patience", s.patience),
                          ("--synthetic-count", s.synthetic_count)):
        if count is not None and count > COUNT_MAX:
            raise ValueError(f"{option} {count} is more than TensorFlow can count: give at most {COUNT_MAX:,}")
    for option, share in (("--val-fraction", s.val_fraction), ("--test-fraction", s.test_fraction)):
        if not 0 < share < 1:  # NaN passes click's range check, and every sum: the split failed "unexpected ValueError"
            raise ValueError(f"{option} is a share of the films between 0.01 and 0.5 (e.g. 0.15), not {share:g}")
    n_teacher = teacher_size(s.teacher_members, s.arch)
    if n_teacher < 0:
        raise ValueError(f"--teacher-members must be 0 (no teacher) or more, not {n_teacher}")
    if s.teacher_view not in TEACHER_VIEWS:
        raise ValueError(f"--teacher-view must be one of {', '.join(TEACHER_VIEWS)}, not {s.teacher_view!r}")
    if not 0 <= s.consistency < float("inf"):  # NaN trained to the end, then failed writing run.json
        raise ValueError(f"--consistency must be 0 (off) or a number above it, not {s.consistency:g}")
    if not 0 <= s.mixstyle <= 1:
        raise ValueError(f"--mixstyle is a probability between 0 (off) and 1, not {s.mixstyle:g}")
    if s.arch == "seed" and (too_big := seed_size_problem(s.image_size)):
        raise ValueError(too_big)
    if s.mixstyle and s.arch != "compact":
        raise ValueError(f"--mixstyle mixes the compact model's feature statistics; --arch {s.arch} has none to mix: "
                         "leave it out, or give --arch compact")
    if s.consistency and s.teacher_view != TEACHER_VIEWS[0]:
        raise ValueError("--teacher-view unmoved and --consistency both need a second view; use --consistency 0 with it")
    if s.teacher and s.teacher_members:
        raise ValueError(f"--teacher {s.teacher} is the teacher: --teacher-members {s.teacher_members} (the size of a "
                         "teacher to train first) would do nothing; leave it out")
    if not s.teacher and s.members > 1 and s.teacher_members:
        raise ValueError(f"--members {s.members} ships an ensemble and distils nothing: --teacher-members "
                         f"{s.teacher_members} would do nothing; use one of them")
    # the options that set a second view of each film against the first
    second_view = [o for o, on in (("--teacher-view unmoved", s.teacher_view != TEACHER_VIEWS[0]),
                                   (f"--consistency {s.consistency:g}", s.consistency > 0)) if on]
    distils = bool(s.teacher) or (s.members == 1 and n_teacher > 0)
    if not distils:
        if unused := second_view:
            why = (f"--members {s.members} ships an ensemble" if s.members > 1
                   else "--teacher-members 0 trains one model directly" if s.teacher_members == 0
                   else f"--arch {s.arch} trains without a teacher by default (--teacher-members 0)")
            raise ValueError(f"{' and '.join(unused)} only concern{'s' if len(unused) == 1 else ''} a model learning "
                             f"from a teacher, and {why}: "
                             "nothing is distilled, so leave it out")
    if not s.augment and second_view:
        # without augmentation the second view is the first film itself: the term is 0, and 'unmoved' is 'same'
        raise ValueError(f"{' and '.join(second_view)} set{'s' if len(second_view) == 1 else ''} a randomly augmented "
                         "view against another view of the same film, "
                         "and --no-augment makes no augmented view: it would change nothing; leave it out, or drop "
                         "--no-augment")
    return n_teacher
