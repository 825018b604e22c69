"""What a model answers for films of class folders left out of its figures (convert.left_out):
counted per folder and per source, unreadable and seen films said, in cxr-evaluate and cxr-compare."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convert.compare_cli import compare_app
from convert.evaluate_cli import evaluate_app
from tests.conftest import unpadded


def _files(root: Path, *names: str) -> None:
    """Tiny PNGs (and a text file where the name says so) at these paths under root."""
    from PIL import Image

    for rel in names:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".png"):
            Image.new("L", (8, 8)).save(root / rel)
        else:
            (root / rel).write_text("x")


def test_folders_left_out_are_counted_as_films_and_the_report_says_what_they_would_get(tmp_path):
    """A two-class model gives every film one of its two answers: a site that leaves its pneumonia
    folder out must read how many films that was, and that in use those films get COVID or Normal."""
    from convert.set_notes import renamed_line
    from convert.site_folders import left_out_films

    _files(tmp_path, "Viral/images/a.png", "Viral/images/b.png", "Viral/masks/a.png", "Viral/notes.txt",
           "Viral/images/.hidden.png", "Opacity/c.png", "COVID/d.png")
    folders = {"COVID": "COVID", "Viral": "-", "Opacity": "-"}
    counts = left_out_films(tmp_path, folders)
    assert counts == {"Opacity": 1, "Viral": 2}  # its masks/, documents and hidden files are no films
    assert renamed_line(folders, counts, ["COVID", "Normal"]) == (
        "Class folders: Opacity left out (1 film); Viral left out (2 films). This model calls every film COVID or "
        "Normal: in use, films of the classes left out here get one of those answers all the same (edge-classify on "
        "their folder shows which).")
    assert renamed_line(folders) == "Class folders: Opacity left out; Viral left out."
    assert renamed_line(folders, {"Opacity": 0, "Viral": 0}, ["COVID", "Normal"]).endswith("Viral left out (0 films).")


def test_the_answers_of_left_out_films_are_counted_per_folder_under_the_rule():
    import numpy as np

    from convert.left_out import answers_by_folder
    from convert.left_out_words import answers_section

    probs = np.array([[0.9, 0.1], [0.3, 0.7], [0.4, 0.6], [0.2, 0.8]])
    folders = ["Viral", "Viral", "Viral", "Opacity"]
    got = answers_by_folder(folders, probs, ["COVID", "Normal"], unlikeness=np.array([0.5, 2.0, 1.0, 3.0]),
                            unreadable={"Opacity": 2, "Empty": 1})
    assert list(got) == ["Empty", "Opacity", "Viral"]
    assert {c: a["films"] for c, a in got["Viral"]["called"].items()} == {"COVID": 1, "Normal": 2}
    assert got["Viral"]["flagged_by_input_check"] == 1 and got["Opacity"]["flagged_by_input_check"] == 1
    assert got["Opacity"]["unreadable"] == 2 and got["Empty"]["films"] == 0
    assert got["Empty"]["called"]["COVID"]["share"] is None
    lo, hi = got["Viral"]["called"]["COVID"]["share_ci"]
    assert lo < 1 / 3 < hi and got["Viral"]["called"]["COVID"]["share"] == pytest.approx(1 / 3)
    ruled = answers_by_folder(folders, probs, ["COVID", "Normal"], rule=(0, 0.35))  # COVID whenever p >= 0.35
    assert {c: a["films"] for c, a in ruled["Viral"]["called"].items()} == {"COVID": 2, "Normal": 1}
    assert ruled["Viral"]["flagged_by_input_check"] is None
    md = "\n".join(answers_section(got, ["COVID", "Normal"]))
    assert "is reported as Normal, often with a high probability: to this model Normal means only none of its " \
           "other classes, never 'no disease'" in " ".join(md.split())
    assert "| Viral | 3 | 1 (33%, " in md and "| Empty | 0 | - | - | 0 |" in md
    assert "Not read: 1 file of Empty; 2 files of Opacity" in md
    assert "by_source" not in got["Viral"] and "split its films by source" not in md


def test_a_left_out_folder_of_two_sources_is_split_by_source_and_one_source_is_not():
    import numpy as np

    from convert.left_out import answers_by_folder
    from convert.left_out_words import answers_section

    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8], [0.6, 0.4]])
    folders = ["Opacity", "Opacity", "Opacity", "Opacity", "Viral"]
    got = answers_by_folder(folders, probs, ["COVID", "Normal"], sources=["adults", "adults", "children", "", "kids"])
    split = got["Opacity"]["by_source"]
    assert list(split) == ["adults", "children", ""]  # films without a source last, not lost
    assert [(v["films"], v["called"]["COVID"]["films"]) for v in split.values()] == [(2, 2), (1, 0), (1, 0)]
    assert "by_source" not in got["Viral"]  # one source: the folder's row says it all
    md = unpadded("\n".join(answers_section(got, ["COVID", "Normal"])))
    assert "split its films by source" in md
    assert "| Opacity | 4 | 2 (50%, " in md and "| … adults | 2 | 2 (100%, " in md and "| … (not given) | 1 | 0 (0%, " in md
    two = unpadded("\n".join(answers_section({"A": got, "B": got}, ["COVID", "Normal"], ["A", "B"])))
    assert "| … children | 1 | A | 0 (0%, " in two and "| … children | 1 | B | 0 (0%, " in two


def _site_with_a_broken_left_out_film(tiny_run: Path, tmp_path: Path, broken: str) -> Path:
    """tiny_run's data folder as a site's, with a left-out Viral folder of one good film and one that is no image."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    site = tmp_path / "site"
    shutil.copytree(data / "COVID", site / "COVID")
    shutil.copytree(data / "Normal", site / "Normal")
    (site / "Viral").mkdir()
    shutil.copy(next((data / "Normal").glob("*.png")), site / "Viral" / "good.png")
    (site / "Viral" / broken).write_bytes(b"not a png")
    return site


