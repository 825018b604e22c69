"""One film, one group, one label said as one: '1 of the 14 films are SYNTHETIC drawings', '1 films of this folder
were', '1 false alarms', 'Over all shifts 1 labels changed', 'wrote 1 SYNTHETIC images' were each said where a count
came to one (session 62's hunt, H21). Each test feeds the one-film case to the words of one family of modules."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from typer.testing import CliRunner


def test_one_synthetic_film_among_real_ones_is_one_drawing(tmp_path, capsys):
    """cxr-train's, an older run's and cxr-evaluate's note (edge.synthetic_words.drawn_among) and report.md's banner."""
    from PIL import Image

    from convert.evaluate_films import _drawn
    from convert.report import evaluation_report
    from edge.synthetic_words import drawn_among
    from train.data import Item, Split
    from train.split_synthetic import synthetic_unrecorded

    assert drawn_among(1, 14) == "1 of the 14 films is a SYNTHETIC drawing"
    assert drawn_among(8, 14) == "8 of the 14 films are SYNTHETIC drawings"
    assert drawn_among(14, 14, "films of its split") == "all 14 films of its split are SYNTHETIC drawings"
    assert drawn_among(1, 1) == "the one film is a SYNTHETIC drawing"  # 'all 1 films are'
    (tmp_path / "d" / "COVID").mkdir(parents=True)
    for name in ("synthetic-COVID-0000.png", "a.png", "b.png"):  # plain PNGs: the drawing known by its name
        Image.new("L", (8, 8)).save(tmp_path / "d" / "COVID" / name)
    parts = {"train": [Item("COVID/synthetic-COVID-0000.png", "COVID", "0" * 64), Item("COVID/a.png", "COVID", "1" * 64)],
             "val": [Item("COVID/b.png", "COVID", "2" * 64)]}
    _, line = synthetic_unrecorded({"cxr_edge_version": "0.15.0"}, Split(str(tmp_path / "d"), ["COVID"], parts),
                                   "run.json", "it is")
    assert "but 1 of the 3 films of its split is a SYNTHETIC drawing by cxr-synth (e.g. COVID/synthetic" in line
    items = [SimpleNamespace(path=f"f{k}.png") for k in range(3)]
    assert _drawn(False, SimpleNamespace(drawn=np.array([True, False, False]), items=items)) == {"synthetic": 1, "of": 3}
    assert "note: 1 of the 3 films is a SYNTHETIC drawing by cxr-synth (marked" in capsys.readouterr().err
    y, p0 = np.array([0, 0, 1, 1]), np.array([0.9, 0.6, 0.4, 0.1])
    evaluation_report(tmp_path / "r", "t", y, np.stack([p0, 1 - p0], 1), ["COVID", "Normal"],
                      [f"f{k}.png" for k in range(4)], n_boot=10, extra={"synthetic_films": {"synthetic": 1, "of": 4}})
    assert "> **1 of the 4 films is a SYNTHETIC drawing (cxr-synth).**" in (tmp_path / "r" / "report.md").read_text()


def test_report_mds_banner_on_drawings_says_what_cxr_evaluates_note_says(tmp_path):
    """The note said '8 of the 14 films are SYNTHETIC drawings', report.md's banner '8 of these 14 films are SYNTHETIC
    images', in its own plural logic; a folder of drawings alone read 'These films are SYNTHETIC images' for one film
    too. Both now come from edge.synthetic_words.drawn_among, with the count of films scored."""
    from convert.report import evaluation_report

    y, p0 = np.array([0, 0, 1, 1]), np.array([0.9, 0.6, 0.4, 0.1])
    for k, (drawn, said) in enumerate((({"synthetic": 3, "of": 4}, "3 of the 4 films are SYNTHETIC drawings"),
                                       (True, "All 4 films are SYNTHETIC drawings"))):
        evaluation_report(tmp_path / str(k), "t", y, np.stack([p0, 1 - p0], 1), ["COVID", "Normal"],
                          [f"f{k}.png" for k in range(4)], n_boot=10, extra={"synthetic_films": drawn})
        assert f"> **{said} (cxr-synth).** The figures, and any rule chosen on them, say nothing about real X-rays." in (
            tmp_path / str(k) / "report.md").read_text()


def test_one_seen_film_and_one_film_of_a_training_source_are_said_as_one():
    """convert.seen_lines and convert.study_design: '1 films that the model was trained ... on were left out',
    '1 of the films scored are ones', '1 films of this folder were among', '1 of the 3 films naming a source come
    from sources', '(1 of the 4 films name no source and are not counted)'."""
    from convert.seen_lines import seen_line
    from convert.study_design import design_line, design_note, design_short, evaluation_design

    note = {"split": "m.tflite (fingerprints inside the file)", "films": 1, "train": 1, "val": 0, "copies": 0,
            "left_out": True}
    assert seen_line(note).startswith("1 film that the model was trained (1) or validated (0) on was left out")
    assert seen_line({**note, "left_out": False}).startswith("**1 of the films scored is one the model was trained")
    trained = {"films": 10, "unnamed": 0, "sources": {"site-A": 7, "site-B": 3}, "more": 0}
    seen = evaluation_design(trained, ["site-C"] * 3, seen_films=1)
    assert design_line(seen).startswith("**Partly internal:** 1 film of this folder was among the model's training")
    assert design_short(seen).startswith("partly internal: 1 film of this folder was among its training")
    assert design_note(seen).startswith("1 film of this folder was among the model's training or validation films")
    mixed = evaluation_design(trained, ["site-A", "site-C", "site-C", ""])
    assert "1 of the 3 films naming a source comes from a source the model was trained on" in design_line(mixed)
    assert design_short(mixed) == "partly internal: 1 of the 3 films naming a source comes from a source it was trained on"
    external = evaluation_design(trained, ["site-C", "site-C", "site-C", ""])
    assert "no film here (1 of the 4 films names no source and is not counted) comes from" in design_line(external)


