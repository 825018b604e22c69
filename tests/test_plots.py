"""Report plots: what they leave on the terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_names_in_a_script_the_font_lacks_leave_no_warnings(tmp_path):
    """A site's class or file names in CJK are drawn as boxes; matplotlib warned twice per glyph."""
    pytest.importorskip("matplotlib")
    code = ("import numpy as np, pathlib, sys\n"
            "from convert.plots import confusion_grid\n"
            "confusion_grid({'病人': np.eye(2, dtype=int)}, ['新冠', '正常'], pathlib.Path(sys.argv[1]))\n")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "c.png")], capture_output=True, text=True,
                       timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "c.png").stat().st_size > 0
    assert "Glyph" not in r.stderr, r.stderr


# Accessibility: what each figure shows, read from the Figure objects (not pixels). _save is wrapped
# so a test sees every figure a plot function made; a closed Figure can still be inspected.

@pytest.fixture
def figures(monkeypatch):
    pytest.importorskip("matplotlib")
    from convert import plots

    made = []
    real = plots._save

    def keep(fig, path, mark=""):
        made.append(fig)
        real(fig, path, mark)

    monkeypatch.setattr(plots, "_save", keep)
    return made


def _renderer(fig):
    """A renderer for a figure pyplot has closed (its canvas is then a bare FigureCanvasBase)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    return FigureCanvasAgg(fig).get_renderer()


def _curves(ax):
    return [line for line in ax.get_lines() if not line.get_label().startswith("_")]


def _scores(n_classes, n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    logits = rng.normal(size=(n, n_classes)) + 1.5 * np.eye(n_classes)[y]
    return y, np.exp(logits) / np.exp(logits).sum(1, keepdims=True)


def test_roc_curves_differ_in_style_not_only_colour(figures, tmp_path):
    from convert.plots import roc_curves

    y, p = _scores(4)
    roc_curves(y, p, ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"], tmp_path / "roc.png")
    lines = _curves(figures[0].axes[0])
    assert len(lines) == 4
    assert len({(line.get_linestyle(), line.get_marker()) for line in lines}) == 4
    assert len({line.get_color() for line in lines}) == 4
    assert all("AUROC" in line.get_label() for line in lines)


@pytest.mark.parametrize("classes", [["COVID", "Normal"], ["Normal", "COVID"], ["No_Finding", "COVID"]])
def test_two_class_roc_shows_the_class_that_is_not_normal(figures, tmp_path, classes):
    from convert.plots import roc_curves

    y, p = _scores(2)
    roc_curves(y, p, classes, tmp_path / "roc.png")
    ax = figures[0].axes[0]
    assert [line.get_label().split(" (")[0] for line in _curves(ax)] == ["COVID"]
    assert "COVID" in ax.get_ylabel() and "COVID" in ax.get_xlabel()
    assert _curves(ax)[0].get_marker() in (None, "None", "")  # a lone curve's markers would read as operating points


def test_sensitivity_bars_have_hatches_a_title_and_the_legend_off_the_bars(figures, tmp_path):
    from convert.sensitivity_plot import sensitivity_bars

    row = {"sensitivity": 0.8, "sensitivity_ci": [0.7, 0.9]}
    models = {f"m{k}": [row, row] for k in range(5)}
    sensitivity_bars(models, ["COVID", "Normal"], tmp_path / "s.png")
    fig = figures[0]
    ax = fig.axes[0]
    hatches = [bars.patches[0].get_hatch() or "" for bars in ax.containers if hasattr(bars, "patches")]
    assert len(hatches) == 5 and len(set(hatches)) == 5
    assert ax.get_title() and ax.get_xlabel()
    renderer = _renderer(fig)
    assert ax.get_legend().get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1  # beside the axes
    # seven models and long, turned class names: the legend meets neither the names nor the axis label
    figures.clear()
    names = ["COVID", "Normal", "Non-COVID_lung_infection", "Bacterial_Pneumonia_confirmed"]
    sensitivity_bars({f"m{k}": [row] * 4 for k in range(7)}, names, tmp_path / "s7.png")
    ax = figures[0].axes[0]
    renderer = _renderer(figures[0])
    legend = ax.get_legend().get_window_extent(renderer)
    for text in [ax.xaxis.label, *ax.get_xticklabels()]:
        box = text.get_window_extent(renderer)
        assert not (legend.x0 < box.x1 and box.x0 < legend.x1 and legend.y0 < box.y1 and box.y0 < legend.y1)


def test_confusion_text_is_dark_on_a_light_cell_and_an_empty_row_has_no_percentage(figures, tmp_path):
    from convert.plots import confusion_grid

    confusion_grid({"m": np.array([[65, 35], [0, 0]])}, ["COVID", "Normal"], tmp_path / "c.png")
    cells = {t.get_text(): t for t in figures[0].axes[0].texts}
    assert cells["65\n65%"].get_color() == "black"
    assert "0\n–" in cells and "0\n0%" not in cells


def test_confusion_shares_round_a_half_up_as_the_tables_read(figures, tmp_path):
    """A class of 8 films showed 1 of 8 as '12%' but 3 of 8 as '38%' (the float format rounds a half to even), beside
    report.md's 12.5 and 37.5 (hunt 59, nits): every half goes up, and a share off 0 and 100% never reads as either."""
    from convert.plots import confusion_grid

    confusion_grid({"m": np.array([[1, 3, 4, 0], [5, 0, 0, 3], [0, 0, 0, 0], [1, 0, 0, 299]])},
                   ["COVID", "Normal", "Viral", "Other"], tmp_path / "c.png")
    cells = {t.get_text() for t in figures[0].axes[0].texts}
    assert {"1\n13%", "3\n38%", "4\n50%", "5\n63%", "1\n0.3%", "299\n99.7%"} <= cells, cells


