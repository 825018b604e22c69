"""What cxr-compare's report says beside its figures: which model saw which films, how each interval was
made, warnings that belong in the report, and the folder it may write into (hunt47_compare's findings)."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from convert.compare import compare, headline, markdown
from convert.compare_cli import compare_app
from tests.conftest import unpadded


def _data(tiny_run: Path) -> Path:
    return Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])


def _cmp(*args) -> object:
    return CliRunner().invoke(compare_app, [*map(str, args), "--n-boot", "100", "--quiet"])


def test_an_out_folder_holding_a_users_compare_md_is_refused_not_replaced(tiny_run, tmp_path):
    """--out notes/ replaced a committee's hand-written compare.md and compare.json unsaid, where cxr-evaluate
    refuses a folder holding a report.md it did not write."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "compare.md").write_text("# our notes")
    (notes / "compare.json").write_text('{"approved_by": "Dr X"}')
    args = [tiny_run / "model_fp32.tflite", tiny_run / "model_int8.tflite", _data(tiny_run), "--keep-seen", "--out", notes]
    res = _cmp(*args)
    assert res.exit_code == 2, res.output
    assert ("it holds compare.md, compare.json but no earlier cxr-compare comparison: a comparison would replace them; "
            "give the comparison a folder of its own") in res.output
    assert (notes / "compare.md").read_text() == "# our notes" and "Dr X" in (notes / "compare.json").read_text()
    (notes / "compare.md").unlink()  # a compare.json alone is the user's too
    assert _cmp(*args).exit_code == 2 and (notes / "compare.json").read_text() == '{"approved_by": "Dr X"}'
    (notes / "compare.json").unlink()
    assert _cmp(*args).exit_code == 0
    again = _cmp(*args)  # its own earlier comparison: renewed
    assert again.exit_code == 0, again.output


def _fingerprinted_copy(model: Path, out: Path, split) -> Path:
    """``model`` carrying the fingerprints of ``split``'s films instead of its own: a model that saw other films."""
    from convert.seen_lists import fingerprints
    from edge import metadata as md

    flatbuffer, meta, files = md.read(model)
    seen_meta, seen_files = fingerprints(split)
    out.write_bytes(md.attach(flatbuffer, {**meta, "seen": seen_meta},
                              {**{k: v for k, v in files.items() if not k.startswith("seen/")}, **seen_files}))
    return out