def test_report_sections_say_one_film_one_group_one_label_as_one():
    """quant_report's duplicates line, the input check, the calibration words, the missed-film advice and the
    shifts' lean: '1 groups span', '1 of 30 images look', 'The other 1 films lie', 'All 1 missed films come',
    'on 1 films of this folder', 'Over all shifts 1 labels changed'."""
    from convert.input_check_report import input_check_section
    from convert.missed import new_source_advice
    from convert.quant_report import training_data_section
    from convert.report_text import reliability_table
    from convert.shift_report import lean_lines

    data = {"counts": {"train": {"COVID": 10, "Normal": 10}},
            "hygiene": {"exact_duplicate_pairs": 1, "near_duplicate_pairs": 0, "duplicate_groups": 1,
                        "groups_across_splits": 1}}
    assert "; 1 group spans more than one split." in "\n".join(training_data_section(data))
    md = " ".join(input_check_section({}, np.r_[2.0, np.full(29, 0.5)], np.zeros(30, int), ["COVID", "Normal"],
                                      [f"f{i:02d}.png" for i in range(30)]))
    assert "1 of 30 images (3.3%) looks unlike the images the model was trained on" in md

    def bin_(lo, hi, count, confidence, accuracy):
        return {"lo": lo, "hi": hi, "count": count, "confidence": confidence, "accuracy": accuracy}

    words = reliability_table({"int8": [bin_(0.6, 2 / 3, 1, 0.64, 1.0), bin_(14 / 15, 1.0, 400, 0.98, 0.98)]}, floor=0.5)[-1]
    assert "The other 1 film lies in bins too sparse to judge" in words
    assert new_source_advice(1, {"site-X": 1}, 0).startswith(" The 1 missed film comes from a source the model was never")
    assert "trained or validated on 1 film of this folder (left out" in new_source_advice(3, {"site-X": 2}, 1)
    rob = {"none": {"label_counts": [5, 5], "moved_into": [0, 0], "probability_change": [0.0, 0.0], "answers_moved": 0.0},
           "blur": {"moved_into": [1, 0], "wrong_into": [1, 0], "probability_change": [0.02, -0.02], "answers_moved": 0.05}}
    assert lean_lines(rob, ["COVID", "Normal"])[0].startswith("Over all shifts 1 label changed: 1 into COVID")