def test_an_unreadable_left_out_film_is_named_and_fails_the_exit_code_and_can_be_skipped(tiny_run, tmp_path):
    site = _site_with_a_broken_left_out_film(tiny_run, tmp_path, "broken.png")
    model = str(tiny_run / "model_int8.tflite")
    args = [model, str(site), "--keep-seen", "--class-map", "Viral=-", "--explain", "0", "--n-boot", "100", "--quiet"]
    r = CliRunner().invoke(evaluate_app, [*args, "--out", str(tmp_path / "r")])
    assert r.exit_code == 1, r.output
    assert "Viral/broken.png" in r.output and "called COVID" in r.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    answers = report["left_out_answers"]["Viral"]
    assert (answers["films"], answers["unreadable"]) == (1, 1)
    assert [s["path"] for s in report["skipped_files"]] == ["Viral/broken.png"]  # as compare.json lists it: exit 1 named
    r = CliRunner().invoke(evaluate_app, [*args, "--no-score-left-out", "--out", str(tmp_path / "r2")])
    assert r.exit_code == 0, r.output
    report = json.loads((tmp_path / "r2" / "report.json").read_text())
    assert report["left_out_answers"] == {} and report["left_out_films"] == {"Viral": 2}
    assert not (tmp_path / "r2" / "left_out.csv").exists()
    assert "## Classes left out" not in (tmp_path / "r2" / "report.md").read_text()


def test_left_out_folders_are_found_under_train_and_test_too(tmp_path):
    """A set that comes split (train/CLASS, test/CLASS) holds a left-out class in both halves."""
    from convert.site_folders import left_out_films, left_out_items

    _files(tmp_path, "train/COVID/a.png", "train/Viral/b.png", "test/Viral/c.png", "test/Viral/masks/c.png",
           "test/COVID/d.png", "test/Empty/notes.txt")
    folders = {"COVID": "COVID", "Viral": "-", "Empty": "-"}
    assert left_out_films(tmp_path, folders) == {"Empty": 0, "Viral": 2}
    assert sorted((i.path, i.label) for i in left_out_items(tmp_path, folders)) == [
        ("test/Viral/c.png", "Viral"), ("train/Viral/b.png", "Viral")]


