"""train.curves pinned where a small change went unseen (hand mutation testing: each test here failed with one such
change in place, which tests/test_plots.py's two curves.png tests let through: they look at line styles and the
legend's place, not at what is plotted). Read from the Figure objects, not pixels: which numbers each panel draws,
at which epochs, the restored epoch's line, and the names and colours that tell members apart."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def figures(monkeypatch):
    """Every figure plot_curves made, kept from plt.close so a test can read it."""
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    return kept


def _history(n: int, shift: float, best: int, validation: bool = True) -> dict:
    h = {"loss": list(1.0 / np.arange(1, n + 1) + shift), "accuracy": list(np.linspace(0.5, 0.9, n) - shift),
         "best_epoch": [best]}
    if validation:
        h |= {"val_loss": list(1.2 / np.arange(1, n + 1) + shift), "val_accuracy": list(np.linspace(0.4, 0.8, n) - shift)}
    return h


def _lines(ax) -> dict:
    return {line.get_label(): line for line in ax.get_lines()}


def test_each_panel_draws_its_own_numbers_at_epochs_from_one_and_the_restored_epoch(figures, tmp_path):
    """Loss on the left, accuracy on the right; train and validation each their own series; epoch 1 is the first
    point; the dotted line stands at the epoch whose weights were kept; members named from 1 and counted in the
    titles, one colour each for all three of their lines."""
    from train.curves import plot_curves

    histories = [_history(8, 0.0, 3), _history(8, 0.05, 6)]
    plot_curves(histories, tmp_path / "curves.png")
    left, right = figures[0].axes
    assert left.get_title() == "loss (cross-entropy), 2 ensemble members"
    assert right.get_title() == "accuracy, 2 ensemble members"
    for ax, key in ((left, "loss"), (right, "accuracy")):
        lines = _lines(ax)
        assert set(lines) == {"train 1", "validation 1", "best 1 (restored)", "train 2", "validation 2",
                              "best 2 (restored)"}, sorted(lines)
        for k, h in enumerate(histories, 1):
            for split, prefix in (("train", ""), ("validation", "val_")):
                line = lines[f"{split} {k}"]
                assert list(line.get_xdata()) == list(range(1, 9))
                assert np.allclose(line.get_ydata(), h[prefix + key]), (key, split, k)
            assert list(lines[f"best {k} (restored)"].get_xdata()) == [h["best_epoch"][0]] * 2
            assert len({lines[name].get_color() for name in (f"train {k}", f"validation {k}", f"best {k} (restored)")}) == 1
        assert lines["train 1"].get_color() != lines["train 2"].get_color()


def test_a_run_without_validation_draws_its_training_curves_and_one_member_is_not_numbered(figures, tmp_path):
    """fit() keeps the last epoch where no validation loss was logged: its history has no val_ series to draw."""
    from train.curves import plot_curves

    plot_curves([_history(3, 0.0, 3, validation=False)], tmp_path / "curves.png")
    left, right = figures[0].axes
    assert (left.get_title(), right.get_title()) == ("loss (cross-entropy)", "accuracy")
    assert set(_lines(left)) == set(_lines(right)) == {"train", "best (restored)"}


def test_markers_for_a_short_run_up_to_five_epochs_and_for_every_ensemble(figures, tmp_path):
    """One run of five epochs is marked, of six is plain lines; two members are marked however long, a marker every
    eighth of the run."""
    from train.curves import plot_curves

    def marked(fig) -> bool:
        return _lines(fig.axes[0])["train" if "train" in _lines(fig.axes[0]) else "train 1"].get_marker() not in (
            None, "None", "", " ")

    plot_curves([_history(5, 0.0, 5)], tmp_path / "five.png")
    plot_curves([_history(6, 0.0, 6)], tmp_path / "six.png")
    plot_curves([_history(16, 0.0, 9), _history(16, 0.1, 9)], tmp_path / "two.png")
    assert [marked(fig) for fig in figures] == [True, False, True]
    assert _lines(figures[2].axes[0])["train 1"].get_markevery() == 2


def test_each_panel_names_its_y_axis_with_its_unit(figures, tmp_path):
    """curves.png's y axes were bare numbers: 0.4 read as a loss or a share alike once the picture was cropped."""
    from train.curves import plot_curves

    plot_curves([_history(3, 0.0, 3)], tmp_path / "curves.png")
    left, right = figures[0].axes[:2]
    assert (left.get_ylabel(), right.get_ylabel()) == ("mean loss per film (nats)",
                                                       "accuracy (share of films right, 0 to 1)")


def test_a_distilled_runs_loss_panel_names_the_teacher_term(figures, tmp_path):
    """A distilled run's curves.png titled its loss 'cross-entropy', though most of it is the teacher term
    (train.distill, weighted by T^2): read as the labels' loss, on another scale than a plain run's."""
    from train.curves import plot_curves

    plot_curves([_history(3, 0.0, 3)], tmp_path / "d.png", distilled=True)
    plot_curves([_history(3, 0.0, 3)], tmp_path / "c.png", distilled=True, consistency=True)
    plot_curves([_history(3, 0.0, 3)], tmp_path / "p.png")
    titles = [fig.axes[0].get_title() for fig in figures]
    assert all(len(line) <= 44 for title in titles for line in title.split("\n")), titles  # clear of the next panel
    assert [" ".join(title.split("\n")) for title in titles] == [
        "loss (distillation: teacher term + cross-entropy)",
        "loss (distillation: teacher term + cross-entropy + two-view term)", "loss (cross-entropy)"]


def test_a_distilled_run_folder_says_so_in_its_curves(figures, tmp_path):
    """save_history, as cxr-train calls it for a run with a teacher, passes that on to the picture."""
    from train.fit import save_history

    save_history([_history(3, 0.0, 3)], tmp_path, distilled=True)
    assert figures[0].axes[0].get_title().startswith("loss (distillation: teacher term")
    assert (tmp_path / "curves.png").stat().st_size > 0


def test_members_restored_at_the_same_epoch_each_show_their_best_line(figures, tmp_path):
    """Two members whose best epoch was the same drew their dotted lines on top of each other: only the last
    member's colour showed, as if the first had none. Apart by a couple of points now, centred on the epoch; a
    member alone at its epoch stays on it."""
    from train.curves import plot_curves

    plot_curves([_history(8, 0.0, 5), _history(8, 0.05, 5), _history(8, 0.1, 7)], tmp_path / "curves.png")
    fig = figures[0]
    fig.canvas.draw()
    for ax in fig.axes:
        lines = _lines(ax)
        best = [lines[f"best {k} (restored)"] for k in (1, 2, 3)]
        at = [line.get_transform().transform((line.get_xdata()[0], 0.5))[0] for line in best]
        epoch = ax.transData.transform((5, 0))[0]
        one_point = fig.dpi / 72
        assert abs(at[0] - at[1]) >= 1.5 * one_point, at  # apart, as wide as a line or more
        assert (at[0] + at[1]) / 2 == pytest.approx(epoch, abs=0.01)  # around epoch 5, not beside it
        assert at[2] == pytest.approx(ax.transData.transform((7, 0))[0], abs=0.01)  # alone at 7: on it
        assert len({line.get_color() for line in best}) == 3