def test_a_rule_chosen_on_one_film_of_its_class_says_one_case_one_other_one_false_alarm():
    """convert.rule_sections, site_flagged, site_rule_notes, rule_notes and the card: 'finds 1 of 1 COVID films',
    'of the 1 others, is not fitted: they played', '1 false alarms', '(3 COVID, 1 others; --keep-seen)',
    'on the other 1 films the rule', '1 of the 12 test films are ones its rule was chosen on', 'chosen on 1 films
    that are all COVID: they hold', '--save-model: the 1 films in SITE are all COVID'."""
    from convert.operating_point import site_operating_point
    from convert.rule_notes import chosen_films_line, less_sensitive_line
    from convert.rule_sections import false_alarms, site_point_section
    from convert.site_flagged import header_flagged_line
    from convert.site_rule_notes import check_site_films, seen_rule_line, site_rule_costs
    from edge.card import card_text

    y = np.array([0, 1])
    site = site_operating_point(y, np.array([[0.8, 0.2], [0.3, 0.7]]), ["COVID", "Normal"], 0, 0.9, films="films")
    text = "\n".join(site_point_section(site))
    assert "it finds 1 of 1 COVID film (" in text and "of the 1 other, is not fitted: it played no part" in text
    assert "(a threshold that finds 1 of 1 case is expected to find 1 in 2 of the cases to come" in text
    assert false_alarms({"fp": 1, "tn": 4}) == "1 false alarm" and false_alarms({"fp": 2, "tn": 3}) == "2 false alarms"
    alone = site_operating_point(np.array([0]), np.array([[0.8, 0.2]]), ["COVID", "Normal"], 0, 0.9, films="films")
    assert any(line.endswith("was chosen on 1 film that is COVID: it holds no film of the other classes (Normal), so "
                             "what the threshold costs them cannot be measured (README: a Normal threshold chosen on "
                             "120 children's healthy films alone left a model finding 28 of 66 COVID films); add films "
                             "of every class before storing it (--save-model)")
               for line in site_rule_costs(alone, ["COVID", "Normal"]))
    with pytest.raises(ValueError, match=r"^--save-model: the 1 film in my site is COVID: it holds no film of the other "):
        check_site_films(["COVID"], 0, ["COVID", "Normal"], "my site", True)
    seen = {"decision": {"class": "COVID", "threshold": 0.5, "chosen_films": {"n_positive": 10, "n_negative": 10}},
            "seen": {"cases": 3, "others": 1}}
    assert "(3 COVID, 1 other; --keep-seen)" in seen_rule_line(seen)
    flagged = {**seen, "header_flagged": {"cases": 1, "others": 0,
                                          "answered": {"tp": 1, "fn": 0, "fp": 0, "tn": 1}}}
    line = header_flagged_line(flagged)
    assert line.endswith("on the other 19 films the rule finds 1 of 1 COVID film and calls 0 of 1 film of other "
                         "classes COVID.")
    assert "on the other 1 film the rule" in header_flagged_line(
        {**flagged, "decision": {**seen["decision"], "chosen_films": {"n_positive": 1, "n_negative": 1}}})
    v = {"less_sensitive": True, "called_by_rule": 1, "called": 3, "found_by_rule": 1, "tp": 2, "n_positive": 3,
         "sensitivity": 0.667}
    assert "(calling COVID on 1 film against 3)" in less_sensitive_line(
        {"class": "COVID", "threshold": 0.9, "target_sensitivity": 0.3, "versus_most_probable": v}, "these films")
    films = [f"{k + 1:016x}" + "0" * 48 for k in range(12)]
    import base64
    info = {"decision_films": base64.b64encode(bytes.fromhex(films[0][:16])).decode(), "decision_chosen_on": "x"}
    assert chosen_films_line(info, films, "COVID whenever p >= 0.5", "test films").startswith(
        "1 of the 12 test films is one the rule this model file carries")
    per_class = {"COVID": {"n": 6, "sensitivity": [0.9, 0.8, 0.95], "specificity": [0.9, 0.8, 0.95]},
                 "Normal": {"n": 6, "sensitivity": [0.9, 0.8, 0.95], "specificity": [0.9, 0.8, 0.95]}}
    meta = {"labels": ["COVID", "Normal"], "arch": "compact", "quantization": "int8",
            "decision": {"class": "COVID", "threshold": 0.5},
            "validation": {"data": "cxr-dev", "test": {"n": 12, "balanced_accuracy": [0.9, 0.8, 0.95], "macro_auroc": [0.95, 0.9, 0.99],
                                    "ece": 0.05, "per_class": per_class},
                           "rule_on_test": {"class": "COVID", "threshold": 0.5, "sensitivity": [0.9, 0.8, 0.95],
                                            "specificity": [0.9, 0.8, 0.95], "chosen_films": [1, 12]}}}
    assert "  Warning: 1 of those 12 test films is one its rule was chosen on: there" in card_text(meta, "m.tflite")