def test_reliability_markers_grow_with_their_bins_and_fit_the_axes(figures, tmp_path):
    from convert.plots import reliability

    bins = [{"count": 1, "confidence": 0.55, "accuracy": 1.0}, {"count": 200, "confidence": 0.95, "accuracy": 0.9},
            {"count": 0, "confidence": None, "accuracy": None}]
    reliability({"keras": bins, "int8": bins}, tmp_path / "r.png")
    ax = figures[0].axes[0]
    sizes = ax.collections[0].get_sizes()
    assert sizes[1] == pytest.approx(200 * sizes[0])
    assert ax.get_ylim()[0] < 0 and ax.get_ylim()[1] > 1
    assert ax.get_title()
    models = [line for line in ax.get_lines() if line.get_color() != "grey"]
    assert len({line.get_linestyle() for line in models}) == 2 and "--" not in {line.get_linestyle() for line in models}
    assert ax.get_xlim() == (0.0, 1.0)
    reliability({"int8": bins}, tmp_path / "r2.png", floor=0.5)  # two classes: no top-class probability below 0.5
    assert figures[1].axes[0].get_xlim() == (0.5, 1.0)


def test_operating_points_curve_is_grey_and_the_suptitle_clears_the_panels(figures, tmp_path):
    from convert.plots import operating_points
    from convert.roc import operating_points as rows_of

    y, p = _scores(2)
    rows = rows_of(y, p, y, p, ["COVID", "Normal"])
    stored = {"class": "COVID", "threshold": rows[0]["threshold"], "test": rows[0]["test"]}
    operating_points(y, p, ["COVID", "Normal"], rows, tmp_path / "op.png", stored)
    fig = figures[0]
    import matplotlib.colors as mc

    curve, *points = [line for line in fig.axes[0].get_lines() if len(line.get_xdata()) > 2]
    assert mc.to_hex(curve.get_color()) == mc.to_hex("0.4")
    colours = [mc.to_hex(line.get_color()) for line in fig.axes[0].get_lines() if line.get_label()[0] != "_"]
    assert len(set(colours)) == len(colours) and mc.to_hex("0.4") not in colours
    renderer = _renderer(fig)
    top = max(ax.title.get_window_extent(renderer).y1 for ax in fig.axes)
    assert fig._suptitle.get_window_extent(renderer).y0 >= top
    assert min(t.get_fontsize() for t in fig.axes[0].get_legend().get_texts()) >= 9


