"""cxr-evaluate end to end on a tiny set, per-source breakdown, and leave-one-source-out on real data."""

from __future__ import annotations

import csv
import json
import os
import re
from collections import Counter
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from convert.evaluate_cli import evaluate_app
from tests.conftest import cxr_dev_or_skip, unpadded


def test_cxr_evaluate_tflite_on_a_labelled_folder_with_sources(tiny_run, tmp_path):
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    rows = [{"file": p.relative_to(data).as_posix(), "source_repo": "site-A" if i % 2 else "site-B"}
            for i, p in enumerate(sorted(data.glob("*/*.png")))]
    with open(data / "MANIFEST.csv", "w", newline="") as f:
        w = csv.DictWriter(f, ["file", "source_repo"])
        w.writeheader()
        w.writerows(rows)
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(data), "--keep-seen", "--out", str(out),
                                          "--n-boot", "200", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "balanced accuracy" in r.output
    assert "model_int8.tflite was trained on SYNTHETIC images; its figures say nothing" in r.output  # on stderr too
    report = json.loads((out / "report.json").read_text())
    # read alone (a dashboard, a mail), report.json said nowhere that this is no medical device, as report.md does
    assert report["disclaimer"] == "Research software, NOT a medical device: do not use its output to diagnose, " \
                                   "treat or triage anyone."
    m = report["metrics"]
    assert m["n"] == 32 and sum(map(sum, m["confusion_matrix"])) == 32
    # 16 films a class: too few to judge a model by, said on stderr, in bold under report.md's headline, in report.json
    assert "cxr-evaluate: warning: too few films to judge: 32 films scored (16 " in r.output
    assert report["too_few_films"] == report["classes"]
    assert "\n\n**Too few films to judge: 32 films scored (16 " in (out / "report.md").read_text()
    lo, hi = m["macro_auroc_ci"]  # the headline on stdout gives the AUROC's interval, as report.md's does
    assert f"AUROC {m['macro_auroc']:.3f} ({lo:.3f} to {hi:.3f}), ECE" in r.output  # a terminal line: ASCII
    assert f"AUROC {m['macro_auroc']:.3f} ({lo:.3f}–{hi:.3f}), ECE" in (out / "report.md").read_text()
    assert set(report["per_source"]) == {"site-A", "site-B"}
    assert sum(s["n"] for s in report["per_source"].values()) == 32
    for name in ("report.md", "confusion.png", "roc.png", "reliability.png"):
        assert (out / name).is_file()
    md = unpadded((out / "report.md").read_text())
    assert "not a medical device" in md and "## Per source" in md and "sensitivity" in md
    # the title names the file alone ("model_int8.tflite on data": runA's and runB's read the same): the path as
    # given, and the card's first line, when and how it was made (hunt 58, M8)
    from edge.card import card_head
    from edge.model import EdgeModel

    head = card_head(EdgeModel(tiny_run / "model_int8.tflite").meta, None)
    assert f"\n\nModel: `{tiny_run / 'model_int8.tflite'}`, {head}; its test split drawn from the data folder " in md
    assert " trained 20" in head and "(compact, int8; " in head and not head.startswith("model_int8.tflite")
    assert "averaged over 15 equal-width bins of that probability" in md  # how ECE was binned, said once
    # For a screen reader or a greyscale print: each picture says what it shows, and the
    # reliability diagram's numbers are a table (every film in one bin).
    alts = re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", md)
    assert {f for _, f in alts} >= {"confusion.png", "roc.png", "reliability.png"}
    assert all(len(alt.split()) >= 8 for alt, _ in alts), alts
    bins = [line for line in md.splitlines() if re.match(r"\| [\d.]+ to [\d.]+% \|", line)]
    assert bins and sum(int(line.split("|")[2]) for line in bins) == 32
    assert "Wilson" in md and "AUROC: the area under the ROC curve" in md
    assert "**Reference standard and scope:** every figure here measures agreement with the class" in md
    assert (out / "predictions.csv").read_bytes().startswith(b"\xef\xbb\xbffile,")  # Excel reads UTF-8 names with it
    with open(out / "predictions.csv", newline="", encoding="utf-8-sig") as f:  # one source's mistakes, reviewed without a join
        listed = {r["file"]: r["source"] for r in csv.DictReader(f)}
    assert listed == {r["file"]: r["source_repo"] for r in rows}
    # which model this certifies, once the report is copied away from it: its weights' digest, and how it was scored
    from edge.model import EdgeModel

    p = report["provenance"]
    assert p["models"][0]["sha256"] == EdgeModel(tiny_run / "model_int8.tflite").meta["tflite_sha256"]
    assert p["n_boot"] == 200 and p["versions"]["cxr_edge"] and p["scored"][:2] == "20"
    assert p["versions"]["pillow"].split(".")[0].isdigit()  # it decodes every film
    assert (f"model_int8.tflite (file SHA-256 {p['models'][0]['file_sha256'][:12]}..., weights SHA-256 "
            f"{p['models'][0]['sha256'][:12]}...)") in md.split("## Provenance")[1]
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in md.splitlines() if line.startswith("| site-")]
    k = len(report["classes"])  # then the note column
    said = [(c[0], c[1], [int(v) for v in c[3:3 + k]]) for c in cells if c[1] in report["classes"]]
    source_of = {r["file"]: r["source_repo"] for r in rows}
    got = Counter((source_of[p["file"]], p["true"], p["predicted"]) for p in report["predictions"])
    assert said == [(src, true, [got[src, true, c] for c in report["classes"]])
                    for src in ("site-A", "site-B") for true in report["classes"]
                    if any(got[src, true, c] for c in report["classes"])]
    assert sum(sum(row) for _, _, row in said) == 32  # every film once, in its source's row
    assert "robustness" not in report and "simulated acquisition shifts" not in md  # only with --shifts