def test_evaluate_and_compare_lines_say_one_film_and_one_group_as_one(capsys):
    """cxr-compare's caveat, cxr-evaluate's left-out folder line and its bootstrap note: '1 films scored: too few',
    '(1 films, left out of the figures)', 'each of 1 groups'."""
    from convert.compare import caveats, compare
    from convert.evaluate_answers import say_bootstrap_time
    from convert.left_out_words import answers_line

    r = compare(np.array([0]), np.array([0]), np.array([0]), ["COVID", "Normal"], n_boot=10)
    assert "1 film scored: too few to judge, one film moves a figure by 100 points or more" in caveats(r)
    a = {"films": 1, "called": {"COVID": {"films": 1, "share": 1.0, "share_ci": [0.21, 1.0]},
                                "Normal": {"films": 0, "share": 0.0, "share_ci": [0.0, 0.79]}}}
    assert answers_line("Extra", a, ["COVID", "Normal"]).startswith("Extra (1 film, left out of the figures) called ")
    n = 1_100_000  # with one source, over BOOTSTRAP_NOTE_WORK at 1,000 resamples
    films = SimpleNamespace(y=np.zeros(n, np.uint8), groups=None, scan=SimpleNamespace(items=[SimpleNamespace(source="A")] * n))
    say_bootstrap_time(SimpleNamespace(quiet=False, n_boot=1000), films)
    assert "for the whole set and each of 1 group (sources, --by)" in capsys.readouterr().err


def test_a_left_out_folder_of_one_of_the_runs_own_films_says_one(tmp_path):
    """convert.left_out: 'note: 1 of the 1 films in Other/ are this run's own films', now 'the one film ... is'."""
    from PIL import Image

    from convert.left_out import _renamed_class
    from edge.digest import file_sha256

    (tmp_path / "Other").mkdir()
    Image.new("L", (8, 8)).save(tmp_path / "Other" / "a.png")
    said: list[str] = []
    assert _renamed_class(tmp_path, "Other", {file_sha256(tmp_path / "Other" / "a.png")}, said.append)
    assert said == ["note: the one film in Other/ is this run's own film (its split): not scored as a class it was "
                    "not trained on (a class folder renamed since training?)"]
    Image.new("L", (8, 8), 9).save(tmp_path / "Other" / "b.png")  # 'all 2', not '2 of the 2'
    said.clear()
    own = {file_sha256(tmp_path / "Other" / n) for n in ("a.png", "b.png")}
    assert _renamed_class(tmp_path, "Other", own, said.append)
    assert said[0].startswith("note: all 2 films in Other/ are this run's own films (its split)")


def test_train_messages_say_one_image_one_film_as_one(tmp_path, capsys):
    """cxr-train's loose-image warning, --holdout-source's line, --add-data's lines, and cxr-synth's README and last
    line: '1 image files lie in', 'holding out 1 images of source', '1 films train the model', 'all 1 films of
    --add-data ... are held out', '1 per class x 1 classes = 1 images', 'wrote 1 SYNTHETIC images'."""
    from edge.preprocess import PreprocessConfig
    from train.data import Item
    from train.discovery import discover
    from train.holdout import holdout_line
    from train.prepare import prepare_data
    from train.run import TrainSettings
    from train.synth_cli import synth_app
    from train.synthetic_set import generate

    main = tmp_path / "main"
    generate(main, n_per_class=8, size=(64, 64), seed=0)
    (main / "stray.png").write_bytes((main / "COVID" / "synthetic-COVID-0000.png").read_bytes())
    said: list[str] = []
    discover(main, log=said.append)
    assert any(s.startswith(f"warning: 1 image file lies in {main} itself, outside any class folder") for s in said)
    (main / "stray.png").unlink()
    assert holdout_line("x", [Item("a.png", "COVID", "0" * 64, source="x")]).startswith("holding out 1 image of source 'x'")
    site = tmp_path / "my_site"
    generate(tmp_path / "other", n_per_class=1, size=(64, 64), seed=7, classes=("Normal",))
    (site / "Normal").mkdir(parents=True)
    (site / "Normal" / "n.png").write_bytes(next((tmp_path / "other" / "Normal").glob("*.png")).read_bytes())
    config = PreprocessConfig(size=32)
    split, _, _ = prepare_data(TrainSettings(data=str(main), out=tmp_path / "r1", image_size=32, progress=False,
                                             add_data=[str(site)]), config)
    n = {p: sum(i.path.startswith(str(site.resolve())) for i in split.parts[p]) for p in ("train", "val", "test")}
    verbs = {p: ("trains", "validates", "tests")[k] if n[p] == 1 else ("train", "validate", "test")[k]
             for k, p in enumerate(n)}
    assert (f"--add-data {site}: {n['train']} film{'' if n['train'] == 1 else 's'} {verbs['train']} the model, "
            f"{n['val']} {verbs['val']} it, {n['test']} {verbs['test']} it") in capsys.readouterr().err
    prepare_data(TrainSettings(data=str(main), out=tmp_path / "r2", image_size=32, progress=False, add_data=[str(site)],
                               holdout_source="my_site"), config)
    assert (f"note: the one film of --add-data {site} is held out by --holdout-source 'my_site': it does not train the "
            "model") in capsys.readouterr().err
    r = CliRunner().invoke(synth_app, [str(tmp_path / "one"), "--count", "1", "--classes", "COVID", "--size", "32"])
    assert r.exit_code == 0, r.output
    assert f"wrote 1 SYNTHETIC image to {tmp_path / 'one'}" in r.output
    readme = (tmp_path / "one" / "README.md").read_text()
    assert "1 per class x 1 class = 1 image, 32x32 px." in readme and "- COVID: 1 image in COVID/" in readme


