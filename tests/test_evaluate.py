"""cxr-evaluate end to end on a tiny set, per-source breakdown, and leave-one-source-out on real data."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from convert.cli import evaluate_app
from tests.conftest import cxr_dev_or_skip


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
    report = json.loads((out / "report.json").read_text())
    m = report["metrics"]
    assert m["n"] == 32 and sum(map(sum, m["confusion_matrix"])) == 32
    assert set(report["per_source"]) == {"site-A", "site-B"}
    assert sum(s["n"] for s in report["per_source"].values()) == 32
    for name in ("report.md", "confusion.png", "roc.png", "reliability.png"):
        assert (out / name).is_file()
    md = (out / "report.md").read_text()
    assert "not a medical device" in md and "## Per source" in md and "sensitivity" in md
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in md.splitlines() if line.startswith("| site-")]
    said = [(c[0], c[1], [int(v) for v in c[3:]]) for c in cells if c[1] in report["classes"]]
    source_of = {r["file"]: r["source_repo"] for r in rows}
    got = Counter((source_of[p["file"]], p["true"], p["predicted"]) for p in report["predictions"])
    assert said == [(src, true, [got[src, true, c] for c in report["classes"]])
                    for src in ("site-A", "site-B") for true in report["classes"]
                    if any(got[src, true, c] for c in report["classes"])]
    assert sum(sum(row) for _, _, row in said) == 32  # every film once, in its source's row
    assert "robustness" not in report and "simulated acquisition shifts" not in md  # only with --shifts


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
    md = (out / "report.md").read_text()
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
    assert all(0 <= o["border_share"] <= 1 for o in report["occlusion"])
    assert (out / "occlusion.png").stat().st_size > 1000
    md = (out / "report.md").read_text()
    assert "## Where the model looked" in md and "of the evidence for the model's answers" in md
    assert report["evidence_border_share"]["n"] == 32 and 0 <= report["evidence_border_share"]["mean"] <= 1
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(swapped), "--keep-seen", "--out",
                                          str(tmp_path / "none"), "--n-boot", "100", "--explain", "0", "--quiet"])
    assert r.exit_code == 0 and "occlusion" not in json.loads((tmp_path / "none" / "report.json").read_text())


def test_cxr_evaluate_keras_model_agrees_with_its_run(tiny_run, tmp_path):
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model.keras"), str(data), "--keep-seen", "--out", str(tmp_path / "k"),
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "k" / "report.json").read_text())["model_kind"] == "keras"


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
    from train.run import TrainSettings, prepare_data

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
    assert check["n"] == 32 and check["flagged"] == len(flagged) == sum(check["per_class"].values())
    assert check["per_class"]["COVID"] >= 12 and check["per_class"]["Normal"] <= 4
    assert np.isclose(check["share"], len(flagged) / 32)
    assert check["per_source"]["site-COVID"] == {"flagged": check["per_class"]["COVID"], "n": 16}
    md = (out / "report.md").read_text()
    assert "## Input check" in md and f"{len(flagged)} of 32 images" in md


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
    assert report["threshold_rule"]["specificity"] is None and report["threshold_rule"]["tp"] == n
    assert "n/a%" not in (out / "report.md").read_text()
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(tmp_path / "nothing"), "--keep-seen", "--quiet"])
    assert r.exit_code == 2 and "does not exist" in r.output


def test_cxr_evaluate_leaves_out_the_films_the_model_was_trained_on(tiny_run, tmp_path):
    """Scoring a model on its own training films flatters it: by default those films (found by
    SHA-256 in the split.json beside the model) are left out, and saying so."""
    import shutil

    split = json.loads((tiny_run / "split.json").read_text())
    data, model = Path(split["data_dir"]), str(tiny_run / "model_int8.tflite")
    out = tmp_path / "r"
    r = CliRunner().invoke(evaluate_app, [model, str(data), "--out", str(out), "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "left out (--keep-seen keeps them)" in r.output
    report = json.loads((out / "report.json").read_text())
    assert sorted(p["file"] for p in report["predictions"]) == sorted(i["path"] for i in split["splits"]["test"])
    note = report["seen_in_training"]
    assert (note["train"], note["val"], note["left_out"]) == (len(split["splits"]["train"]), len(split["splits"]["val"]), True)
    assert "were left out" in (out / "report.md").read_text()
    # A folder of training films alone, under other names: the bytes give them away, and nothing is left to score.
    for i, item in enumerate(split["splits"]["train"]):
        (tmp_path / "copies" / item["label"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(data / item["path"], tmp_path / "copies" / item["label"] / f"renamed-{i}.png")
    r = CliRunner().invoke(evaluate_app, [model, str(tmp_path / "copies"), "--explain", "0", "--n-boot", "100", "--quiet"])
    assert r.exit_code == 2 and "all of them" in r.output and "--keep-seen" in r.output
    # The file alone, away from its run folder, still knows its films: it carries their fingerprints.
    lone = tmp_path / "lone" / "m.tflite"
    lone.parent.mkdir()
    shutil.copy(model, lone)
    r = CliRunner().invoke(evaluate_app, [str(lone), str(data), "--out", str(tmp_path / "l"), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    alone = json.loads((tmp_path / "l" / "report.json").read_text())
    assert sorted(p["file"] for p in alone["predictions"]) == sorted(i["path"] for i in split["splits"]["test"])
    assert (alone["seen_in_training"]["train"], alone["seen_in_training"]["val"]) == (note["train"], note["val"])
    assert "fingerprints inside the file" in alone["seen_in_training"]["split"]
    # Without them (converted with --no-fingerprints, or by cxr-edge 0.9.0), it cannot be checked: all is scored, and said.
    from edge import metadata as md

    flatbuffer, meta, files = md.read(lone)
    meta.pop("seen")
    bare = tmp_path / "bare" / "m.tflite"
    bare.parent.mkdir()
    bare.write_bytes(md.attach(flatbuffer, meta, {k: v for k, v in files.items() if not k.startswith("seen/")}))
    r = CliRunner().invoke(evaluate_app, [str(bare), str(data), "--out", str(tmp_path / "b"), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "b" / "report.json").read_text())["metrics"]["n"] == 32
    assert "could not be checked" in (tmp_path / "b" / "report.md").read_text()


def test_fingerprints_are_the_training_and_validation_films_prefixes_and_copy_codes(tiny_run):
    """Each .tflite carries 8 bytes of the SHA-256 and the copy code of every training and
    validation film, sorted, and nothing of a test film: the seen-film check must never drop a
    film the model has not seen."""
    import hashlib

    from PIL import Image

    from convert.seen import PREFIX, carried, nearest_bits
    from edge import metadata as md
    from train.hygiene import COPY_CODE_BITS, copy_code

    split = json.loads((tiny_run / "split.json").read_text())
    data = Path(split["data_dir"])
    digest = lambda item: hashlib.sha256((data / item["path"]).read_bytes()).digest()[:PREFIX]
    code = lambda item: copy_code(np.asarray(Image.open(data / item["path"]).convert("L")))
    for name in ("model_int8.tflite", "model_fp32.tflite"):
        keys = carried(tiny_run / name)
        for part in ("train", "val"):
            assert keys[part][0] == {digest(i) for i in split["splits"][part]}
            assert sorted(map(bytes, keys[part][1])) == sorted(code(i) for i in split["splits"][part])
        test = split["splits"]["test"]
        assert not {digest(i) for i in test} & (keys["train"][0] | keys["val"][0])
        test_codes = np.frombuffer(b"".join(code(i) for i in test), np.uint8).reshape(-1, 32)
        assert (nearest_bits(test_codes, np.concatenate([keys["train"][1], keys["val"][1]])) > COPY_CODE_BITS).all()
        _, meta, files = md.read(tiny_run / name)
        assert (meta["seen"]["train"], meta["seen"]["val"]) == (len(keys["train"][0]), len(keys["val"][0]))
        assert files["seen/train.bin"] == b"".join(sorted(keys["train"][0]))
    assert carried(tiny_run / "model.keras") is None


def test_resized_and_reencoded_copies_of_training_films_are_found(tiny_run, tmp_path):
    """Public collections re-publish films resized and re-encoded: such a copy of a training film
    is left out as well, from the model file alone, while the test films are all scored."""
    import shutil

    from PIL import Image

    split = json.loads((tiny_run / "split.json").read_text())
    data = Path(split["data_dir"])
    lone = tmp_path / "lone" / "m.tflite"
    lone.parent.mkdir()
    shutil.copy(tiny_run / "model_int8.tflite", lone)
    site = tmp_path / "site"
    for item in split["splits"]["test"]:
        (site / item["label"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(data / item["path"], site / item["label"] / Path(item["path"]).name)
    copied = split["splits"]["train"][:5]
    for k, item in enumerate(copied):
        im = Image.open(data / item["path"]).convert("L")
        im = im.resize((im.width * 3, im.height * 3), Image.Resampling.BICUBIC)
        im.save(site / item["label"] / f"copy-{k}.jpg", quality=85)
    r = CliRunner().invoke(evaluate_app, [str(lone), str(site), "--out", str(tmp_path / "r"), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "5 of them as resized or re-encoded copies" in r.output
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert sorted(Path(p["file"]).name for p in report["predictions"]) == sorted(
        Path(i["path"]).name for i in split["splits"]["test"])
    assert (report["seen_in_training"]["copies"], report["seen_in_training"]["train"]) == (5, 5)
    assert report["copies_within_set"] == []
    # A test film twice in the set (a copy under another name): scored twice, and said.
    first = split["splits"]["test"][0]
    Image.open(data / first["path"]).convert("L").save(site / first["label"] / "again.jpg", quality=90)
    r = CliRunner().invoke(evaluate_app, [str(lone), str(site), "--out", str(tmp_path / "r2"), "--explain", "0",
                                          "--n-boot", "100", "--quiet"])
    assert r.exit_code == 0, r.output
    assert "2 films are copies of one another (1 group," in r.output
    twins = json.loads((tmp_path / "r2" / "report.json").read_text())["copies_within_set"]
    assert [sorted(Path(f).name for f in g) for g in twins] == [sorted([Path(first["path"]).name, "again.jpg"])]
    assert "copies of one another" in (tmp_path / "r2" / "report.md").read_text()
    assert sorted(f["file"] for f in report["seen_in_training"]["seen_films"]) == sorted(
        f"{i['label']}/copy-{k}.jpg" for k, i in enumerate(copied))
    assert {(f["part"], f["found_as"]) for f in report["seen_in_training"]["seen_films"]} == {("train", "copy")}


def test_cxr_convert_no_fingerprints_leaves_them_out(tiny_run, tmp_path):
    """--no-fingerprints: a site that must not disclose even which films it used gets files without them."""
    import shutil

    from convert.cli import convert_app
    from convert.seen import carried
    from edge import metadata as md

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    r = CliRunner().invoke(convert_app, [str(run), "--quant", "fp32", "--no-fingerprints", "--no-latency",
                                         "--explain", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    _, meta, files = md.read(run / "model_fp32.tflite")
    assert "seen" not in meta and not any(k.startswith("seen/") for k in files)
    assert carried(run / "model_fp32.tflite") is None and carried(run / "model_int8.tflite") is not None