def test_scoring_a_chunk_at_a_time_gives_the_answers_of_one_call(tiny_run, monkeypatch):
    import convert.evaluate as ev
    from edge.model import EdgeModel

    m = EdgeModel(tiny_run / "model_int8.tflite")
    x = np.random.default_rng(2).integers(0, 256, (7, *m.input_shape[1:]), dtype=np.uint8)
    monkeypatch.setattr(ev, "SCORE_CHUNK", 3)
    probs, unlikeness = ev.scored(m.classify, x, m.typicality, progress=False)
    assert np.array_equal(probs, m.classify(x))
    assert m.typicality is not None and np.array_equal(unlikeness, m.typicality.unlikeness(x))
    assert np.array_equal(unlikeness > 1, m.typicality.atypical(x))
    assert ev.scored(m.classify, x[:0], None, progress=False)[0].shape == (0, len(m.labels))


def test_cxr_evaluate_scores_the_model_under_simulated_shifts(tiny_run, tmp_path):
    from convert.shifts import SHIFTS, hardest_hit

    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    out = tmp_path / "shifted"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(data), "--keep-seen", "--out", str(out),
                                          "--n-boot", "100", "--explain", "0", "--shifts", "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    rob = report["robustness"]
    assert list(rob) == ["none", *SHIFTS]
    assert rob["none"]["balanced_accuracy"] == report["metrics"]["balanced_accuracy"]  # the same images, unshifted
    assert rob["none"]["answers_moved"] == 0.0 and rob["none"]["drop_points"] == 0.0
    assert all(0.0 <= v["answers_moved"] <= 1.0 for v in rob.values())
    assert any(v["answers_moved"] > 0 for v in rob.values())
    md = unpadded((out / "report.md").read_text())
    assert "## Under simulated acquisition shifts" in md and "| zoom 0.85 |" in md
    classes = report["classes"]
    for v in rob.values():
        assert len(v["sensitivity"]) == len(classes)
    assert rob["none"]["sensitivity"] == [report["metrics"]["per_class"][k]["sensitivity"] for k in range(len(classes))]
    for name in rob:
        if (hit := hardest_hit(rob, name)) is not None:  # the report names the class a shift costs most
            assert f"| {classes[hit[0]]} {hit[1]:.1f} |" in md
    # Under a rule the shifted films are labelled by the rule too, as the rest of the report is.
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(data), "--keep-seen", "--out", str(out / "rule"),
                                          "--n-boot", "100", "--explain", "0", "--shifts", "--quiet",
                                          "--threshold", f"{classes[0]}=0.999"])
    assert r.exit_code == 0, r.output
    ruled = json.loads((out / "rule" / "report.json").read_text())
    assert ruled["robustness"]["none"]["balanced_accuracy"] == ruled["metrics"]["balanced_accuracy"]
    assert ruled["robustness"]["none"]["sensitivity"] == [c["sensitivity"] for c in ruled["metrics"]["per_class"]]


