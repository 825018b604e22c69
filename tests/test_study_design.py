"""Every report says whether its figures are internal (films from the hospitals and archives the
model learnt from) or external validation: the gap between the two is the finding of the COVID
X-ray literature (DeGrave et al. 2021). Pure cases of convert.study_design, the sources a model
file carries, and cxr-evaluate and cxr-convert end to end on the tiny run (real model, runtime)."""

from __future__ import annotations

import csv
import json
import re
import unicodedata

import pytest
from typer.testing import CliRunner

from convert.evaluate_cli import evaluate_app
from convert.study_design import design_line, evaluation_design, trained_sources, training_sources
from edge import metadata as md
from tests.conftest import unpadded
from train.data import Item, Split
from train.synthetic_set import generate

TRAINED = {"films": 10, "unnamed": 0, "sources": {"site-A": 7, "site-B": 3}, "more": 0}


def test_films_of_the_training_sources_are_internal():
    d = evaluation_design(TRAINED, ["site-A"] * 4 + ["site-B"])
    assert (d["kind"], d["films_from_training_sources"]) == ("internal", 5)
    assert d["shared_sources"] == {"site-A": 4, "site-B": 1}
    line = design_line(d)
    assert line.startswith("**Internal validation:** every film here comes from a source the model was trained on")
    assert "site-A (4 here), site-B (1 here)" in line and "usually lower" in line


@pytest.mark.parametrize("here", ["SITE-A", "site-a ", unicodedata.normalize("NFD", "Clínica")])
def test_a_training_source_spelt_another_way_is_still_a_training_source(here):
    """A folder copied from a Mac names its source decomposed (NFD), Excel writes MANIFEST.csv composed
    (NFC): the model's own source was called external validation."""
    trained = {**TRAINED, "sources": {"site-A": 7, unicodedata.normalize("NFC", "Clínica"): 3}}
    d = evaluation_design(trained, [here] * 3)
    assert (d["kind"], d["films_from_training_sources"], d["shared_sources"]) == ("internal", 3, {here: 3})


def test_films_of_other_sources_are_external_by_name_only():
    d = evaluation_design(TRAINED, ["site-C"] * 3)
    assert d["kind"] == "external" and d["films_from_training_sources"] == 0
    line = design_line(d)
    assert "no film here comes from a source the model was trained on (site-A (7 films), site-B (3 films))" in line
    assert "A source named otherwise here may still be one of them" in line


def test_a_mix_counts_the_films_of_training_sources():
    d = evaluation_design(TRAINED, ["site-A", "site-C", "site-C", ""])
    assert d["kind"] == "mixed"
    # '1 of the 3 films naming a source come from sources' before
    assert "1 of the 3 films naming a source comes from a source the model was trained on" in design_line(d)


def test_films_the_model_saw_make_a_folder_partly_internal_whatever_its_names():
    d = evaluation_design(TRAINED, ["site-C"] * 3, seen_films=5)
    assert d["kind"] == "mixed" and d["reason"] == "seen"
    assert design_line(d).startswith("**Partly internal:** 5 films of this folder were among the model's training or "
                                     "validation films, so the folder overlaps its training collection")
    unnamed = evaluation_design(None, [""] * 3, seen_films=2)  # nothing else to go by: the rest most likely alike
    assert unnamed["kind"] == "internal" and "the others most likely come from the same collection" in design_line(unnamed)


def test_a_file_too_old_to_record_its_sources_is_unknown_beside_the_films_it_saw():
    """A file of cxr-edge 0.22 or older scored on its own sources' films, some of them seen: the report said
    the films "name no source it was trained on ()", a wrong claim with an empty list."""
    from convert.study_design import design_note, design_short

    for trained in (None, {"films": 4, "unnamed": 4, "sources": {}, "more": 0}):
        d = evaluation_design(trained, ["siteA"] * 4 + ["siteB"] * 4, seen_films=6)
        assert (d["kind"], d["reason"], d["seen_films"]) == ("unknown", "no training sources", 6)
        line, short = design_line(d), design_short(d)
        assert "()" not in line and "name no source it was trained on" not in line + short
        assert line.startswith("**Internal or external validation? Partly internal, the rest unknown:** the model file "
                               "does not record where its training films came from (")
        assert "6 films of this folder were among the model's training or validation films" in line
        assert short == ("internal or external, unknown: its file records no sources of its training films, though 6 "
                         "films of this folder were among its training or validation films")
        # the seen films count validation films too: "training films" said less than the note's count holds
        assert design_note(d).startswith("6 films of this folder were among the model's training or validation films")
    assert "too old to record them" in design_line(evaluation_design(None, ["siteA"], seen_films=1))