def test_evidence_is_brightest_where_strongest_and_outlined(figures, tmp_path):
    """Red to yellow over the film printed weak evidence on bright film darker than none; the blue frame printed as
    the film's own grey."""
    from convert.evidence_plot import occlusion_grid
    from edge.evidence_paint import luminance

    heat = np.zeros((32, 32))
    heat[12:20, 12:20] = 1.0
    heat[24:28, 4:8] = 0.3
    from edge.explain import Occlusion

    image = np.full((32, 32), 220, np.uint8)  # bright film: bone, heart, diaphragm
    image[:8] = 0  # padding above a film 24 rows high: the frame is the film's outer eighth
    occlusion_grid([image, image], [Occlusion(heat, (8, 32, 0, 32), 0.0, 1.0), Occlusion(heat, (8, 32, 0, 32), 0.0, 0.01)],
                   ["a.png", "b.png"], tmp_path / "o.png")
    ax = figures[0].axes[0]
    shown = np.asarray(ax.get_images()[-1].get_array())
    grey = luminance(shown)
    assert grey[15, 15] > grey[25, 5] > grey[10, 28]  # strongest the brightest, weak evidence lighter than none
    assert ax.collections, "no contour outline"
    edges = {p.get_edgecolor()[:3] for p in ax.patches}
    assert edges == {(0.0, 0.0, 0.0), (1.0, 1.0, 1.0)}  # the frame: a dark line and a light one
    assert {(p.get_y(), p.get_height()) for p in ax.patches} == {(8 + 3 - 0.5, 24 - 6)}  # rows 8-32, less 3 a side
    quiet = figures[0].axes[1]  # a largest fall under MIN_FALL: no evidence, nothing painted, and said
    assert (np.asarray(quiet.get_images()[-1].get_array())[..., 0] == image).all() and "no evidence" in quiet.get_title()


def test_occlusion_titles_never_cover_the_map_above_and_keep_p_whole(figures, tmp_path):
    """A three- or four-line title printed over the bottom of the map above it, and wrapped '(p' from '= 0.36)'."""
    from convert.evidence_plot import occlusion_grid
    from edge.explain import Occlusion

    images = [np.full((32, 32), 128, np.uint8)] * 6
    maps = [Occlusion(np.ones((32, 32)), (0, 32, 0, 32), 0.0, 1.0)] * 6
    titles = ["synthetic-Lung_Opacity-0006.png\ntrue Lung_Opacity, said Viral_Pneumonia (p = 0.36)",
              "a.png\ntrue Viral_Pneumonia_in_children_under_five_yr, said Opacité_of_the_lung (p = 0.15)",
              "b.png\ntrue COVID, said Normal (p = 0.90)"] * 2
    occlusion_grid(images, maps, titles, tmp_path / "o.png")
    fig = figures[0]
    r = _renderer(fig)
    axes = fig.axes
    for upper, lower in zip(axes[:3], axes[3:]):
        image_box = upper.get_images()[0].get_window_extent(r)
        assert lower.title.get_window_extent(r).y1 <= image_box.y0, lower.get_title()
    assert all("(p\u00a0=\u00a0" in line or "(p" not in line for a in axes for line in a.get_title().split("\n"))


def test_pngs_are_150_dpi_with_the_footer(figures, tmp_path):
    from PIL import Image

    from convert.plots import roc_curves

    y, p = _scores(3)
    roc_curves(y, p, ["a", "b", "c"], tmp_path / "roc.png")
    assert any("not a medical device" in t.get_text() for t in figures[0].texts)
    with Image.open(tmp_path / "roc.png") as img:
        assert img.info["dpi"] == pytest.approx((150, 150), abs=0.5)