def test_cxr_evaluate_maps_where_the_model_looked_on_its_most_confident_mistakes(tiny_run, tmp_path):
    import shutil

    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    classes = sorted(p.name for p in data.iterdir() if p.is_dir())
    swapped = tmp_path / "swapped"  # every label wrong: whatever the model got right is now a mistake
    for a, b in zip(classes, classes[::-1]):
        shutil.copytree(data / a, swapped / b)
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(swapped), "--keep-seen", "--out", str(out),
                                          "--n-boot", "100", "--explain", "3", "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    wrong = {p["file"]: p["probabilities"][p["predicted"]] for p in report["predictions"] if p["predicted"] != p["true"]}
    assert len(wrong) >= 3, "the tiny model should get some images right, i.e. wrong once swapped"
    occ = report["occlusion"]
    assert len(occ) == 3 and all(o["file"] in wrong and o["true"] != o["predicted"] for o in occ)
    assert [o["probability"] for o in occ] == sorted(wrong.values(), reverse=True)[:3]  # the most confident
    # a map without evidence (no square's cover lowered the answer) has no share: never a 0% read as "the lungs"
    assert all(o["border_share"] is None or 0 <= o["border_share"] <= 1 for o in occ)
    assert all(0 <= o["covered_probability"] <= 1 for o in occ)
    assert (out / "occlusion.png").stat().st_size > 1000
    md = unpadded((out / "report.md").read_text())
    evidence = report["evidence_border_share"]
    assert evidence["n"] + evidence["without_evidence"] == 32
    assert {"strongest_at_border", "strongest_at_border_even"} <= set(evidence)  # added beside the share by area
    assert "## Where the model looked" in md and ("of the evidence for the model's answers" in md) == (evidence["n"] > 0)
    assert evidence["mean"] is None if not evidence["n"] else 0 <= evidence["mean"] <= 1
    from convert.evaluate_cli import REPORT_FILES

    assert set(os.listdir(out)) <= set(REPORT_FILES), "REPORT_FILES names every file a report folder holds"
    (out / "notes.txt").write_text("the user's own")
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(swapped), "--keep-seen", "--out",
                                          str(out), "--n-boot", "100", "--explain", "0", "--quiet"])
    assert r.exit_code == 0 and "occlusion" not in json.loads((out / "report.json").read_text())
    assert not (out / "occlusion.png").exists(), "the earlier run's maps, of mistakes this report does not show"
    assert (out / "notes.txt").read_text() == "the user's own"