def test_sources_are_listed_most_films_first_whatever_order_they_were_stored_in():
    trained = {"films": 23, "unnamed": 0, "sources": {"a-small": 5, "z-large": 18}, "more": 0}  # as sort_keys stores it
    assert "(z-large (18 films), a-small (5 films))" in design_line(evaluation_design(trained, ["site-C"]))
    # one film of a source: "ml-workgroup/covid-19-image-repository (1 films)" was in report.md
    assert "(z-large (18 films), one (1 film))" in design_line(evaluation_design(
        {"films": 19, "unnamed": 0, "sources": {"one": 1, "z-large": 18}, "more": 0}, ["site-C"]))


def test_names_from_a_manifest_and_folders_are_text_in_the_report_and_on_the_terminal():
    """A MANIFEST's source value, a left-out folder's name and a --holdout-source went into report.md's prose and
    cxr-evaluate's stderr as they were: raw HTML ('<img onerror=...>'), a link, and ESC c, which reset the terminal
    of whoever ran `cat report.md` or the command."""
    from convert.left_out_words import answers_line
    from convert.set_notes import renamed_line
    from convert.study_design import test_split_line

    hostile = "S<img src=x onerror=alert(1)>[x](javascript:y)\x1bc\u202e"
    line = design_line(evaluation_design({"films": 9, "unnamed": 0, "sources": {hostile: 9}, "more": 0}, ["site-C"]))
    folders = renamed_line({hostile: "-", "Healthy": "Normal"}, {hostile: 3}, ["COVID", "Normal"])
    said = answers_line(hostile, {"films": 3, "called": {"COVID": {"films": 3, "share": 1.0, "share_ci": [0.44, 1.0]},
                                                        "Normal": {"films": 0, "share": 0.0, "share_ci": [0.0, 0.56]}}}, ["COVID", "Normal"])
    trained = {"films": 9, "unnamed": 0, "sources": {hostile: 9}, "more": 0}
    split_line = test_split_line({"kind": "internal", "reason": "random split", "training_sources": trained,
                                  "given_test_folder": False, "holdout_source": hostile})
    for text in (line, folders, said, split_line):
        assert "\x1b" not in text and "\u202e" not in text, text
    for text in (line, folders, split_line.split(" The source ")[0]):  # the held-out source is a code span: literal
        assert not re.search(r"(?<!\\)<img|(?<!\\)\]\(javascript", text), text  # Markdown-escaped, as md_cell does


def test_a_given_test_folder_is_judged_by_its_sources():
    from convert.study_design import test_split_design, test_split_line

    def item(source: str, part: str) -> Item:
        return Item(path=f"{part}/COVID/{source}.png", label="COVID", sha256="0" * 64, source=source)

    given = Split("d", ["COVID"], {"train": [item("a", "train")] * 4, "val": [item("a", "train")],
                                   "test": [item("b", "test")] * 2}, layout="train/test folders")
    d = test_split_design(given)
    assert d["kind"] == "external" and d["given_test_folder"] is True
    assert test_split_line(d).startswith("The test films are the data folder's own test/ folder. **External "
                                         "validation, by source name:** no film here comes from a source")
    drawn = Split("d", ["COVID"], given.parts, layout="folder per class")
    assert test_split_design(drawn)["kind"] == "internal"
    assert test_split_line(test_split_design(drawn)).startswith("**Internal validation:** the test films are a random part")
    # the 5 films counted are the training and validation films (the test films are 2): said so, not left to the reader
    assert "as the training films (training and validation films: a (5 films)): the same hospitals" in \
        test_split_line(test_split_design(drawn))


