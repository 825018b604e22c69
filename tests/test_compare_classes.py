"""compare.md names a class whose sensitivity interval excludes 0 where the verdict on balanced accuracy says the
films cannot tell the models apart (hunt 62, H27: COVID -12.5 points, -23.2 to -1.2, under that verdict)."""

from __future__ import annotations

import numpy as np

from convert.compare import compare, markdown


def _site(covid_a_only: int, normal_b_only: int) -> dict:
    """40 COVID and 40 Normal films: A catches covid_a_only COVID films B misses, B gets normal_b_only Normal films
    right that A calls COVID; all others answered alike and right."""
    y = np.array([0] * 40 + [1] * 40)
    a, b = y.copy(), y.copy()
    b[:covid_a_only] = 1
    a[40:40 + normal_b_only] = 0
    return {**compare(y, a, b, ["COVID", "Normal"], n_boot=200), "skipped_files": []}


def test_a_class_that_differs_under_a_verdict_of_no_difference_is_named():
    r = _site(6, 3)
    lo, hi = r["per_class"][0]["difference_ci"]
    assert hi < 0 and r["balanced_accuracy_difference_ci"][0] < 0 < r["balanced_accuracy_difference_ci"][1]
    md = "\n".join(markdown(r, "a", "b", "d", "x"))
    assert "more films narrow the intervals.\n\nWithin a class, though: COVID sensitivity B - A -15.0 " \
           "points" in md
    assert "right only by A 6, only by B 0): model A did better on these COVID films" in md
    assert "among 2 classes one may exclude 0 by chance" in md
    assert "Normal sensitivity B - A" not in md  # its interval (3 films) includes 0


def test_no_note_where_no_class_interval_excludes_0():
    md = "\n".join(markdown(_site(2, 2), "a", "b", "d", "x"))
    assert "cannot show the two equivalent either" in md and "Within a class" not in md


def test_the_terminal_says_the_class_note_under_the_headline(capsys):
    """cxr-compare printed the headline alone: a user who read the terminal, not compare.md, never saw that model A
    caught 6 COVID films B missed under 'cannot tell the two models apart' (session 62's lead)."""
    from convert.compare_classes import say_class_note

    say_class_note(_site(6, 3))
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("cxr-compare: note: within a class, though: COVID sensitivity B - A "
                                               "-15.0 points")
    assert "model A did better on these COVID films" in err[0] and err[0].endswith("not a finding.")
    say_class_note(_site(2, 2))
    assert capsys.readouterr() == ("", "")  # no class to name: nothing said


def test_cxr_compare_prints_the_class_note_after_its_headline():
    """The command itself calls it, once its headline is out (compare_cli; a run whose class intervals exclude 0 needs
    two models that differ on many films, more than a test's tiny models do)."""
    import inspect

    from convert import compare_cli

    source = inspect.getsource(compare_cli.compare)
    assert source.index("say_class_note(r)") > source.index("print(cmp.headline(r))")