def test_a_site_rule_chosen_on_flagged_films_alone_names_no_other_films():
    """convert.site_flagged.header_flagged_line where every film the rule was chosen on is one a DICOM header flags
    (a site whose headers all say lateral, or one film): it read 'It was chosen on all 1 films scored here' and
    'on the other 0 films the rule has no COVID film to find', films that are not there."""
    from convert.site_flagged import header_flagged_line

    none = {"tp": 0, "fn": 0, "fp": 0, "tn": 0}

    def line(cases: int, others: int) -> str:
        return header_flagged_line({"header_flagged": {"cases": cases, "others": others, "answered": none},
                                    "decision": {"class": "COVID",
                                                 "chosen_films": {"n_positive": cases, "n_negative": others}}})

    one = line(1, 0)
    assert one.startswith("It was chosen on the one film scored here (1 COVID), a film whose DICOM header says it is "
                          "no frontal chest radiograph:"), one
    assert one.endswith("Under `--refuse-atypical` it answers none of them, none of the films it was chosen on: these "
                        "films say nothing of what the rule gives there."), one
    every = line(2, 1)
    assert every.startswith("It was chosen on all 3 films scored here, every one (2 COVID, 1 of another class) films "
                            "whose DICOM header"), every
    assert "the other 0 films" not in every and "none of the films it was chosen on" in every


def test_add_data_lines_say_each_count_with_its_own_verb():
    """train.extra_data's lines, fixed counts (the --add-data test above takes whatever split the seed draws)."""
    from train.extra_data import copies_line, held_out_note, parts_line

    assert parts_line("site", {"train": 1, "val": 0, "test": 2}) == "--add-data site: 1 film trains the model, 0 validate it, 2 test it"
    assert parts_line("site", {"train": 3, "val": 1, "test": 1}) == "--add-data site: 3 films train the model, 1 validates it, 1 tests it"
    assert held_out_note("site", 2, "x") == ("note: all 2 films of --add-data site are held out by --holdout-source 'x': "
                                             "none of them trains the model")
    assert copies_line("site", 1).startswith("--add-data site: 1 film is a byte-for-byte copy of a film in --data")


def test_no_rule_notes_say_one_film_as_one():
    """convert.roc's notes of why no rule reaches a sensitivity: a 3-class run's report read '1 of the 1 Lung_Opacity
    validation films have p = 1' (hunt 63, H32)."""
    from convert.roc import saturation_note, zero_note

    assert saturation_note(np.array([True]), np.array([1.0]), "Lung_Opacity", 0.9).startswith(
        "probabilities saturate at 1: the one Lung_Opacity validation film has p = 1, so")
    assert "the one COVID film of the site has p = 1" in saturation_note(
        np.array([True, False]), np.array([1.0, 0.2]), "COVID", 0.9, "films of the site")
    assert saturation_note(np.array([True, True]), np.array([1.0, 0.5]), "COVID", 0.9).startswith(
        "probabilities saturate at 1: 1 of the 2 COVID validation films has p = 1")
    assert zero_note(np.array([True, True]), np.array([0.0, 0.0]), "COVID", 0.9).startswith(
        "2 of the 2 COVID validation films have p = 0")
    assert zero_note(np.array([True]), np.array([0.0]), "COVID", 0.9).startswith("the one COVID validation film has p = 0")