@pytest.mark.parametrize("trained, sources, says", [
    (TRAINED, ["", ""], "these films name no source (a MANIFEST.csv with a `source` column would), and the model was "
                        "trained on films from site-A (7 films), site-B (3 films)"),
    (None, ["site-A"], "the model file does not record where its training films came from (converted by cxr-edge 0.22 "
                       "or older, too old to record them, or not by cxr-edge"),
    ({"films": 4, "unnamed": 4, "sources": {}, "more": 0}, ["site-A"], "does not record where its training films came "
     "from (its training films named no source: a MANIFEST.csv with a `source` column beside them, before training"),
])
def test_without_names_on_either_side_it_is_unknown(trained, sources, says):
    d = evaluation_design(trained, sources)
    assert d["kind"] == "unknown"
    assert design_line(d).startswith("**Internal or external validation? Unknown:**") and says in design_line(d)


def test_training_sources_count_the_training_and_validation_films_only():
    def item(source: str) -> Item:
        return Item(path="x.png", label="COVID", sha256="0" * 64, source=source)

    split = Split("d", ["COVID"], {"train": [item("a"), item("a"), item("b"), item("")], "val": [item("b")],
                                   "test": [item("c")] * 5})
    assert training_sources(split) == {"films": 5, "unnamed": 1, "sources": {"a": 2, "b": 2}, "more": 0}


def test_the_model_file_carries_its_training_sources(tiny_run, tmp_path):
    split = Split.load(tiny_run / "split.json")
    meta = md.read(tiny_run / "model_int8.tflite")[1]
    assert meta["trained_sources"] == training_sources(split)
    assert meta["trained_sources"]["films"] == len(split.parts["train"]) + len(split.parts["val"])
    alone = tmp_path / "copy.tflite"  # away from its run folder: still known, from the file itself
    alone.write_bytes((tiny_run / "model_int8.tflite").read_bytes())
    assert trained_sources(alone) == meta["trained_sources"]
    stripped = tmp_path / "old.tflite"  # as a file of cxr-edge 0.22 wrote it
    stripped.write_bytes(md.rewrite(alone.read_bytes(), lambda m: {k: v for k, v in m.items() if k != "trained_sources"}))
    assert trained_sources(stripped) is None


def test_the_conversion_report_calls_its_test_split_internal(tiny_run, tmp_path):
    """And a run on drawings alone (tiny_run's) says one sentence instead: the demo's report spoke of 'the same
    hospitals and archives' and of a reference standard for cxr-synth's drawings (hunt 58, L1)."""
    import shutil

    import numpy as np

    from convert.quant_report import write_quantization_report
    from edge.synthetic_words import DRAWN

    report = json.loads((tiny_run / "report.json").read_text())
    assert report["study_design"]["kind"] == "internal" and report["synthetic_data"] is True
    assert report["study_design"]["holdout_source"] is None
    text = unpadded((tiny_run / "report.md").read_text())
    assert f"**Test films:** {DRAWN}." in text
    assert "hospitals and archives" not in text and "Reference standard" not in text
    run = tmp_path / "run"  # the same run, as if trained on real films
    shutil.copytree(tiny_run, run)
    n, k = report["test_set"]["n"], len(report["classes"])
    rng = np.random.default_rng(0)
    write_quantization_report(run, {**report, "synthetic_data": False},
                              {m: rng.dirichlet(np.ones(k), n) for m in report["models"]}, rng.integers(0, k, n))
    text = unpadded((run / "report.md").read_text())
    assert ("**Internal validation:** the test films are a random part of the same folders as the training films: "
            "the same hospitals and archives.") in text and "**Reference standard and scope:**" in text
    assert "`cxr-train --holdout-source` measures a source kept out of training" in text and DRAWN not in text


@pytest.mark.parametrize("site, kind, said", [("site-A", "internal", "Internal validation:"),
                                               ("site-Z", "external", "External validation, by source name:")])