def test_cxr_evaluate_keras_model_agrees_with_its_run(tiny_run, tmp_path, monkeypatch):
    """A .keras needs no TFLite runtime: one asked for and missing (CXR_EDGE_RUNTIME left set) failed the
    finished report, as its provenance named the runtime that played no part."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    monkeypatch.setenv("CXR_EDGE_RUNTIME", "no_such_runtime")
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model.keras"), str(data), "--keep-seen", "--out", str(tmp_path / "k"),
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((tmp_path / "k" / "report.json").read_text())
    assert report["model_kind"] == "keras" and report["provenance"]["versions"]["runtime"] is None
    assert "by cxr-edge " in (tmp_path / "k" / "report.md").read_text() and " (Keras): model.keras" in (
        tmp_path / "k" / "report.md").read_text()
    run = json.loads((tiny_run / "run.json").read_text())  # which model, beyond "model.keras on data" (hunt 58, M8)
    assert (f"Model: `{tiny_run / 'model.keras'}`, the Keras model of the cxr-train run {tiny_run.name}: "
            f"{' / '.join(run['classes'])} ({run['arch']}, float; trained {run['created']})." in unpadded(
                (tmp_path / "k" / "report.md").read_text()))


def test_cxr_evaluate_rejects_unknown_classes(tiny_run, tmp_path):
    (tmp_path / "Cat").mkdir()
    (tmp_path / "Dog").mkdir()
    from PIL import Image

    Image.new("L", (64, 64), 9).save(tmp_path / "Cat" / "a.png")
    Image.new("L", (64, 64), 9).save(tmp_path / "Dog" / "a.png")
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(tmp_path), "--keep-seen", "--quiet"])
    assert r.exit_code == 2 and "not among the model's labels" in r.output


def test_holdout_source_keeps_hannover_out_of_training(tmp_path):
    data = cxr_dev_or_skip()
    from train.quiet import load_tensorflow

    load_tensorflow()
    from edge.preprocess import PreprocessConfig
    from train.prepare import prepare_data
    from train.run import TrainSettings

    split, arrays, notes = prepare_data(TrainSettings(data=str(data), out=tmp_path, classes=["COVID", "Normal"],
                                                      holdout_source="hannover", image_size=32, progress=False),
                                        PreprocessConfig(size=32))
    external = split.parts["external"]
    assert len(external) == 51 and all(Path(i.path).name.startswith("hannover-") for i in external)
    for part in ("train", "val", "test"):
        assert not any("hannover" in i.path for i in split.parts[part])
    assert arrays["external"].shape == (51, 32, 32, 1)
    assert notes["hygiene"]["groups_across_splits"] == 0


def test_cxr_evaluate_counts_the_images_the_input_check_flags(tiny_run, tmp_path):
    import numpy as np
    from PIL import Image, ImageOps

    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    odd = tmp_path / "odd"  # one class of films stored inverted, the other as they are
    for p in sorted(data.glob("*/*.png")):
        (odd / p.parent.name).mkdir(parents=True, exist_ok=True)
        img = Image.open(p).convert("L")
        (ImageOps.invert(img) if p.parent.name == "COVID" else img).save(odd / p.parent.name / p.name)
    with open(odd / "MANIFEST.csv", "w", newline="") as f:  # the inverted films come from one 'site'
        w = csv.DictWriter(f, ["file", "source_repo"])
        w.writeheader()
        w.writerows({"file": p.relative_to(odd).as_posix(), "source_repo": f"site-{p.parent.name}"}
                    for p in sorted(odd.glob("*/*.png")))
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(odd), "--keep-seen", "--out", str(out),
                                          "--n-boot", "100", "--explain", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    check = report["input_check"]
    flagged = [p for p in report["predictions"] if p["atypical"]]
    assert all((p["input_check_score"] > 1) == p["atypical"] for p in report["predictions"])
    assert check["n"] == 32 and check["flagged"] == len(flagged) == sum(check["per_class"].values())
    assert check["per_class"]["COVID"] >= 12 and check["per_class"]["Normal"] <= 4
    assert np.isclose(check["share"], len(flagged) / 32)
    assert check["per_source"]["site-COVID"] == {"flagged": check["per_class"]["COVID"], "n": 16}
    md = unpadded((out / "report.md").read_text())
    assert "## Input check" in md and f"{len(flagged)} of 32 images" in md
    # Read against the file's own false-alarm rate, as it stores it, not a figure for every file
    from edge import metadata

    own = metadata.read(tiny_run / "model_int8.tflite")[1]["typicality"]["flagged_validation"]
    assert check["flagged_validation"] == own
    assert f"on its own validation images, this file's check flagged {100 * own:.1f}%" in md and "about 1%" not in md


def test_cxr_evaluate_scores_a_folder_of_one_class(tiny_run, tmp_path):
    """A site may check the sensitivity on its confirmed cases alone: no Normal films, no ROC."""
    import shutil

    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    shutil.copytree(data / "COVID", tmp_path / "cases" / "COVID")
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(tmp_path / "cases"), "--keep-seen", "--out", str(out),
                                          "--threshold", "COVID=0.001", "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())  # strict JSON: no NaN for the missing class
    covid = next(c for c in report["metrics"]["per_class"] if c["class"] == "COVID")
    n = len(list((data / "COVID").glob("*.png")))
    assert covid["support"] == n and covid["sensitivity"] == 1.0 and covid["specificity"] is None
    # With no other class's films, PPV, NPV and F1 are fixed by the mix, not earned: null, and said
    assert report["metrics"]["classes_present"] == ["COVID"]
    # A model answering COVID to all got balanced_accuracy 1.0 here, which a script's "> 0.8" passed (H66): none
    assert report["metrics"]["balanced_accuracy"] is None and report["metrics"]["balanced_accuracy_ci"] == [None, None]
    assert report["metrics"]["balanced_accuracy_no_value"].startswith("one class present (COVID films only)")
    assert all(c["ppv"] is None and c["npv"] is None and c["f1"] is None for c in report["metrics"]["per_class"])
    assert "COVID films only: COVID sensitivity 100.0" in r.output and "balanced accuracy" not in r.output
    md = unpadded((out / "report.md").read_text())
    assert "Only COVID films here: PPV, NPV and F1 are n/a" in md
    assert "| COVID | " + str(n) + " | 100.0 (" in md and "| n/a | n/a | n/a |" in md
    assert report["threshold_rule"]["specificity"] is None and report["threshold_rule"]["tp"] == n
    assert "n/a%" not in (out / "report.md").read_text()
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(tmp_path / "nothing"), "--keep-seen", "--quiet"])
    assert r.exit_code == 2 and "does not exist" in r.output


def test_warnings_about_the_films_are_in_the_report_not_only_on_stderr(tiny_run, tmp_path):
    import shutil

    data = tmp_path / "site"
    shutil.copytree(Path(json.loads((tiny_run / "split.json").read_text())["data_dir"]), data,
                    ignore=shutil.ignore_patterns("MANIFEST.csv"))
    films = sorted(p.relative_to(data).as_posix() for p in data.glob("*/*.png"))
    with open(data / "MANIFEST.csv", "w", newline="") as f:  # the first film labelled as the other class; two unlisted
        w = csv.writer(f)
        w.writerow(["file", "label", "source", "ward", "age"])  # --by: no film has a ward; one age reads as none
        other = {"COVID": "Normal", "Normal": "COVID"}
        w.writerows([[p, other[p.split("/")[0]] if i == 0 else p.split("/")[0], "site-A", "", "adult" if i == 1 else "45"]
                     for i, p in enumerate(films[:-2])])
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(data), "--keep-seen", "--out", str(out),
                                          "--n-boot", "100", "--quiet", "--by", "ward,age"])
    assert r.exit_code == 0, r.output
    warnings = json.loads((out / "report.json").read_text())["data_warnings"]
    label = next(w for w in warnings if "the label in MANIFEST.csv is not its class folder's" in w)
    unlisted = next(w for w in warnings if "have no row in its MANIFEST.csv" in w)
    assert "2 of the 32 films" in unlisted and label != unlisted
    # a grouping asked for and dropped, or values read as no age, were said on stderr only
    assert [w for w in warnings if w.startswith("--by ")] == [
        f"--by ward, age: 2 of the 32 films to score have no row in MANIFEST.csv (e.g. {films[-2]}), so they are "
        "grouped as (not given)",
        "--by ward: no film has a value in MANIFEST.csv's ward column; left out of the report",
        "--by age: 1 film has a value that reads as no age ('adult'): grouped as (not an age), apart from the films "
        "without one"]
    assert len(warnings) == 5
    md = (out / "report.md").read_text()
    assert md.count("**Warning (the films):**") == 5 and "For 1 film in" in md and "--by ward: no film has a value" in md


def test_a_manifest_label_naming_the_class_a_folder_is_mapped_to_is_no_conflict(tiny_run, tmp_path):
    """Under --class-map Healthy=Normal, rows labelling Healthy/'s films Normal were said to contradict
    their folder ('check which is right'); a row naming the folder itself is fine too; another class is not."""
    import shutil

    src = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    data = tmp_path / "site"
    shutil.copytree(src / "COVID", data / "COVID")
    shutil.copytree(src / "Normal", data / "Healthy")
    films = sorted(p.relative_to(data).as_posix() for p in data.glob("*/*.png"))
    healthy = [f for f in films if f.startswith("Healthy/")]

    def evaluate(labels: dict[str, str]) -> list[str]:
        with open(data / "MANIFEST.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["file", "label"])
            w.writerows([[p, labels.get(p, p.split("/")[0])] for p in films])
        r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(data), "--keep-seen", "--out",
                                              str(tmp_path / "report"), "--class-map", "Healthy=Normal", "--n-boot",
                                              "100", "--explain", "0", "--quiet"])
        assert r.exit_code == 0, r.output
        return [w for w in json.loads((tmp_path / "report" / "report.json").read_text())["data_warnings"]
                if "the label in MANIFEST.csv is not its class folder's" in w]
    assert evaluate({f: "Normal" for f in healthy}) == []
    assert evaluate({}) == []  # 'Healthy', the folder's own name
    (said,) = evaluate({healthy[0]: "COVID"})
    assert said.startswith("for 1 film in") and f"{healthy[0]}: COVID" in said


def test_occlusion_maps_are_capped_at_one_readable_picture(tmp_path):
    """500 maps made one 1.6 GB picture; a number past the cap is refused before any work."""
    from convert.cli import convert_app
    from convert.occlusion import MAX_MAPS

    for app, args in ((evaluate_app, ["m.tflite", str(tmp_path)]), (convert_app, [str(tmp_path)])):
        r = CliRunner().invoke(app, [*args, "--explain", str(MAX_MAPS + 1)])
        assert r.exit_code == 2 and f"is not in the range 0<=x<={MAX_MAPS}" in " ".join(r.output.split()), r.output


def test_an_out_folder_holding_a_users_files_of_a_reports_names_is_refused(tiny_run, tmp_path):
    """--out mywork/ removed the user's left_out.csv and occlusion.png and replaced their report.md, in a
    folder that never held a cxr-evaluate report."""
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    mine = tmp_path / "mywork"
    mine.mkdir()
    for name, text in (("left_out.csv", "film,reason\n"), ("occlusion.png", "fake"), ("report.md", "my notes"),
                       ("notes.txt", "kept")):
        (mine / name).write_text(text)
    args = [str(tiny_run / "model_int8.tflite"), str(data), "--keep-seen", "--n-boot", "100", "--quiet", "--explain", "0"]
    r = CliRunner().invoke(evaluate_app, [*args, "--out", str(mine)])
    assert r.exit_code == 2 and "holds report.md, left_out.csv, occlusion.png but no earlier cxr-evaluate report" in r.output
    assert (mine / "report.md").read_text() == "my notes" and (mine / "left_out.csv").exists()
    (mine / "report.md").unlink()
    (mine / "left_out.csv").unlink()
    (mine / "occlusion.png").unlink()
    assert CliRunner().invoke(evaluate_app, [*args, "--out", str(mine)]).exit_code == 0  # other files: no matter
    assert (mine / "notes.txt").read_text() == "kept"
    assert CliRunner().invoke(evaluate_app, [*args, "--out", str(mine)]).exit_code == 0  # its own report: replaced


def test_a_folder_of_films_none_can_read_says_each_ones_reason(tiny_run, tmp_path):
    """'no readable images' was all cxr-evaluate and cxr-compare said when every film failed: a site whose films are
    all JPEG Lossless DICOM with no decoder installed had no hint that a decoder was missing."""
    from convert.compare_cli import compare_app

    for cls in ("COVID", "Normal"):
        (tmp_path / "films" / cls).mkdir(parents=True)
        (tmp_path / "films" / cls / "cut.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    model = str(tiny_run / "model_int8.tflite")
    for app, args in ((evaluate_app, [model]), (compare_app, [model, str(tiny_run / "model_fp32.tflite")])):
        r = CliRunner().invoke(app, [*args, str(tmp_path / "films"), "--quiet", "--out", str(tmp_path / f"out{len(args)}")])
        assert r.exit_code == 2, r.output
        assert r.output.count("cut.png: ") == 2 and "none of its 2 image files could be read" in r.output
    from convert.site_folders import unreadable_clause  # a folder of one such film: not 'none of its 1 image file(s)'

    assert unreadable_clause(1) == ": its 1 image file could not be read (its reason is above)"


def test_each_unreadable_film_is_said_on_one_line_of_text(capsys):
    """cxr-evaluate printed a film's name as it is: a newline split its error over two lines, the second like another
    film's, and an undecodable byte went out raw."""
    from convert.evaluate_films import _say_skipped

    _say_skipped([{"path": "COVID/broken\udcff\nname.png", "error": "corrupt or truncated image"}])
    assert capsys.readouterr().err == 'cxr-evaluate: "COVID/broken\\xff\\nname.png": corrupt or truncated image\n'