def test_left_out_films_the_model_was_trained_on_are_left_out_of_their_answers_unless_kept(tiny_run, tmp_path):
    split = json.loads((tiny_run / "split.json").read_text())
    data = Path(split["data_dir"])
    site = tmp_path / "site"
    for i in split["splits"]["test"]:  # films the model never saw, so nothing else is left out
        (site / i["label"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(data / i["path"], site / i["path"])
    trained = next(i for i in split["splits"]["train"] if i["label"] == "Normal")
    unseen = next(i for i in split["splits"]["test"] if i["label"] == "Normal")
    (site / "Viral").mkdir()
    shutil.copy(data / trained["path"], site / "Viral" / "trained.png")  # one film under two labels
    shutil.copy(data / unseen["path"], site / "Viral" / "unseen.png")
    model = str(tiny_run / "model_int8.tflite")
    args = [model, str(site), "--class-map", "Viral=-", "--explain", "0", "--n-boot", "100", "--no-find-crops"]
    r = CliRunner().invoke(evaluate_app, [*args, "--out", str(tmp_path / "r")])
    assert r.exit_code == 0, r.output
    answers = json.loads((tmp_path / "r" / "report.json").read_text())["left_out_answers"]["Viral"]
    assert (answers["films"], answers["seen_in_training"], answers["seen_kept"]) == (1, 1, False)
    rows = list(csv.DictReader((tmp_path / "r" / "left_out.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [r["file"] for r in rows] == ["Viral/unseen.png"]
    md = unpadded((tmp_path / "r" / "report.md").read_text())
    assert "Left out of this table, as films the model was trained or validated on (the same films or copies): 1 of Viral." in md
    assert "1 more it was trained or validated on left out" in r.output
    # the films scored hold none it saw, the folder left out one: the seen-film note must not deny it
    assert ("No film in the figures was found in the model's training or validation split" in md
            and "Of the films of the class folders left out, 1 was (\"Classes left out\" says more)." in md)
    r = CliRunner().invoke(evaluate_app, [*args, "--keep-seen", "--out", str(tmp_path / "k")])
    assert r.exit_code == 0, r.output
    answers = json.loads((tmp_path / "k" / "report.json").read_text())["left_out_answers"]["Viral"]
    assert (answers["films"], answers["seen_in_training"], answers["seen_kept"]) == (2, 1, True)
    assert "Among these films, ones the model was trained or validated on (the same films or copies): 1 of Viral" in (tmp_path / "k" / "report.md").read_text()


def test_left_out_csv_gives_each_films_source_where_one_is_named():
    import numpy as np

    from convert.film_tables import left_out_csv
    from train.data import Item

    probs = np.array([[0.9, 0.1], [0.2, 0.8]])
    sourced = [Item("Viral/a.png", "Viral", source="children"), Item("Viral/b.png", "Viral", source="")]
    rows = list(csv.DictReader(left_out_csv(sourced, probs, ["COVID", "Normal"]).splitlines()))
    assert [(r["file"], r["predicted"], r["source"]) for r in rows] == [("Viral/a.png", "COVID", "children"),
                                                                        ("Viral/b.png", "Normal", "(not given)")]
    plain = [Item("Viral/a.png", "Viral"), Item("Viral/b.png", "Viral")]
    assert "source" not in left_out_csv(plain, probs, ["COVID", "Normal"]).splitlines()[0]


def test_left_out_csv_has_predictions_csvs_rule_atypical_and_precision():
    """A film at p_COVID 0.3333 answered COVID by a stored rule (COVID >= 0.29) read as a wrong answer in
    left_out.csv, which had no rule column and 4 decimals where predictions.csv has both, and no atypical column."""
    import numpy as np

    from convert.film_tables import left_out_csv
    from train.data import Item

    films = [Item("Viral/a.png", "Viral"), Item("Viral/b.png", "Viral")]
    probs = np.array([[0.33333333, 0.66666667], [0.1234567, 0.8765433]])
    rows = list(csv.DictReader(left_out_csv(films, probs, ["COVID", "Normal"], (0, 0.29), np.array([0.5, 2.0])).splitlines()))
    assert [(r["predicted"], r["p_COVID"], r["rule"], r["atypical"]) for r in rows] == [
        ("COVID", "0.333333", "COVID>=0.29", "0"), ("Normal", "0.123457", "COVID>=0.29", "1")]
    plain = left_out_csv(films, probs, ["COVID", "Normal"]).splitlines()[0]
    assert "rule" not in plain and "atypical" not in plain  # the most probable class, no input check: nothing to say
    tiny = list(csv.DictReader(left_out_csv(films[:1], np.array([[2.65e-10, 1 - 2.65e-10]]), ["COVID", "Normal"]).splitlines()))
    assert tiny[0]["p_COVID"] == "2.65e-10"  # as predictions.csv and report.json give it, not 1e-06


def test_cxr_compare_gives_each_models_answers_for_the_folders_left_out(tiny_run, tmp_path):
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    site = tmp_path / "site"
    shutil.copytree(data / "COVID", site / "COVID")
    shutil.copytree(data / "Normal", site / "Normal")
    shutil.copytree(data / "Normal", site / "PNEUMONIA")  # copies of the Normal films: they must get Normal's answers
    a, b = tiny_run / "model_fp32.tflite", tiny_run / "model_int8.tflite"
    res = CliRunner().invoke(compare_app, [str(a), str(b), str(site), "--out", str(tmp_path / "c"), "--n-boot", "100",
                                           "--quiet", "--keep-seen", "--class-map", "PNEUMONIA=-"])
    assert res.exit_code == 0, res.output
    r = json.loads((tmp_path / "c" / "compare.json").read_text())
    n = len(list((data / "Normal").glob("*.png")))
    md = unpadded((tmp_path / "c" / "compare.md").read_text())
    assert "## Classes left out" in md
    for who, answers in (("A", r["answers_a"]), ("B", r["answers_b"])):
        normal = [k for f, k in zip(r["files"], answers) if f.startswith("Normal/")]
        got = r["left_out_answers"][who]["PNEUMONIA"]
        assert got["films"] == n == len(normal)
        assert {c: v["films"] for c, v in got["called"].items()} == {c: normal.count(c) for c in ("COVID", "Normal")}
        assert f"| PNEUMONIA | {n} | {who} | {normal.count('COVID')} (" in md
        assert f"cxr-compare: note: {who}: PNEUMONIA ({n} films, left out of the figures) called COVID " in res.output
    split = json.loads((tiny_run / "split.json").read_text())
    seen = sum(i["label"] == "Normal" for part in ("train", "val") for i in split["splits"][part])
    assert 0 < seen < n and r["left_out_answers"]["A"]["PNEUMONIA"]["seen_in_training"] == seen
    assert f"Among these films, ones either model was trained or validated on (the same films or copies): {seen} of PNEUMONIA" in md
    res = CliRunner().invoke(compare_app, [str(a), str(b), str(site), "--out", str(tmp_path / "d"), "--n-boot", "100",
                                           "--quiet", "--class-map", "PNEUMONIA=-"])
    assert res.exit_code == 0, res.output
    got = json.loads((tmp_path / "d" / "compare.json").read_text())["left_out_answers"]["B"]["PNEUMONIA"]
    assert (got["films"], got["seen_in_training"], got["seen_kept"]) == (n - seen, seen, False)


def test_a_class_folder_renamed_since_training_is_not_a_class_never_trained_on(tiny_run, tmp_path):
    """Normal renamed Healthy after training: cxr-convert's report and every file's card said
    'Healthy (n = 4) ... never trained on: COVID 100%', of the run's own test films."""
    from convert.left_out import data_folder_answers
    from train.data import Split

    run = json.loads((tiny_run / "run.json").read_text())
    split = Split.load(tiny_run / "split.json")
    data = tmp_path / "data"
    shutil.copytree(split.data_dir, data)
    (data / "Normal").rename(data / "Healthy")
    files = {"int8": tiny_run / "model_int8.tflite"}
    own = {i.sha256 for part in split.parts.values() for i in part}
    said: list[str] = []
    assert data_folder_answers(data, run["classes"], run["preprocess"], files, None, False, own, said.append) is None
    assert len(said) == 1 and said[0].startswith("note: ") and "films in Healthy/ are this run's own films" in said[0]
    # a folder of another finding is still scored
    shutil.copytree(data / "Healthy", data / "Effusion")
    for film in (data / "Effusion").iterdir():
        film.write_bytes(film.read_bytes() + b"\0")  # other bytes: not the run's films (a PNG ignores what follows)
    other = data_folder_answers(data, run["classes"], run["preprocess"], files, None, False, own, said.append)
    assert list(other["by_mode"]["int8"]) == ["Effusion"]


def test_leaving_out_a_folder_of_the_models_own_class_is_warned(tmp_path):
    """--class-map Normal=- on a COVID-or-Normal model was taken without a word: Normal's sensitivity went
    unmeasured, and the report said the model 'has no answer for their class'."""
    from convert.site_folders import site_items

    _files(tmp_path, "COVID/a.png", "normal/b.png", "Viral/c.png")
    warnings = []
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            site_items(tmp_path, ["COVID", "Normal"], "normal=-,Viral=-", "cxr-evaluate", quiet=True, warnings=warnings)
        except Exception:  # the films here are no images: only the warning about the folders matters
            pass
    said = [w for w in warnings if w.startswith("--class-map normal=-")]
    assert said and "normal is the model's class Normal: its films are in no figure" in said[0]
    assert not any(w.startswith("--class-map Viral=-") for w in warnings)  # a class the model lacks: as before


def test_the_left_out_section_says_when_a_folder_is_the_models_own_class():
    from convert.left_out_words import answers_section

    called = {"COVID": {"films": 1, "share": 1 / 3, "share_ci": [0.06, 0.79]},
              "Normal": {"films": 2, "share": 2 / 3, "share_ci": [0.21, 0.94]}}
    row = {"films": 3, "called": called, "flagged_by_input_check": None, "unreadable": 0}
    md = "\n".join(answers_section({"normal": row, "Viral": row}, ["COVID", "Normal"]))
    assert ("These films are in no figure above. normal: the model's own class, left out with --class-map FOLDER=-, "
            "so its sensitivity is not measured; the other folders: the model has no answer for their class.") in md
    md = "\n".join(answers_section({"Viral": row}, ["COVID", "Normal"]))
    assert "These films are in no figure above: the model has no answer for their class." in md


def test_cxr_converts_left_out_films_leave_out_mirrored_copies_of_training_films(tiny_run, tmp_path):
    """cxr-convert scored mirror images and crops of training films filed under a class it was never
    trained on as films it had never seen, where cxr-evaluate found them."""
    import numpy as np
    from PIL import Image

    from convert.left_out import data_folder_answers
    from train.data import Split

    run = json.loads((tiny_run / "run.json").read_text())
    split = Split.load(tiny_run / "split.json")
    data = tmp_path / "data"
    (data / "Effusion").mkdir(parents=True)
    trained = split.parts["train"][:3]
    for k, item in enumerate(trained):
        film = np.asarray(Image.open(Path(split.data_dir) / item.path).convert("L"))
        Image.fromarray(np.ascontiguousarray(film[:, ::-1])).save(data / "Effusion" / f"mirror{k}.png")
    noise = np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8)  # a film of its own: scored
    Image.fromarray(noise).save(data / "Effusion" / "unseen.png")
    got = data_folder_answers(data, run["classes"], run["preprocess"], {"int8": tiny_run / "model_int8.tflite"},
                              progress=False)
    assert got["by_mode"]["int8"]["Effusion"]["seen_in_training"] == len(trained)


def test_cxr_converts_left_out_section_names_no_option_it_lacks(tiny_run, tmp_path):
    """'--keep-seen keeps them', in cxr-convert's report: cxr-convert has no --keep-seen."""
    import numpy as np

    from convert.quant_report import write_quantization_report

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    report = json.loads((run / "report.json").read_text())
    classes = report["classes"]
    called = {c: {"films": 1, "share": 0.5, "share_ci": [0.1, 0.9]} for c in classes}
    row = {"films": 2, "called": called, "flagged_by_input_check": None, "unreadable": 0, "seen_in_training": 1,
           "seen_kept": False}
    report["other_classes"] = {"data_dir": "data", "by_mode": {m: {"Effusion": row} for m in ("int8", "fp32")}}
    n = report["test_set"]["n"]
    rng = np.random.default_rng(0)
    write_quantization_report(run, report, {m: rng.dirichlet(np.ones(len(classes)), n) for m in report["models"]},
                              rng.integers(0, len(classes), n))
    md = unpadded((run / "report.md").read_text())
    assert "1 of Effusion" in md and "cxr-evaluate --keep-seen scores them." in md and "; --keep-seen keeps" not in md


def test_a_class_folder_mostly_of_the_runs_own_films_is_taken_for_a_renamed_class(tmp_path):
    """Normal renamed Healthy, and one film added to it since training: the run's own Normal films were reported
    as a finding 'never trained on'. Three of four films the run's is mostly; two of four is not."""
    from convert.left_out import _renamed_class
    from edge.digest import file_sha256

    _files(tmp_path, *(f"Healthy/{k}.png" for k in range(4)))
    for k in range(4):  # four different films (a PNG ignores what follows it)
        with open(tmp_path / "Healthy" / f"{k}.png", "ab") as f:
            f.write(bytes([k]))
    shas = [file_sha256(tmp_path / "Healthy" / f"{k}.png") for k in range(4)]
    said = []
    assert _renamed_class(tmp_path, "Healthy", set(shas[:3]), said.append)
    assert said[0].startswith("note: 3 of the 4 films in Healthy/ are this run's own films")
    assert not _renamed_class(tmp_path, "Healthy", set(shas[:2]), said.append) and len(said) == 1


def test_every_left_out_film_is_scored_once_across_chunks(tmp_path, monkeypatch):
    """Left-out films are scored CHUNK (1,024) at a time, and no test crossed a chunk: the Kaggle set's Lung_Opacity
    (6,012 films) could lose its last partial chunk, or score a film twice, unseen. Five films in chunks of two."""
    import numpy as np
    from PIL import Image

    import convert.left_out as left_out
    from convert.site_folders import left_out_items
    from edge.preprocess import PreprocessConfig

    (tmp_path / "Viral").mkdir()
    rng = np.random.default_rng(0)
    for k in range(5):  # noise of its own (a flat film is refused): its preprocessed mean, its score, says which film
        pixels = np.clip(rng.normal(40 + 40 * k, 10, (32, 32)), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(tmp_path / "Viral" / f"f{k}.png")
    monkeypatch.setattr(left_out, "CHUNK", 2)
    items = left_out_items(tmp_path, {"Viral": "-"})

    def predict(x):
        m = x.reshape(len(x), -1).mean(axis=1)
        return np.stack([m, 1 - m], axis=1)

    chunks = []
    read, probs, unlike, skipped = left_out.score_left_out(tmp_path, items, [(predict, PreprocessConfig().to_dict(), None)],
                                                           chunks.append)
    assert sorted(i.path for i in read) == sorted(i.path for i in items) and len(items) == 5 and not skipped
    assert chunks == [2, 2, 1] and len(probs[0]) == 5
    assert len(set(np.round(probs[0][:, 0], 6))) == 5  # five films, none scored twice


def test_an_unreadable_left_out_films_name_is_said_on_one_line_of_text(tiny_run, tmp_path):
    """cxr-evaluate and cxr-compare said the films they scored that could not be read on one line each (said_name),
    but printed a left-out folder's unreadable film's name as it is: a newline in it split its error over two lines,
    the second like another film's."""
    site = _site_with_a_broken_left_out_film(tiny_run, tmp_path, "bro\nken.png")
    model = str(tiny_run / "model_int8.tflite")
    common = ["--keep-seen", "--class-map", "Viral=-", "--n-boot", "100", "--quiet", "--no-find-crops"]
    for prog, app, args in (("cxr-evaluate", evaluate_app, [model, str(site), "--explain", "0"]),
                            ("cxr-compare", compare_app, [model, model, str(site)])):
        r = CliRunner().invoke(app, [*args, *common, "--out", str(tmp_path / prog)])
        assert r.exit_code == 1, r.output
        assert f'{prog}: "Viral/bro\\nken.png": ' in r.output, r.output
        assert not any(line.startswith("ken.png") for line in r.output.splitlines()), r.output