def test_each_model_is_told_the_films_it_saw_not_the_films_either_saw(tiny_run, tmp_path):
    """With --keep-seen, compare.md said only that the films "flatter the model that saw them", and each model's
    study design counted the films either model saw; B here saw only half of A's training films."""
    from train.data import Split

    split = Split.load(tiny_run / "split.json")
    train = split.parts["train"]
    half = Split(split.data_dir, split.classes, {"train": train[: len(train) // 2], "val": []})
    b = _fingerprinted_copy(tiny_run / "model_int8.tflite", tmp_path / "b.tflite", half)
    out = tmp_path / "c"
    res = _cmp(tiny_run / "model_int8.tflite", b, _data(tiny_run), "--keep-seen", "--out", out)
    assert res.exit_code == 0, res.output
    r = json.loads((out / "compare.json").read_text())
    note = r["seen_in_training"]
    n_a, n_b = len(train) + len(split.parts["val"]), len(train) // 2
    assert note["films"] == n_a and note["both"] == n_b
    assert {w: (m["films"], m["train"], m["val"]) for w, m in note["by_model"].items()} == {
        "A": (n_a, len(train), len(split.parts["val"])), "B": (n_b, n_b, 0)}
    mine = {i.path for i in half.parts["train"]}
    assert all(f["models"] == (["A", "B"] if f["file"] in mine else ["A"]) for f in note["seen_films"])
    assert [d["seen_films"] for d in r["study_design"].values()] == [n_a, n_b]  # each model's own
    md = (out / "compare.md").read_text()
    assert f"these figures flatter the model that saw them; A saw {n_a} of them, B {n_b} ({n_b} both).**" in md
    assert f"A saw {n_a} of them, B {n_b} ({n_b} both)" in res.output  # the warning on stderr too


def test_leave_out_seen_attributes_each_film_to_the_models_that_saw_it(tmp_path):
    from convert.seen import leave_out_seen
    from convert.seen_lines import seen_line
    from train.data import Item, Split

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    models = []
    for run, parts in (("a", {"train": ["s", "a1", "a2"], "val": []}), ("b", {"train": ["s"], "val": ["b1"]})):
        (tmp_path / run).mkdir()
        Split(str(tmp_path), ["X"], {p: [Item(f"X/{n}.png", "X", sha(n)) for n in names] for p, names in parts.items()}
              ).save(tmp_path / run / "split.json")
        models.append(tmp_path / run / "model.keras")  # checked against the split.json beside it
    items = [Item(f"X/{n}.png", "X", sha(n)) for n in ("s", "a1", "a2", "b1", "new1", "new2")]
    drop, note = leave_out_seen(models, items, False, "cxr-compare", who=["A", "B"])
    assert drop.tolist() == [True] * 4 + [False] * 2
    assert note["by_model"] == {"A": {"model": "a/model.keras", "films": 3, "train": 3, "val": 0},
                                "B": {"model": "b/model.keras", "films": 2, "train": 1, "val": 1}}
    assert note["both"] == 1
    assert [(f["file"], f["models"]) for f in note["seen_films"]] == [
        ("X/s.png", ["A", "B"]), ("X/a1.png", ["A"]), ("X/a2.png", ["A"]), ("X/b1.png", ["B"])]
    assert "left out; A saw 3 of them, B 2 (1 both); the figures are on the rest" in seen_line(note)
    # one model: no per-model fields, and the sentence as before
    _, one = leave_out_seen(models[:1], items, False, "cxr-evaluate")
    assert "by_model" not in one and "models" not in one["seen_films"][0] and "saw" not in seen_line(one)


def test_films_seen_only_in_a_folder_left_out_are_not_denied_nor_pinned_on_each_model():
    """compare.md said "No film here was found in either model's training or validation split" beside "Left out of
    this table, as films either model was trained or validated on: 6 of Extra", and B was told it had trained on
    6 films of Extra that only A had seen."""
    from convert.left_out_words import answers_line
    from convert.seen_lines import seen_elsewhere, seen_line

    note = {"split": "a.tflite (fingerprints inside the file)", "films": 0, "train": 0, "val": 0, "copies": 0,
            "cropped": 0, "mirrored": 0, "padded": 0, "left_out": False, "models": 2, "unchecked": []}
    answers = {"Extra": {"films": 4, "called": {"COVID": {"films": 1, "share": 0.25, "share_ci": [0.05, 0.7]},
                                                   "Normal": {"films": 3, "share": 0.75, "share_ci": [0.3, 0.95]}},
                         "seen_in_training": 6, "seen_kept": False, "unreadable": 0}}
    line = seen_line(note, 2, seen_elsewhere(answers))
    assert line.startswith("No film in the figures was found in either model's training or validation split")
    assert line.endswith(" Of the films of the class folders left out, 6 were (\"Classes left out\" says more).")
    assert seen_line(note, 2).startswith("No film here was found")  # none left out: as before
    said = answers_line("Extra", answers["Extra"], ["COVID", "Normal"], whose="that either model")
    assert said.endswith("; 6 more that either model was trained or validated on left out")
    assert answers_line("Extra", answers["Extra"], ["COVID", "Normal"]).endswith("; 6 more it was trained or validated on left out")


def test_which_balanced_accuracy_intervals_were_resampled_is_recorded_and_said():
    """compare.md's provenance said "1,000 bootstrap resamples for the intervals" of a report whose every
    interval was a score interval, and compare.json did not say which method gave the headline interval."""
    from convert.compare import by_group, resampled
    from convert.provenance import provenance_line

    y = np.array([0] * 40 + [1] * 40)
    a = np.array([0] * 30 + [1] * 10 + [1] * 30 + [0] * 10)
    one_way = np.array([0] * 35 + [1] * 5 + [1] * 30 + [0] * 10)  # COVID: B right on 5 more, Normal unchanged
    r = compare(y, a, one_way, ["COVID", "Normal"], n_boot=100)
    assert r["balanced_accuracy_difference_ci_method"] == "mover" and resampled(r) == []
    mixed = one_way.copy()
    mixed[[0, 45, 75]] = [1, 0, 1]  # B now also wrong where A is right, in each class, and right where A is wrong
    r = compare(y, a, mixed, ["COVID", "Normal"], n_boot=100)
    assert r["balanced_accuracy_difference_ci_method"] == "bootstrap"
    r["by"] = {"site": by_group(y, a, mixed, ["COVID", "Normal"], ["x"] * 40 + ["y"] * 40, 100)}  # y: Normal films only
    # a group of one class has no balanced accuracy, so no interval of it to resample (its class's own row has one)
    assert [g["balanced_accuracy_difference_ci_method"] for g in r["by"]["site"].values()] == [None, None]
    assert all(g["balanced_accuracy_no_value"] for g in r["by"]["site"].values())
    assert resampled(r) == ["all films"]
    r["by"]["site"]["y"]["balanced_accuracy_difference_ci_method"] = "bootstrap"
    assert resampled(r) == ["all films", "site y"]
    p = {"scored": "2026-12-04T00:00:00", "models": [], "n_boot": 1000, "versions": {"cxr_edge": "0"}}
    assert provenance_line({**p, "resampled": []}).endswith(
        "; no interval needed resampling: each is Newcombe's score interval, or for balanced accuracy MOVER's over them.")
    assert "; 1,000 bootstrap resamples for the balanced-accuracy interval of all films, site y (compare.json's" in \
        provenance_line({**p, "resampled": ["all films", "site y"]})
    assert provenance_line(p).endswith("; 1,000 bootstrap resamples for the balanced-accuracy interval; every other "
                                       "interval is a score interval (Wilson's, Newcombe's for AUROC, or MOVER's over "
                                       "them), not resampled.")  # cxr-evaluate's: its AUROC intervals are Newcombe's


def test_an_exact_tie_is_zero_not_minus_zero():
    """Both models at 72.5% gave "B - A balanced accuracy -0.0 points" and -1.1e-16 in compare.json."""
    y = np.array([0] * 40 + [1] * 40)
    a = np.array([0] * 26 + [1] * 14 + [1] * 32 + [0] * 8)
    b = np.array([0] * 25 + [1] * 15 + [1] * 33 + [0] * 7)
    for r in (compare(y, a, b, ["COVID", "Normal"], n_boot=100), compare(y, b, a, ["COVID", "Normal"], n_boot=100)):
        assert r["balanced_accuracy_difference"] == 0.0 and not math.copysign(1, r["balanced_accuracy_difference"]) < 0
        assert headline(r).startswith("B - A balanced accuracy +0.0 points")
    r = compare(y, a, np.array([0] * 27 + [1] * 13 + [1] * 32 + [0] * 8), ["COVID", "Normal"], n_boot=100)
    assert r["balanced_accuracy_difference"] == 0.5 * 1 / 40  # the difference itself, from the counts


def test_compare_md_does_not_explain_every_disagreement_by_class_weights():
    """Both classes favouring B, the MOVER interval excluded 0 where McNemar's p was 0.0625; compare.md put it down
    to balanced accuracy weighing the classes alike, which was not the reason here."""
    y = np.array([0] * 10 + [1] * 20)
    a = np.array([0] * 5 + [1] * 5 + [1] * 10 + [0] * 10)
    b = np.array([0] * 5 + [0] * 3 + [1] * 2 + [1] * 10 + [1] * 2 + [0] * 8)
    r = compare(y, a, b, ["COVID", "Normal"])
    assert r["balanced_accuracy_difference_ci"][0] > 0 and r["mcnemar_p"] > 0.05
    md = " ".join(markdown({**r, "left_out_films": {}}, "a", "b", "d", "x"))
    assert "McNemar's test is exact, so near the edge an interval can just exclude 0 while p is just above 0.05" in md
    assert "these films do not settle the question" in md


def test_the_same_model_twice_is_said_in_the_report_not_only_on_stderr(tiny_run, tmp_path):
    """A path typed twice gave a compare.md of "+0.0 points" with nothing to say the two were one file."""
    m = tiny_run / "model_int8.tflite"
    res = _cmp(m, m, _data(tiny_run), "--keep-seen", "--out", tmp_path / "c")
    assert res.exit_code == 0, res.output
    said = f"{m} and {m} are the same model file: B minus A is zero everywhere, and says nothing of two models"
    assert f"warning: {said}" in res.output
    assert f"**Warning: {said}.**" in (tmp_path / "c" / "compare.md").read_text()
    assert json.loads((tmp_path / "c" / "compare.json").read_text())["same_model"] == said
    other = _cmp(tiny_run / "model_fp32.tflite", m, _data(tiny_run), "--keep-seen", "--out", tmp_path / "d")
    assert json.loads((tmp_path / "d" / "compare.json").read_text())["same_model"] is None, other.output
    assert "same model" not in unpadded((tmp_path / "d" / "compare.md").read_text())
    from edge import metadata as md

    # a run converted twice: other bytes (its dates), the same weights, calibration and rule: one model, said so
    again = tmp_path / "again.tflite"
    again.write_bytes(md.rewrite(m.read_bytes(), lambda meta: {**meta, "converted": "2031-01-01T00:00:00+00:00"}))
    res = _cmp(m, again, _data(tiny_run), "--keep-seen", "--out", tmp_path / "e")
    assert f"warning: {m} and {again} hold the same model (the same weights, calibration, preprocessing, classes and rule;" \
        in res.output
    warmer = tmp_path / "warmer.tflite"  # the same weights calibrated otherwise give other probabilities: two models
    warmer.write_bytes(_calibrated_otherwise(m, warmer, 2))
    res = _cmp(m, warmer, _data(tiny_run), "--keep-seen", "--out", tmp_path / "w")
    assert res.exit_code == 0 and "same model" not in res.output, res.output
    # a copy with a rule of its own differs from its original, unless --most-probable sets both rules aside
    ruled = tmp_path / "ruled.tflite"
    ruled.write_bytes(md.rewrite(m.read_bytes(), lambda meta: {**meta, "decision": {"class": "COVID", "threshold": 0.3}}))
    res = _cmp(m, ruled, _data(tiny_run), "--keep-seen", "--out", tmp_path / "f")
    assert res.exit_code == 0 and "same model" not in res.output, res.output
    res = _cmp(m, ruled, _data(tiny_run), "--keep-seen", "--most-probable", "--out", tmp_path / "g")
    assert f"warning: {m} and {ruled} hold the same model" in res.output, res.output


def test_each_models_short_design_line_keeps_the_films_that_name_no_source():
    """compare.md said "every film here comes from a source it was trained on" where 2 of the 82 named none;
    cxr-evaluate's report said so."""
    from convert.study_design import compared_lines, evaluation_design

    d = evaluation_design({"sources": {"s1": 10}}, ["s1"] * 80 + ["", ""])
    assert compared_lines({"A (m)": d})[0] == ("- A (m): internal validation: every film here (2 of the 82 films name no "
                                               "source and are not counted) comes from a source it was trained on.")
    ext = evaluation_design({"sources": {"s1": 10}}, ["s2"] * 80 + ["", ""])
    assert "no film here (2 of the 82 films name no source and are not counted) comes from" in compared_lines({"A": ext})[0]


def test_every_commands_help_says_it_is_not_a_medical_device_and_names_no_clinical_use():
    """Of six --help texts only edge-classify's said 'NOT a medical device', and two offered 'screening' (a clinical
    use) while cxr-evaluate's scored a hospital's films 'before trusting it' (hunt 58, M5)."""
    from pathlib import Path

    from convert.cli import convert_app
    from convert.evaluate_cli import evaluate_app
    from edge.card import NOT_A_DEVICE
    from edge.cli import app as classify_app
    from train.cli import train_app
    from train.synth_cli import synth_app

    texts = {a: " ".join(CliRunner().invoke(a, ["--help"]).output.split())
             for a in (compare_app, evaluate_app, convert_app, train_app, synth_app, classify_app)}
    for text in texts.values():
        assert NOT_A_DEVICE in text and "screening" not in text.lower()
    assert "before relying on its figures there" in texts[evaluate_app] and "trusting it" not in texts[evaluate_app]
    assert "in the text output its line ends in 'flagged'" in texts[classify_app]  # a saved answers.txt keeps the flag
    docs = (Path(__file__).parents[1] / "docs" / "commands.md").read_text().splitlines()
    assert NOT_A_DEVICE in docs[:4]


def test_compare_and_evaluate_help_give_their_exit_codes():
    from convert.evaluate_cli import evaluate_app

    for app in (compare_app, evaluate_app):
        text = " ".join(CliRunner().invoke(app, ["--help"]).output.split())
        assert "Exit codes: 0 done; 1 done, but some files could not be read and were not scored" in text
        assert "2 bad data or usage; 130 interrupted" in text


def test_one_seen_film_is_said_as_one(tmp_path, capsys):
    """'1 of 3 films are ones the model was trained or validated on': one film said as many."""
    from convert.seen import leave_out_seen
    from train.data import Item, Split

    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    Split(str(tmp_path), ["X"], {"train": [Item("X/s.png", "X", sha("s"))], "val": []}).save(tmp_path / "split.json")
    items = [Item(f"X/{n}.png", "X", sha(n)) for n in ("s", "new1", "new2")]
    drop, _ = leave_out_seen([tmp_path / "model.keras"], items, False, "cxr-evaluate")
    assert drop.tolist() == [True, False, False]
    assert "1 of 3 films is one the model was trained or validated on" in capsys.readouterr().err


def _calibrated_otherwise(model: Path, path: Path, factor: float) -> bytes:
    """``model``'s file with its temperature times ``factor`` and its self-test's reference probabilities computed at
    it, as cxr-convert would have written a run calibrated so: the temperature alone edited is refused as edited by
    hand (edge.temperature_edit), which is no second model."""
    import json as _json

    from edge import metadata as md
    from edge.members import SELFTEST
    from edge.model import EdgeModel

    path.write_bytes(md.rewrite(model.read_bytes(), lambda meta: {**meta, "temperature": factor * meta["temperature"]}))
    flatbuffer, meta, files = md.split(path.read_bytes())
    spec = _json.loads(files[SELFTEST])
    m = EdgeModel(path)
    spec["probabilities"] = m.classify(m.decode_encoded({n: files[n] for n in spec["images"]})).tolist()
    return md.attach(flatbuffer, meta, {**files, SELFTEST: _json.dumps(spec).encode()})