def site_with_a_skull_ct(tiny_run, tmp_path) -> Path:
    """A copy of the tiny run's films with a skull CT (a DICOM film whose header says so) filed as Normal/IM000001."""
    import shutil

    import pytest

    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    from tests.test_dicom import make_dicom, ramp, with_header

    site = tmp_path / "site"
    # without the MANIFEST.csv test_cxr_evaluate_tflite_on_a_labelled_folder_with_sources leaves in the shared data:
    # after it, in the same worker, the skull CT was a film without a row, and that warning came first
    shutil.copytree(Path(json.loads((tiny_run / "split.json").read_text())["data_dir"]), site,
                    ignore=shutil.ignore_patterns("MANIFEST.csv"))
    (site / "Normal" / "IM000001").write_bytes(with_header(make_dicom(ramp()), Modality="CT", BodyPartExamined="SKULL"))
    return site


def test_cxr_evaluate_names_a_film_whose_dicom_header_says_no_chest_film(tiny_run, tmp_path):
    """A skull CT among a site's chest films was scored, and counted in every figure, without a word: its header
    was never read. It is named on stderr and in the report's warnings beside the figures, and still scored."""
    site = site_with_a_skull_ct(tiny_run, tmp_path)
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--keep-seen", "--out", str(out),
                                          "--n-boot", "100", "--explain", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    line = ("1 film whose DICOM header says it is no frontal chest radiograph (another modality or body part, a lateral "
            "view, For Processing): Normal/IM000001 (Modality CT); it is scored all the same, and counted in every "
            "figure below; edge-classify flags such films (--refuse-atypical: no answer)")
    assert f"cxr-evaluate: warning: {line}" in r.output.splitlines()
    assert line in (out / "report.md").read_text()
    # per film as edge-classify gives it: atypical, with the header's words (report.json's predictions and
    # predictions.csv said atypical false / 0 for the film edge-classify --csv called atypical 1)
    why = "the DICOM header says Modality CT: not a radiograph; the model was trained on frontal chest X-rays"
    rows = {p["file"]: p for p in json.loads((out / "report.json").read_text())["predictions"]}
    assert rows["Normal/IM000001"]["atypical"] is True and rows["Normal/IM000001"]["header_says"] == why
    assert not any("header_says" in p for f, p in rows.items() if f != "Normal/IM000001")
    import csv

    with open(out / "predictions.csv", encoding="utf-8-sig", newline="") as f:
        table = {row["file"]: row for row in csv.DictReader(f)}
    assert table["Normal/IM000001"]["atypical"] == "1" and table["Normal/IM000001"]["header_says"] == why
    assert {row["header_says"] for f, row in table.items() if f != "Normal/IM000001"} == {""}


