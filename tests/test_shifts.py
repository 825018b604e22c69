"""convert.shifts.robustness: balanced accuracy, drop and answer movement under simulated shifts."""

from __future__ import annotations

import numpy as np
import pytest

from convert.metrics import sensitivities
from convert.shifts import SHIFTS, answers_moved, hardest_hit, lean, moved_into, robustness
from edge.preprocess import PreprocessConfig, preprocess_gray


def _films(n: int = 10, seed: int = 0) -> list[np.ndarray]:
    """Film-like grayscale images: a bright body with two darker lungs, sizes varying."""
    rng = np.random.default_rng(seed)
    films = []
    for k in range(n):
        h, w = 120 + 8 * k, 100 + 6 * k
        g = np.full((h, w), 30, np.uint8)
        g[10:-10, 8:-8] = 170
        g[25:-30, 15:w // 2 - 4] = 70 + 6 * k
        g[25:-30, w // 2 + 4:-15] = 70 + 6 * k
        films.append(np.clip(g + rng.normal(0, 6, g.shape), 0, 255).astype(np.uint8))
    return films


CONFIG = PreprocessConfig(size=64, channels=1)


def centre_brightness(x: np.ndarray) -> np.ndarray:
    """A stand-in model that reads the centre's brightness: tighter crops and rotations move it."""
    c = x[:, 24:40, 24:40].astype(float).mean(axis=(1, 2, 3)) / 255.0
    return np.stack([c, 1 - c], axis=1)


def test_answers_moved_by_hand():
    p = np.array([[1.0, 0.0], [0.5, 0.5], [0.2, 0.8]])
    q = np.array([[0.0, 1.0], [0.5, 0.5], [0.4, 0.6]])
    assert answers_moved(p, q) == pytest.approx((1.0 + 0.0 + 0.2) / 3) == answers_moved(q, p)
    assert answers_moved(p, p) == 0.0


def test_a_model_that_ignores_its_input_is_never_moved():
    y = np.array([0, 1] * 5)
    rob = robustness(lambda x: np.tile([0.7, 0.3], (len(x), 1)), _films(), CONFIG, y, 2)
    assert list(rob) == ["none", *SHIFTS]
    for r in rob.values():
        assert r["answers_moved"] == 0.0 and r["drop_points"] == 0.0 and r["balanced_accuracy"] == 0.5


def test_answers_moved_is_the_mean_total_variation_and_chunks_do_not_matter():
    from edge.preprocess import preprocess_gray

    films, y = _films(), np.array([0, 1] * 5)
    rob = robustness(centre_brightness, films, CONFIG, y, 2)
    calls = []
    again = robustness(centre_brightness, iter(films), CONFIG, y, 2, chunk=3, done=lambda: calls.append(1))
    assert again == rob and len(calls) == len(films)
    one_thread = robustness(centre_brightness, films, CONFIG, y, 2, chunk=4, workers=1)
    by_index = robustness(centre_brightness, range(len(films)), CONFIG, y, 2, chunk=4, workers=3, load=films.__getitem__)
    assert one_thread == rob == by_index  # threads and loading in them keep each film's answers in order
    p0 = centre_brightness(np.stack([preprocess_gray(g, CONFIG) for g in films]))
    p1 = centre_brightness(np.stack([preprocess_gray(SHIFTS["zoom 0.85"](g), CONFIG) for g in films]))
    assert rob["zoom 0.85"]["answers_moved"] == pytest.approx(np.mean(np.abs(p1 - p0).sum(1) / 2))
    assert rob["zoom 0.85"]["answers_moved"] > 0.001  # the stand-in model does react to framing
    for name, r in rob.items():
        assert r["drop_points"] == pytest.approx(100 * (rob["none"]["balanced_accuracy"] - r["balanced_accuracy"])), name
        assert np.mean(r["sensitivity"]) == pytest.approx(r["balanced_accuracy"]), name  # both classes present
        assert r["class_counts"] == [5, 5], name


def test_a_stored_rule_labels_the_shifted_films_too():
    films, y = _films(), np.array([0, 1] * 5)
    rule = (0, 0.999)  # class 0 only when certain: the stand-in model never is, so every film is class 1
    rob = robustness(centre_brightness, films, CONFIG, y, 2, rule=rule)
    for r in rob.values():
        assert r["sensitivity"] == [0.0, 1.0] and r["balanced_accuracy"] == 0.5
    assert robustness(centre_brightness, films, CONFIG, y, 2)["none"]["sensitivity"] != [0.0, 1.0]


def test_per_class_sensitivity_and_the_class_a_shift_costs_most():
    y = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    pred = np.array([0, 0, 0, 1, 1, 1, 1, 1])
    assert sensitivities(y, pred, 4) == [0.75, 1.0, 0.0, None]  # class 3 has no images
    rob = {"none": {"sensitivity": [0.75, 1.0, 0.5, None]}, "a": {"sensitivity": [0.5, 1.0, 0.25, None]},
           "b": {"sensitivity": [0.75, 1.0, 0.75, None]}}
    assert hardest_hit(rob, "a") == (0, 25.0)  # a tie at 25 points goes to the first class listed
    assert hardest_hit(rob, "b") is None and hardest_hit(rob, "none") is None  # costs no class anything
    from convert.shift_report import robustness_section

    for name in rob:
        rob[name].update(balanced_accuracy=0.5, drop_points=0.0, answers_moved=0.0, moved_into=[0, 0, 0, 0],
                         label_counts=[2, 2, 2, 2], probability_change=[0.0] * 4)
    md = "\n".join(robustness_section(rob, ["COVID", "Normal", "Viral", "Other"]))
    assert "| a | 50.0 | 0.0 |  | 0.0 | COVID 25.0 |" in md and "| b | 50.0 | 0.0 |  | 0.0 |  |" in md
    assert "Few films" not in md  # a report of cxr-edge 0.15.0: no counts to speak of
    rob["none"]["class_counts"] = [4, 2, 2, 0]  # as robustness gives them: a drop is read as films
    md = "\n".join(robustness_section(rob, ["COVID", "Normal", "Viral", "Other"]))
    assert "| a | 50.0 | 0.0 |  | 0.0 | COVID 25.0 (1 of 4 films) |" in md
    # balanced accuracy averages the 3 classes with films: one Normal film is 50 / 3 points of it, not 50 / 4
    assert "Few films: Normal has 2, so one of its films is 50.0 points of its sensitivity and 16.7 of" in md


def test_each_named_shift_applies_the_setting_its_name_says():
    """The 'Under simulated acquisition shifts' table names each row by its setting; a row whose shift applied
    another (gamma 0.6 under 'gamma 1.6', 15% of each side kept under 'zoom 0.85', a black frame under 'white
    border 8%') reports a film change that was never made and hides the one it names."""
    rng = np.random.default_rng(0)
    film = rng.integers(40, 216, (200, 160)).astype(np.uint8)
    mid = np.full((64, 64), 128, np.uint8)
    assert SHIFTS["gamma 0.6"](mid)[0, 0] == round(255 * (128 / 255) ** 0.6) == 169  # brighter
    assert SHIFTS["gamma 1.6"](mid)[0, 0] == round(255 * (128 / 255) ** 1.6) == 85  # darker
    assert SHIFTS["contrast x0.6"](film).std() == pytest.approx(0.6 * film.std(), rel=0.02)
    assert SHIFTS["noise sd 12"](mid).astype(float).std() == pytest.approx(12, rel=0.1)
    assert SHIFTS["zoom 0.85"](film).shape == (170, 136)
    assert SHIFTS["crop height 0.85"](film).shape == (170, 160)
    assert SHIFTS["crop width 0.85"](film).shape == (200, 136)
    black = SHIFTS["border pad 12%"](film)
    assert black.shape == (200 + 2 * 24, 160 + 2 * 24) and black[0, 0] == black[-1, -1] == 0
    white = SHIFTS["white border 8%"](film)
    assert white.shape == (200 + 2 * 16, 160 + 2 * 16) and white[0, 0] == white[-1, -1] == 255


def test_few_films_of_one_class_are_warned_of_beside_a_large_class():
    """The caution was tested on the largest class: 4 COVID films beside 400 Normal lost 'Few films: COVID has 4',
    and a one-film drop under a shift (25 points of COVID sensitivity) read as a weakness."""
    from convert.shift_report import few_films_lines

    lines = few_films_lines([4, 400], ["COVID", "Normal"])
    assert lines and lines[0].startswith("Few films: COVID has 4, so one of its films is 25.0 points of its sensitivity")
    assert few_films_lines([30, 400], ["COVID", "Normal"]) == []


def test_vendor_processing_shifts_sharpen_edges_and_equalise_locally():
    # A step edge, as at a rib or the heart border: unsharp masking overshoots on both sides.
    g = np.zeros((256, 256), np.uint8)
    g[:, :128], g[:, 128:] = 60, 200
    fine, coarse = SHIFTS["edge enhancement"](g), SHIFTS["local contrast"](g)
    for out, reach in ((fine, 6), (coarse, 40)):
        row = out[128].astype(int)
        assert row[128 - reach // 2:128].min() < 60 and row[128:128 + reach // 2].max() > 200  # overshoot near the edge
        assert abs(int(row[5]) - 60) <= 2 and abs(int(row[-5]) - 200) <= 2  # and none far from it
    # The fine mask works within a few pixels; the coarse one reaches ten times as far.
    assert fine[128, 110] == 60 and coarse[128, 110] < 60
    # Radii scale with the film: the same film at twice the size is processed alike.
    big = np.repeat(np.repeat(g, 2, 0), 2, 1)
    assert np.abs(SHIFTS["local contrast"](big)[::2, ::2].astype(int) - coarse.astype(int)).mean() < 3



def test_one_axis_crops_change_the_films_shape_and_preprocessing_pads_it():
    g = np.arange(200 * 200, dtype=np.uint32).reshape(200, 200).astype(np.uint8)
    tall, wide = SHIFTS["crop width 0.85"](g), SHIFTS["crop height 0.85"](g)
    assert tall.shape == (200, 170) and wide.shape == (170, 200)
    assert np.array_equal(wide, g[15:185]) and np.array_equal(tall, g[:, 15:185])
    from edge.preprocess import preprocess_gray

    cfg = PreprocessConfig(size=64, channels=1, trim_borders=False)
    x = preprocess_gray(wide, cfg)[..., 0]
    # The landscape film fills the width and gets bars at top and bottom, as a Hannover film does.
    assert (x[:3] == 0).all() and (x[-3:] == 0).all() and (x[:, :3] != 0).any()


def test_moved_into_counts_changed_labels_by_the_class_they_went_to():
    before, after = np.array([0, 0, 1, 1, 2]), np.array([0, 1, 0, 2, 2])
    assert moved_into(before, after, 4) == [1, 1, 1, 0]
    assert moved_into(after, before, 4) == [1, 2, 0, 0]  # by the class they left
    assert moved_into(before, before, 3) == [0, 0, 0]


def test_robustness_says_where_the_changed_labels_went():
    films, y = _films(), np.array([0, 1] * 5)
    rob = robustness(centre_brightness, films, CONFIG, y, 2)
    clean = centre_brightness(np.stack([preprocess_gray(g, CONFIG) for g in films])).argmax(1)
    assert rob["none"]["moved_into"] == [0, 0] and rob["none"]["label_counts"] == np.bincount(clean, minlength=2).tolist()
    for name, shift in SHIFTS.items():
        after = centre_brightness(np.stack([preprocess_gray(shift(g), CONFIG) for g in films])).argmax(1)
        assert rob[name]["moved_into"] == [int(((after == k) & (clean != k)).sum()) for k in range(2)], name
        assert sum(rob[name]["label_counts"]) == len(films)
        p = centre_brightness(np.stack([preprocess_gray(shift(g), CONFIG) for g in films]))
        p0 = centre_brightness(np.stack([preprocess_gray(g, CONFIG) for g in films]))
        assert np.allclose(rob[name]["probability_change"], (p - p0).mean(axis=0)), name
    assert sum(sum(r["moved_into"]) for r in rob.values()) > 0  # the stand-in model does change its mind


def test_lean_totals_the_changed_labels_and_the_probability_changes_over_the_shifts():
    rob = {"none": {"moved_into": [0, 0], "probability_change": [0.0, 0.0]},
           "a": {"moved_into": [2, 0], "probability_change": [0.2, -0.2]},
           "b": {"moved_into": [1, 1], "probability_change": [-0.1, 0.1]}}
    r = lean(rob)
    assert r["into"] == [3, 1] and np.allclose(r["mean_dp"], [0.05, -0.05])  # "none" is not a shift


def test_the_report_names_the_class_the_changed_labels_lean_towards():
    from convert.shift_report import lean_lines

    def rob(into_per_shift):
        r = {"none": {"moved_into": [0, 0], "label_counts": [50, 50], "probability_change": [0.0, 0.0]}}
        r.update({f"s{i}": {"moved_into": m, "wrong_into": m, "probability_change": [0.0, 0.0], "answers_moved": 0.05}
                  for i, m in enumerate(into_per_shift)})  # every change now wrong, the answers moved 5%
        return r

    leaning = " ".join(lean_lines(rob([[6, 1], [5, 0], [4, 2]]), ["COVID", "Normal"]))
    assert "18 labels changed: 15 into COVID (83%), 3 into Normal (17%)" in leaning
    assert "lean towards COVID (83% of them, against 50%" in leaning and "false COVID calls" in leaning
    even = " ".join(lean_lines(rob([[5, 4], [4, 5]]), ["COVID", "Normal"]))
    assert "18 labels changed" in even and "lean" not in even
    few = " ".join(lean_lines(rob([[3, 0], [2, 0]]), ["COVID", "Normal"]))
    assert "5 labels changed" in few and "lean" not in few  # too few changes to name a lean
    assert lean_lines(rob([[0, 0]]), ["COVID", "Normal"]) == []


def test_an_equal_score_is_no_drop_however_its_sum_was_taken():
    """(0/50 + 6/50) / 2 and (1/50 + 5/50) / 2 differ by 1e-17 in floats: a table printed "-0.0"."""
    from convert.shifts import drop_points

    clean, shifted = (0 / 50 + 6 / 50) / 2, (1 / 50 + 5 / 50) / 2
    assert clean != shifted and 100 * (clean - shifted) != 0
    d = drop_points(clean, shifted)
    assert d == 0.0 and f"{d:.1f}" == "0.0" and str(d) == "0.0"
    assert drop_points(0.9, 0.8) == pytest.approx(10.0) and drop_points(0.8, 0.9) == pytest.approx(-10.0)


def test_each_shift_counts_the_labels_it_changed_and_which_are_now_wrong_or_right():
    """The table gave only the net drop: 'drop 1.7' under local contrast hid that 18 of 120 films
    changed label, made wrong and made right in near-equal numbers, and a reader took the shift for harmless."""
    from convert.shifts import changed_labels

    y = np.array([0, 0, 0, 1, 1, 2])
    before = np.array([0, 0, 1, 1, 0, 0])
    after = np.array([1, 0, 0, 2, 1, 1])  # right->wrong, same, wrong->right, right->wrong, wrong->right, wrong->wrong
    assert changed_labels(before, after, y, 3) == {"changed": 5, "made_wrong": 2, "made_right": 2, "wrong_to_wrong": 1,
                                                   "wrong_into": [0, 2, 1]}
    films, y = _films(), np.array([0, 1] * 5)
    rob = robustness(centre_brightness, films, CONFIG, y, 2)
    for name, r in rob.items():
        assert r["changed"] == sum(r["moved_into"]) == r["made_wrong"] + r["made_right"] + r["wrong_to_wrong"], name
        assert sum(r["wrong_into"]) == r["made_wrong"] + r["wrong_to_wrong"] and r["wrong_to_wrong"] == 0, name
    assert rob["none"]["changed"] == 0 and any(r["changed"] for r in rob.values())
    from convert.shift_report import robustness_section

    r = rob["zoom 0.85"]
    md = "\n".join(robustness_section(rob, ["COVID", "Normal"]))
    assert f"| {r['drop_points']:.1f} | {r['changed']} of 10: {r['made_wrong']} made wrong, {r['made_right']} made right |" in md
    rob["blur"].update(changed=8, made_wrong=3, made_right=3, wrong_to_wrong=2)  # three or more classes
    assert "| 8 of 10: 3 made wrong, 3 made right, 2 wrong to wrong |" in "\n".join(robustness_section(rob, ["COVID", "Normal"]))


def test_the_shift_intro_says_the_drop_is_net_and_what_one_film_is_worth_at_any_size():
    """With 30 films a class the table said nothing of what a point is: '3.3 points' was one film, a drop of
    -4.2 (a gain) was not explained, and '0.0 answers moved' beside changed labels read as a contradiction."""
    from convert.shift_report import robustness_section

    rob = {name: {"balanced_accuracy": 0.5, "drop_points": 0.0, "answers_moved": 0.0, "moved_into": [0] * 4,
                  "label_counts": [30] * 4, "probability_change": [0.0] * 4, "sensitivity": [0.5] * 4,
                  "class_counts": [30] * 4} for name in ("none", "blur")}
    md = " ".join(robustness_section(rob, ["COVID", "Lung_Opacity", "Normal", "Viral_Pneumonia"]))
    assert "The drop is net" in md and "A negative drop is a gain" in md and "Few films" not in md
    assert "One film here is 3.3 points of a class's sensitivity (30 films a class) and 0.8 of balanced accuracy" in md
    for name in rob:
        rob[name]["class_counts"] = [20, 400, 0, 0]  # balanced accuracy averages the two classes with films
    md = " ".join(robustness_section(rob, ["COVID", "Normal", "Viral", "Other"]))
    assert "One film here is 5.0 points of COVID's sensitivity (20 films) to 0.2 of Normal's (400), and 2.5 to 0.1" in md


def test_the_shift_intro_says_near_ties_change_label_with_no_visible_movement():
    """'answers moved 0.0' beside 'COVID 4, Lung_Opacity 1' changed (run4 under gamma 0.6): the intro explained only
    answers that move without changing label, and the row read as a contradiction."""
    from convert.shift_report import robustness_section

    rob = {name: {"balanced_accuracy": 0.5, "drop_points": 0.0, "answers_moved": 0.0, "moved_into": [0, 0],
                  "label_counts": [5, 5], "probability_change": [0.0, 0.0], "sensitivity": [0.5, 0.5]}
           for name in ("none", "gamma 0.6")}
    assert "a film whose classes were near-tied can change label at 0.0" in " ".join(robustness_section(rob, ["A", "B"]))


def test_the_lean_is_read_from_the_changes_now_wrong_only():
    """Every changed label counted, a wrong answer made right among them: 15 changes into COVID that each
    put a COVID film right read as 'expect this model's errors to lean towards false COVID calls'."""
    from convert.shift_report import lean_lines

    def rob(into, wrong):
        r = {"none": {"moved_into": [0, 0], "label_counts": [50, 50], "probability_change": [0.0, 0.0]}}
        r["s"] = {"moved_into": into, "wrong_into": wrong, "probability_change": [0.0, 0.0], "answers_moved": 0.05}
        return r

    right = " ".join(lean_lines(rob([15, 3], [0, 3]), ["COVID", "Normal"]))
    assert "18 labels changed" in right and "3 of them are now wrong: 3 into Normal" in right
    assert "false COVID" not in right and "lean" not in right  # 3 errors: too few to name a lean
    normal = " ".join(lean_lines(rob([15, 12], [1, 12]), ["COVID", "Normal"]))
    assert "13 of them are now wrong" in normal and "lean towards Normal (92% of them" in normal
    assert "false Normal calls" in normal


def test_no_lean_is_read_of_a_model_at_chance_or_of_answers_that_hardly_moved():
    """run4, a 4-class model at chance (balanced accuracy 25.8%, interval 21.1 to 32.0%) whose answers moved 0.1% on
    average: its near-ties flipping were read as 'expect this model's errors to lean towards false Lung_Opacity calls'."""
    from convert.shift_report import lean_lines

    r = {"none": {"moved_into": [0, 0], "label_counts": [50, 50], "probability_change": [0.0, 0.0], "answers_moved": 0.0},
         "s": {"moved_into": [20, 2], "wrong_into": [20, 2], "probability_change": [0.0, 0.0], "answers_moved": 0.05}}
    above = {"classes_present": [0, 1], "balanced_accuracy_ci": [0.62, 0.8], "per_class": [{"class": "COVID"}, {"class": "Normal"}],
             "confusion_matrix": [[40, 10], [10, 40]]}
    assert "false COVID calls" in " ".join(lean_lines(r, ["COVID", "Normal"], above))
    at_chance = {**above, "balanced_accuracy_ci": [0.45, 0.6]}
    text = " ".join(lean_lines(r, ["COVID", "Normal"], at_chance))
    assert "false COVID" not in text and "No lean can be read: balanced accuracy's 95% interval (45.0 to 60.0%) " \
                                          "reaches down to chance (50.0%)" in text
    r["s"]["answers_moved"] = 0.004
    text = " ".join(lean_lines(r, ["COVID", "Normal"], above))
    assert "false COVID" not in text and "No lean can be read: the answers moved 0.4% on average" in text


def test_films_of_one_class_under_shifts_show_its_sensitivity_not_a_null_balanced_accuracy():
    """20 COVID films and none of another: robustness's balanced accuracy is null (convert.metrics, H66), and the
    table shows COVID sensitivity and its drop, as report.md's headline does, never 'nan'."""
    from convert.shift_report import robustness_section

    y = np.zeros(20, int)
    said = {"none": np.zeros(20, int), "blur": np.r_[np.zeros(15, int), np.ones(5, int)]}
    rob = {name: {"balanced_accuracy": None, "drop_points": None, "answers_moved": 0.0, "moved_into": [0, 0],
                  "label_counts": np.bincount(p, minlength=2).tolist(), "probability_change": [0.0, 0.0],
                  "sensitivity": sensitivities(y, p, 2), "class_counts": [20, 0]} for name, p in said.items()}
    md = "\n".join(robustness_section(rob, ["COVID", "Normal"]))
    assert "| shift | COVID sensitivity % | drop (points, net) |" in md and "nan" not in md
    assert "| none | 100.0 | 0.0 |" in md and "| blur | 75.0 | 25.0 |" in md


def test_one_films_worth_on_films_of_one_class_names_no_balanced_accuracy():
    """16 COVID films and none of another: the set has no balanced accuracy (null in report.json, its table shows COVID
    sensitivity), yet the shift section's paragraph and its few-films caution said one film was '6.2 of balanced
    accuracy' there. They give the class's sensitivity alone; two classes keep both figures."""
    from convert.shift_report import few_films_lines, film_worth

    worth, (few, _) = film_worth([16, 0], ["COVID", "Normal"]), few_films_lines([16, 0], ["COVID", "Normal"])
    assert "balanced accuracy" not in worth + few
    assert worth.startswith("One film here is 6.2 points of COVID's sensitivity (16 films): ")
    assert few.startswith("Few films: COVID has 16, so one of its films is 6.2 points of its sensitivity. A drop")
    assert "and 3.1 of balanced accuracy" in film_worth([16, 16], ["COVID", "Normal"])
    assert "sensitivity and 3.1 of balanced accuracy." in few_films_lines([16, 16], ["COVID", "Normal"])[0]