SEVEN = ["COVID", "Normal", "Effusion_x", "Tuberculosis", "Lung_Opacity_very_long_name_here", "Lungenentzündung",
         "Pneumothorax_überblähung"]


def _overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_seven_long_class_names_stay_readable(figures, tmp_path):
    """Seven classes with long names: the ROC legend covered the curves' early rise and the axis, class names
    overprinted on the sensitivity bars and in occlusion titles, and the operating points made one 4,815 px row."""
    from convert.evidence_plot import occlusion_grid
    from convert.plots import operating_points, roc_curves
    from convert.sensitivity_plot import sensitivity_bars
    from convert.roc import operating_points as rows_of

    y, p = _scores(7, n=140)
    roc_curves(y, p, SEVEN, tmp_path / "roc.png")
    row = {"sensitivity": 0.8, "sensitivity_ci": [0.7, 0.9]}
    sensitivity_bars({m: [row] * 7 for m in ("keras", "int8", "fp32")}, SEVEN, tmp_path / "s.png")
    operating_points(y, p, SEVEN, rows_of(y, p, y, p, SEVEN), tmp_path / "op.png")
    from edge.explain import Occlusion

    images, heats = [np.zeros((32, 32), np.uint8)] * 3, [Occlusion(np.ones((32, 32)), (0, 32, 0, 32), 0.0, 1.0)] * 3
    titles = [f"film{k}.png\ntrue Lung_Opacity_very_long_name_here, said Pneumothorax_überblähung (p = 0.15)"
              for k in range(3)]
    occlusion_grid(images, heats, titles, tmp_path / "occ.png")
    roc, bars, points, occ = figures
    r = _renderer(roc)
    assert not _overlap(roc.axes[0].get_legend().get_window_extent(r), roc.axes[0].get_window_extent(r))
    labels = bars.axes[0].get_xticklabels()  # turned: their upright boxes may overlap, their letters do not
    assert all(t.get_rotation() == 30 and t.get_horizontalalignment() == "right" for t in labels)
    assert points.get_size_inches()[0] <= 3 * 4.6 and len([a for a in points.axes if a.axison]) == 7
    r = _renderer(occ)
    heads = [a.title.get_window_extent(r) for a in occ.axes if a.axison or a.get_title()]
    assert not any(_overlap(a, b) for a, b in zip(heads, heads[1:]))


@pytest.mark.parametrize("classes", [["COVID-19 (RT-PCR confirmed)", "Normal"],
                                     ["Normal", "Lung_Opacity", "No_Lung_Opacity_Not_Normal"],
                                     ["Normal", "COVID", "Viral_Pneumonia", "Opacity_of_the_lung_in_children_under_five"]])
def test_long_class_names_leave_the_confusion_matrix_legible(figures, tmp_path, classes):
    """A 27-letter class name squeezed a two-class matrix to a 20-pixel blob, its counts printed over each other."""
    from convert.plots import confusion_grid, roc_curves

    n = len(classes)
    confusion_grid({"int8": np.full((n, n), 10), "fp32": np.eye(n, dtype=int)}, classes, tmp_path / "c.png")
    fig = figures[0]
    r = _renderer(fig)
    for ax in fig.axes:
        box = ax.get_window_extent(r)
        cell = min(box.width, box.height) / n
        assert cell >= 0.5 * fig.dpi  # half an inch a cell at least
        assert all(t.get_window_extent(r).width < cell and t.get_window_extent(r).height < cell for t in ax.texts)
        for label in ax.get_yticklabels():  # the names stay beside the matrix, not on it
            assert label.get_window_extent(r).x1 <= box.x0
    y, p = _scores(n)
    roc_curves(y, p, classes, tmp_path / "roc.png")
    ax = figures[1].axes[0]
    r = _renderer(figures[1])
    assert not _overlap(ax.get_legend().get_window_extent(r), ax.get_window_extent(r))  # long names: legend beside