def test_cxr_evaluate_says_whether_a_sites_films_are_internal(tiny_run, tmp_path, site, kind, said):
    model = tmp_path / "model.tflite"  # a model trained on site-A's films, by its file's record
    model.write_bytes(md.rewrite((tiny_run / "model_int8.tflite").read_bytes(),
                                 lambda m: {**m, "trained_sources": TRAINED}))
    data = tmp_path / "films"  # new films: none of them seen in training
    generate(data, n_per_class=6, classes=("COVID", "Normal"), size=(64, 64), seed=99)
    with open(data / "MANIFEST.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "source"])
        w.writerows([p.relative_to(data).as_posix(), site] for p in sorted(data.glob("*/*.png")))
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(model), str(data), "--out", str(out), "--n-boot", "100", "--quiet",
                                          "--no-score-left-out"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    assert report["study_design"]["kind"] == kind
    assert report["study_design"]["films_from_training_sources"] == (12 if kind == "internal" else 0)
    assert f"**{said}**" in (out / "report.md").read_text()
    assert ("cxr-evaluate: note: internal validation" in r.output) == (kind == "internal")


def test_the_card_calls_its_test_figures_internal(tiny_run, tmp_path):
    """A model trained on drawings alone (tiny_run) says instead that they are drawings, and gives no PPV at a clinic's
    prevalence and no 'check them on your own site's films': the demo's card spoke of 'the hospitals and archives
    of its training films' (hunt 58, L1)."""
    from edge.synthetic_words import DRAWN
    from edge.cli import app

    r = CliRunner().invoke(app, ["--card", "--model", str(tiny_run / "model_int8.tflite")])
    assert r.exit_code == 0, r.output
    card = " ".join(r.output.split())
    assert f"kept out of training with the copies cxr-train found; {DRAWN}), most probable class" in card
    assert "hospitals" not in card and "your own site's films" not in card and "(PPV)" not in card
    # the same file, as if trained on real films, and on real films with a few drawings among them: today's words
    for changed in ({"synthetic_data": False}, {"synthetic_share": {"synthetic": 2, "of": 40}}):
        real = tmp_path / "real.tflite"
        real.write_bytes(md.rewrite((tiny_run / "model_int8.tflite").read_bytes(), lambda m: {**m, **changed}))
        r = CliRunner().invoke(app, ["--card", "--model", str(real)])
        assert r.exit_code == 0, r.output
        card = " ".join(r.output.split())
        assert "from the hospitals and archives of its training films: internal validation), most probable class" in card
        assert "check them on your own site's films" in card and DRAWN not in card


def test_cxr_compare_says_it_for_each_model(tiny_run, tmp_path):
    from convert.compare_cli import compare_app

    a = tmp_path / "a.tflite"
    a.write_bytes(md.rewrite((tiny_run / "model_int8.tflite").read_bytes(), lambda m: {**m, "trained_sources": TRAINED}))
    data = tmp_path / "films"
    generate(data, n_per_class=6, classes=("COVID", "Normal"), size=(64, 64), seed=98)
    with open(data / "MANIFEST.csv", "w", newline="") as f:
        csv.writer(f).writerows([["file", "source"], *([p.relative_to(data).as_posix(), "site-B"]
                                                       for p in sorted(data.glob("*/*.png")))])
    out = tmp_path / "cmp"
    r = CliRunner().invoke(compare_app, [str(a), str(tiny_run / "model_fp32.tflite"), str(data), "--out", str(out),
                                         "--quiet", "--n-boot", "100", "--no-score-left-out"])
    assert r.exit_code == 0, r.output
    text = (out / "compare.md").read_text()
    assert "- A (a.tflite): internal validation: every film here comes from a source it was trained on." in text
    assert ("- B (model_fp32.tflite): internal or external, unknown: its file records no sources of its training "
            "films.") in text  # the synthetic set names none
    assert "Internal figures show how well a model fits those archives" in text
    kinds = {k: d["kind"] for k, d in json.loads((out / "compare.json").read_text())["study_design"].items()}
    assert kinds == {"A (a.tflite)": "internal", "B (model_fp32.tflite)": "unknown"}