def test_a_site_rule_says_it_was_chosen_on_films_a_dicom_header_flags(tiny_run, tmp_path):
    """--operating-point chose its threshold on every film scored, a skull CT among them, and report.md said so only in
    a warning at its top: the rule's section read as chosen on chest films. It says it was chosen on them, as
    edge-classify answers them by default, and what the rule gives on the films --refuse-atypical answers."""
    site = site_with_a_skull_ct(tiny_run, tmp_path)
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(site), "--keep-seen", "--out", str(out),
                                          "--n-boot", "100", "--explain", "0", "--quiet", "--operating-point", "COVID=0.9"])
    assert r.exit_code == 0, r.output
    report = json.loads((out / "report.json").read_text())
    site_point, files = report["site_operating_point"], [p["file"] for p in report["predictions"]]
    flagged = site_point["header_flagged"]
    assert (flagged["cases"], flagged["others"]) == (0, 1)
    t = site_point["decision"]["threshold"]
    kept = [p for p in report["predictions"] if p["file"] != "Normal/IM000001"]
    found = sum(p["true"] == "COVID" and p["probabilities"]["COVID"] >= t for p in kept)
    called = sum(p["true"] != "COVID" and p["probabilities"]["COVID"] >= t for p in kept)
    answered = flagged["answered"]
    assert (answered["tp"], answered["fp"], answered["fp"] + answered["tn"]) == (found, called, len(kept) - 16)
    md = (out / "report.md").read_text()
    assert (f"It was chosen on all {len(files)} films scored here, 1 of them (1 of another class) a film whose DICOM "
            "header says it is no frontal chest radiograph: `edge-classify` answers such films by default, with a "
            "warning, and the figures above count them. Under `--refuse-atypical` it answers none of them: on the other "
            f"{len(files) - 1} films the rule finds {found} of 16 COVID films and calls {called} of {len(kept) - 16} "
            "films of other classes COVID.") in md