def test_names_no_font_has_are_marked_and_said_once(figures, tmp_path, monkeypatch, capsys):
    """CJK class names were drawn as boxes in every plot, silently (the glyph warning is filtered out)."""
    from convert import plot_fonts
    from convert.plots import confusion_grid, roc_curves
    from edge import caption

    monkeypatch.setattr(caption, "WIDE_FONT_FILES", ())  # a system with no CJK font
    plot_fonts.font_files.cache_clear()
    monkeypatch.setattr(plot_fonts, "_told", [])
    classes = ["正常", "肺炎", "新冠", "Lungenentzündung"]
    confusion_grid({"int8": np.eye(4, dtype=int)}, classes, tmp_path / "c.png")
    y, p = _scores(4)
    roc_curves(y, p, classes, tmp_path / "roc.png")
    labels = [t.get_text() for t in figures[0].axes[0].get_yticklabels()]
    assert labels[:3] == ["??", "??", "??"] and labels[3].replace("\n", "") == "Lungenentzündung"
    err = capsys.readouterr().err
    assert err.count("the plots cannot draw some letters") == 1 and "正常" in err and "Lungenentzündung" not in err
    plot_fonts.font_files.cache_clear()


def test_a_cjk_font_the_system_has_is_used_by_the_plots(monkeypatch):
    """matplotlib's own font list has no CJK font: the fonts edge.caption finds for --explain are added to it."""
    pytest.importorskip("matplotlib")
    import matplotlib
    from matplotlib import font_manager

    from convert import plot_fonts
    from edge import caption

    other = font_manager.findfont(font_manager.FontProperties(family="DejaVu Serif"))  # stands in for Noto Sans CJK
    monkeypatch.setattr(caption, "WIDE_FONT_FILES", ("/no/such/font.ttc", other))
    plot_fonts.font_files.cache_clear()
    try:
        assert plot_fonts.font_files()[1:] == (other,)
        assert matplotlib.rcParams["font.family"] == ["DejaVu Sans", "DejaVu Serif"]
    finally:
        plot_fonts.font_files.cache_clear()
        matplotlib.rcParams["font.family"] = ["sans-serif"]


def test_every_bar_shows_its_interval_and_each_mode_keeps_its_colour(figures, tmp_path):
    """fp32, the seventh model, was a black bar with a black whisker and hatch; and it was black in sensitivity.png
    but green in reliability.png."""
    import matplotlib.colors as mc

    from convert.plots import reliability
    from convert.sensitivity_plot import sensitivity_bars

    modes = ["keras", "int8", "int8-full", "int16x8", "dynamic", "fp16", "fp32"]
    row = {"sensitivity": 1.0, "sensitivity_ci": [0.51, 1.0]}
    sensitivity_bars({m: [row, row] for m in modes}, ["COVID", "Normal"], tmp_path / "s.png")
    ax = figures[0].axes[0]
    bars = [c for c in ax.containers if hasattr(c, "patches")]
    fills = {m: mc.to_hex(b.patches[0].get_facecolor()) for m, b in zip(modes, bars)}
    assert "#000000" not in fills.values() and len(set(fills.values())) == 7
    whiskers = [c for c in ax.containers if not hasattr(c, "patches")]
    colours = {mc.to_hex(c.lines[2][0].get_color()[0]) for c in whiskers}  # a white whisker under a black one
    assert colours == {"#ffffff", "#000000"}
    bins = [{"count": 5, "confidence": 0.9, "accuracy": 0.8}]
    reliability({"keras": bins, "int8": bins, "fp32": bins}, tmp_path / "r.png")
    lines = {line.get_label(): mc.to_hex(line.get_color()) for line in figures[1].axes[0].get_lines()}
    assert {m: lines[m] for m in ("keras", "int8", "fp32")} == {m: fills[m] for m in ("keras", "int8", "fp32")}


def test_nine_classes_never_share_colour_and_line_style_and_no_line_is_pale_yellow(figures, tmp_path):
    import matplotlib.colors as mc

    from convert.plots import roc_curves

    y, p = _scores(12, n=240)
    roc_curves(y, p, [f"class{k}" for k in range(12)], tmp_path / "roc.png")
    lines = _curves(figures[0].axes[0])
    assert len({(mc.to_hex(line.get_color()), line.get_linestyle()) for line in lines}) == 12
    assert "#f0e442" not in {mc.to_hex(line.get_color()) for line in lines}


def test_training_curves_tell_members_and_splits_apart_without_colour(tmp_path, monkeypatch):
    """curves.png drew ensemble members 2 and 3 in one colour and shade, train and validation both solid (told apart
    by colour alone), and its legend sat on the loss curves."""
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from train.curves import plot_curves

    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    rng = np.random.default_rng(0)
    histories = [{"loss": list(1 / np.arange(1, 9) + rng.random(8) / 10), "val_loss": list(1 / np.arange(1, 9) + 0.1),
                  "accuracy": list(np.linspace(0.5, 0.9, 8)), "val_accuracy": list(np.linspace(0.5, 0.8, 8)),
                  "best_epoch": [6]} for _ in range(3)]
    plot_curves(histories, tmp_path / "curves.png")
    fig = kept[0]
    for ax in fig.axes:
        curves = [line for line in ax.get_lines() if len(line.get_xdata()) > 2]
        assert len(curves) == 6
        looks = {(line.get_linestyle(), line.get_marker()) for line in curves}  # what a greyscale print keeps
        assert len(looks) == 6
        assert {line.get_linestyle() for line in curves if line.get_label().startswith("train")} == {"-"}
        assert {line.get_linestyle() for line in curves if line.get_label().startswith("validation")} == {"--"}
    r = _renderer(fig)
    legend = fig.axes[1].get_legend().get_window_extent(r)
    assert not any(_overlap(legend, ax.get_window_extent(r)) for ax in fig.axes)


def test_training_curves_of_one_epoch_show_their_point(tmp_path, monkeypatch):
    """A one-epoch run's curves.png showed nothing but the 'best' line: one point drawn as a line without a marker is
    invisible (markers were for ensembles only); and it was saved at 100 dpi against the report plots' 150."""
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt
    from PIL import Image

    from convert.plots import DPI
    from train.curves import plot_curves

    kept = []
    monkeypatch.setattr(plt, "close", kept.append)
    history = {"loss": [0.7], "val_loss": [0.69], "accuracy": [0.5], "val_accuracy": [0.55], "best_epoch": [1]}
    plot_curves([history], tmp_path / "curves.png")
    for ax in kept[0].axes:
        points = [line for line in ax.get_lines() if line.get_label() in ("train", "validation")]
        assert len(points) == 2 and all(line.get_marker() not in (None, "None", "", " ") for line in points)
    assert round(Image.open(tmp_path / "curves.png").info["dpi"][0]) == DPI
    long = {k: v * 30 for k, v in history.items() if k != "best_epoch"} | {"best_epoch": [20]}
    plot_curves([long], tmp_path / "long.png")  # a long single run stays plain lines, as before
    assert all(line.get_marker() in (None, "None", "", " ") for ax in kept[1].axes for line in ax.get_lines())


LONG_FOUR = ["COVID-19 pneumonia confirmed by RT-PCR", "Lung opacity, other (adult, NIH ChestX-ray14)",
             "Normal (no acute cardiopulmonary finding)", "Viral pneumonia, non-COVID (paediatric)"]


def test_four_long_class_names_and_three_models_leave_labels_and_bars_uncovered(figures, tmp_path):
    """Four long names: the operating points' axis labels ran into the next panels, the confusion matrix's turned names
    into each other ('cardiopulmonar' / 'y'), and three models' legend sat on the bars and their whiskers."""
    from convert.plots import confusion_grid, operating_points
    from convert.sensitivity_plot import sensitivity_bars
    from convert.roc import operating_points as rows_of

    y, p = _scores(4)
    operating_points(y, p, LONG_FOUR, rows_of(y, p, y, p, LONG_FOUR), tmp_path / "op.png")
    fig = figures[0]
    r = _renderer(fig)
    panels = [ax for ax in fig.axes if ax.axison]
    boxes = [ax.xaxis.label.get_window_extent(r) for ax in panels]
    assert not any(_overlap(a, b) for k, a in enumerate(boxes) for b in boxes[k + 1:])
    for ax in panels:  # each y label within its panel's height
        box, label = ax.get_window_extent(r), ax.yaxis.label.get_window_extent(r)
        assert box.y0 <= label.y0 and label.y1 <= box.y1
    confusion_grid({"int8": np.full((4, 4), 5)}, LONG_FOUR, tmp_path / "c.png")
    r = _renderer(figures[1])
    ticks = [t.get_window_extent(r) for t in figures[1].axes[0].get_xticklabels()]
    assert not any(_overlap(a, b) for k, a in enumerate(ticks) for b in ticks[k + 1:])
    assert any("cardiopulmonary" in t.get_text() for t in figures[1].axes[0].get_xticklabels())
    row = {"sensitivity": 0.5, "sensitivity_ci": [0.1, 0.9]}
    sensitivity_bars({m: [row] * 4 for m in ("keras", "int8", "fp32")}, ["COVID", "Lung_Opacity", "Normal",
                                                                          "Viral_Pneumonia"], tmp_path / "s.png")
    ax = figures[2].axes[0]
    r = _renderer(figures[2])
    assert ax.get_legend().get_window_extent(r).x0 >= ax.get_window_extent(r).x1  # beside the axes, off the bars


def test_roc_curves_of_no_films_draw_the_axes_not_a_crash(figures, tmp_path):
    """evaluation_report on no films (the commands refuse them first, a caller of the function may not) stopped in
    roc_curves on the minimum of an empty array, where summarize handles none."""
    from convert.plots import roc_curves

    roc_curves(np.zeros(0, int), np.zeros((0, 2)), ["COVID", "Normal"], tmp_path / "roc.png")
    assert (tmp_path / "roc.png").stat().st_size > 0


def test_a_synthetic_models_evaluation_plots_say_so_in_their_footer(figures, tmp_path):
    """cxr-evaluate's plots of a model trained on drawings carried only 'Research software, not a medical device':
    pasted into a slide, nothing said the model had never seen an X-ray (hunt 58, H1)."""
    from convert.report import evaluation_report

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 25)
    p = np.clip(np.where(y == 0, 0.7, 0.3) + rng.normal(0, 0.2, y.size), 0.01, 0.99)
    probs = np.stack([p, 1 - p], 1)
    files = [f"f{k}.png" for k in range(y.size)]
    evaluation_report(tmp_path / "syn", "m on site", y, probs, ["COVID", "Normal"], files, n_boot=20,
                      extra={"synthetic_data": True})
    footers = [fig.texts[-1].get_text() for fig in figures]
    assert len(footers) == 3 and all(f.startswith("TRAINED ON SYNTHETIC IMAGES: says nothing about real X-rays. "
                                                  "Research software") for f in footers), footers
    figures.clear()
    evaluation_report(tmp_path / "real", "m on site", y, probs, ["COVID", "Normal"], files, n_boot=20)
    assert [fig.texts[-1].get_text() for fig in figures] == ["Research software, not a medical device"] * 3


def test_each_roc_curve_says_how_many_films_it_rests_on(figures, tmp_path):
    """roc.png read alone (a slide, a mail) showed 'COVID (AUROC 0.583)' for 12 COVID films against one Normal
    film, where report.md says the interval is n/a: the legend now gives each curve's films on both sides."""
    from convert.plots import roc_curves

    y = np.array([0] * 12 + [1])
    p = np.column_stack([np.linspace(0.6, 0.4, 13), np.linspace(0.4, 0.6, 13)])
    roc_curves(y, p, ["COVID", "Normal"], tmp_path / "roc.png")
    [label] = [line.get_label() for line in _curves(figures[0].axes[0])]
    assert label.startswith("COVID (AUROC ") and label.endswith("; 12 vs 1 films)"), label
