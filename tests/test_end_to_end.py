"""cxr-train -> cxr-convert -> edge-classify on a tiny synthetic run, with real TensorFlow,
the real TFLite converter and the real LiteRT runtime."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from edge.model import EdgeModel
from edge.preprocess import PreprocessConfig, preprocess_file
from train.cache import load_part
from train.data import Split

EDGE = [sys.executable, "-m", "edge.cli"]


def edge_classify(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*EDGE, *args], capture_output=True, text=True, input=stdin, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})


def test_run_folder_has_everything(tiny_run):
    for name in ("model.keras", "split.json", "history.json", "curves.png", "run.json", "model_int8.tflite",
                 "model_fp32.tflite", "report.json", "report.md", "confusion_matrices.png", "sensitivity.png"):
        assert (tiny_run / name).is_file(), name
    run = json.loads((tiny_run / "run.json").read_text())
    assert run["synthetic_data"] is True and run["classes"] == ["COVID", "Normal"]
    assert run["versions"]["tensorflow"].startswith("2.") and run["versions"]["pillow"]
    assert run["temperature"] > 0
    split = json.loads((tiny_run / "split.json").read_text())
    assert all(len(i["sha256"]) == 64 for part in split["splits"].values() for i in part)
    assert run["data_hygiene"]["groups_across_splits"] == 0


def test_report_has_per_class_figures_for_every_model(tiny_run):
    report = json.loads((tiny_run / "report.json").read_text())
    # read alone, cxr-convert's report.json said nowhere what report.md and every --help say (as cxr-evaluate's had)
    assert report["disclaimer"] == "Research software, NOT a medical device: do not use its output to diagnose, " \
                                   "treat or triage anyone."
    assert set(report["models"]) == {"keras", "int8", "fp32"}
    for m in report["models"].values():
        assert [r["class"] for r in m["per_class"]] == ["COVID", "Normal"]
        assert {"sensitivity", "specificity", "sensitivity_ci", "ppv"} <= set(m["per_class"][0])
    int8 = report["models"]["int8"]
    assert int8["tflite_bytes"] < report["models"]["fp32"]["tflite_bytes"]
    assert "gate" in int8 and "agreement" in int8
    md = (tiny_run / "report.md").read_text()
    assert "not a medical device" in md and "SYNTHETIC" in md and "## int8" in md
    # the ROC shown is the device file's, as its operating points are, not the Keras model's
    assert report["roc_model"] == report["operating_points"]["mode"] == "int8"
    assert "The ROC curve below is model_int8.tflite's on the test split" in md  # two classes: one curve
    # drawings: no reference standard to speak of (tests/test_study_design.py has a real run's)
    assert "**Test films:** drawn images (cxr-synth), no hospital and no reference standard" in md
    assert isinstance(report["copies_within_test"], list)  # groups of test films that are copies of one another
    run = json.loads((tiny_run / "run.json").read_text())
    p = report["provenance"]
    assert (p["model_sha256"], p["split_digest"], p["trained"]) == (run["model_sha256"], run["split_digest"], run["created"])
    assert int8["tflite_sha256"] == EdgeModel(tiny_run / "model_int8.tflite").meta["tflite_sha256"]
    assert f"model.keras SHA-256 {run['model_sha256'][:12]}..." in md.split("## Provenance")[1]


def test_report_maps_where_the_int8_file_looked_on_its_most_confident_mistakes(tiny_run):
    report = json.loads((tiny_run / "report.json").read_text())
    cm = report["models"]["int8"]["confusion_matrix"]
    errors = sum(map(sum, cm)) - sum(cm[k][k] for k in range(len(cm)))
    occ = report["occlusion"]
    assert report["occlusion_model"] == "int8" and len(occ) == min(6, errors)
    assert all(o["true"] != o["predicted"] and (o["border_share"] is None or 0 <= o["border_share"] <= 1) for o in occ)
    assert [o["probability"] for o in occ] == sorted((o["probability"] for o in occ), reverse=True)
    md = (tiny_run / "report.md").read_text()
    assert "## Where the model looked on its most confident mistakes (int8, test split)" in md
    assert (tiny_run / "occlusion.png").is_file() == bool(errors)


def test_metadata_round_trip(tiny_run):
    m = EdgeModel(tiny_run / "model_int8.tflite")
    run = json.loads((tiny_run / "run.json").read_text())
    assert m.labels == run["classes"]
    assert m.preprocess == PreprocessConfig.from_dict(run["preprocess"])
    assert m.temperature == pytest.approx(run["temperature"])
    assert m.meta["quantization"] == "int8" and m.input_shape == (1, 64, 64, 1)
    assert m.selftest()["passed"]


def test_selftest_is_small_synthetic_pngs_and_catches_a_mismatch(tiny_run, tmp_path):
    from edge import metadata as md

    flatbuffer, meta, files = md.read(tiny_run / "model_int8.tflite")
    spec = json.loads(files["selftest.json"])
    images = {n: files[n] for n in spec["images"]}
    assert len(images) == 3 and all(b.startswith(b"\x89PNG") for b in images.values())
    assert sum(len(b) for b in images.values()) < 4_000
    # Expectations from another device that decoded or preprocessed differently must fail the test.
    # (A shift of 0.05 on the first image: a tiny model's probabilities may all sit near 0.5.)
    spec["probabilities"][0] = [p + (0.05 if k == 0 else -0.05) for k, p in enumerate(spec["probabilities"][0])]
    tampered = tmp_path / "tampered.tflite"
    tampered.write_bytes(md.attach(flatbuffer, meta, {**files, "selftest.json": json.dumps(spec).encode()}))
    result = EdgeModel(tampered).selftest()
    assert not result["passed"] and result["max_deviation"] == pytest.approx(0.05, abs=1e-4)
    # edge-classify runs it before the first film: a device whose answers have other classes classifies nothing
    split = json.loads((tiny_run / "split.json").read_text())
    film = str(Path(split["data_dir"]) / split["splits"]["test"][0]["path"])
    flipped = json.loads(files["selftest.json"])
    flipped["probabilities"] = [[0.0, 1.0] if p[0] > p[1] else [1.0, 0.0] for p in flipped["probabilities"]]
    tampered.write_bytes(md.attach(flatbuffer, meta, {**files, "selftest.json": json.dumps(flipped).encode()}))
    r = edge_classify(film, "--model", str(tampered))
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert "the self-test failed on " in r.stderr and ", and other classes" in r.stderr and "--no-selftest" in r.stderr
    # a small deviation with the same classes (another CPU's kernels rounding a step otherwise): warned, classified
    near = json.loads(files["selftest.json"])
    near["probabilities"] = [[p[0] + (0.03 if p[0] >= p[1] else -0.03), p[1] - (0.03 if p[0] >= p[1] else -0.03)]
                             for p in near["probabilities"]]
    small = tmp_path / "small.tflite"
    small.write_bytes(md.attach(flatbuffer, meta, {**files, "selftest.json": json.dumps(near).encode()}))
    r = edge_classify(film, "--model", str(small))
    assert r.returncode == 0 and r.stdout.startswith(film), r.stderr
    assert "warning: " in r.stderr and "the self-test is off on " in r.stderr and "the same classes" in r.stderr
    # beyond twice the tolerance, classes the same or not, it stops (at 5 times, a model altered so that 1 film
    # in 20 got another label was only warned)
    far = json.loads(files["selftest.json"])
    far["probabilities"] = [[p[0] + (0.05 if p[0] >= p[1] else -0.05), p[1] - (0.05 if p[0] >= p[1] else -0.05)]
                            for p in far["probabilities"]]
    small.write_bytes(md.attach(flatbuffer, meta, {**files, "selftest.json": json.dumps(far).encode()}))
    r = edge_classify(film, "--model", str(small))
    assert r.returncode == 2 and "the self-test failed on " in r.stderr and ", and other classes" not in r.stderr
    r = edge_classify(film, "--model", str(tampered), "--no-selftest")
    assert r.returncode == 0 and r.stdout.startswith(film), r.stderr
    r = edge_classify(film, "--model", str(tiny_run / "model_int8.tflite"))  # the file as made passes: it classifies
    assert r.returncode == 0 and "self-test" not in r.stderr
    r = edge_classify("--selftest", "--no-selftest", "--model", str(tampered))
    assert r.returncode == 2 and "--no-selftest is for classifying films" in r.stderr


def test_training_and_device_pixels_are_identical(tiny_run):
    """The cached arrays training used are byte-identical to what edge.preprocess gives the device."""
    split = Split.load(tiny_run / "split.json")
    config = PreprocessConfig.from_dict(json.loads((tiny_run / "run.json").read_text())["preprocess"])
    x, _ = load_part(tiny_run, split, "test", config, progress=False)
    assert (tiny_run / "cache" / "test.npy").is_file()
    device = np.stack([preprocess_file(Path(split.data_dir) / i.path, config) for i in split.parts["test"]])
    assert x.tobytes() == device.tobytes()


def test_tflite_agrees_with_keras_on_the_test_split(tiny_run):
    report = json.loads((tiny_run / "report.json").read_text())
    assert report["models"]["fp32"]["agreement"]["max_abs_prob_error"] < 1e-4
    # The tiny model is near chance, but int8's float head is refitted on the int8 features, so it
    # keeps Keras's classes: 1.0 on 10 training seeds here (session 20). At most one flip of 4 allowed.
    assert report["models"]["int8"]["agreement"]["class_agreement"] >= 0.75


def test_edge_classify_text_and_json(tiny_run):
    split = json.loads((tiny_run / "split.json").read_text())
    files = [str(Path(split["data_dir"]) / i["path"]) for i in split["splits"]["test"]]
    r = edge_classify(*files[:3], "--model", str(tiny_run / "model_int8.tflite"))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 3
    path, label, prob = lines[0].split("\t")
    assert path == files[0] and label in ("COVID", "Normal") and 0.5 <= float(prob) <= 1.0
    assert "SYNTHETIC" in r.stderr
    r = edge_classify("-", "--json", "--top-k", "2", "--model", str(tiny_run / "model_int8.tflite"),
                      stdin="\n".join(files[:2]) + "\n")
    recs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [rec["file"] for rec in recs] == files[:2]
    assert abs(sum(recs[0]["probabilities"].values()) - 1) < 1e-3 and len(recs[0]["top_k"]) == 2


def test_edge_classify_walks_folders_and_reports_bad_files(tiny_run, tmp_path):
    data = Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    r = edge_classify(str(data / "COVID"), str(tmp_path / "broken.png"), str(tmp_path / "missing.png"),
                      "--csv", "--model", str(tiny_run / "model_int8.tflite"))
    assert r.returncode == 1
    rows = r.stdout.strip().splitlines()
    assert rows[0].startswith("file,label,probability,p_COVID,p_Normal")
    assert sum(1 for row in csv.DictReader(rows) if not row["error"]) == 16  # every COVID image classified
    assert "Traceback" not in r.stderr


def test_edge_never_imports_tensorflow(tiny_run):
    code = ("import sys, runpy; sys.argv = ['edge-classify', '--selftest', '--model', sys.argv[1]];\n"
            "try:\n    runpy.run_module('edge.cli', run_name='__main__')\nexcept SystemExit as e:\n    code = e.code\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'train', 'convert')]\n"
            "print('LEAKED', bad) if bad else print('CLEAN', code)")
    r = subprocess.run([sys.executable, "-c", code, str(tiny_run / "model_int8.tflite")], capture_output=True,
                       text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert "CLEAN 0" in r.stdout, r.stdout + r.stderr


def test_edge_sources_do_not_import_workstation_packages():
    import ast

    for path in (Path(__file__).resolve().parents[1] / "edge").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for n in names:
                assert n.split(".")[0] not in ("tensorflow", "keras", "train", "convert"), f"{path.name} imports {n}"


def test_model_errors_exit_2_with_one_line(tiny_run, tmp_path):
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(os.urandom(2048))
    for model in (junk, tmp_path / "absent.tflite", tmp_path):
        r = edge_classify("x.png", "--model", str(model))
        assert r.returncode == 2, r.stderr
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_info_prints_metadata(tiny_run):
    r = edge_classify("--info", "--model", str(tiny_run / "model_int8.tflite"))
    info = json.loads(r.stdout)
    assert info["labels"] == ["COVID", "Normal"] and info["quantization"] == "int8"
    assert len(info["tflite_sha256"]) == 64


def test_report_breaks_the_test_split_down_by_source_when_the_manifest_names_them(tiny_run, tmp_path):
    """cxr-convert's report gives the device file's per-source figures, as cxr-evaluate does; the
    synthetic set has no MANIFEST.csv, so a copy of the run gets sources in its split.json."""
    import shutil
    from collections import Counter

    from convert.quantize import ConvertSettings, run_conversion

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    split = json.loads((run / "split.json").read_text())
    for k, item in enumerate(split["splits"]["test"]):
        item["source"] = "site-A" if k % 3 else "site-B"
    split["splits"]["test"][2]["near"] = split["splits"]["test"][1]["near"]  # one site-A film twice (a resized copy)
    (run / "split.json").write_text(json.dumps(split))
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], report_only=True, latency_threads=(),
                                               n_boot=50, max_drop=100, max_class_drop=100, progress=False))
    by_source = report["per_source"]["sources"]
    assert report["per_source"]["mode"] == "int8" and set(by_source) == {"site-A", "site-B"}
    test = split["splits"]["test"]
    assert {src: v["n"] for src, v in by_source.items()} == dict(Counter(i["source"] for i in test))
    # copies of one film count once towards a source's films, as in cxr-evaluate's table
    where = {i["path"]: i["source"] for i in test}
    extra = Counter(where[g[0]] for g in report["copies_within_test"] for _ in g[1:])
    assert extra["site-A"] >= 1
    assert {src: v.get("distinct_films", v["n"]) for src, v in by_source.items()} == {
        src: n - extra[src] for src, n in Counter(i["source"] for i in test).items()}
    said = Counter()
    for src, v in by_source.items():
        said.update({(src, report["classes"][t], report["classes"][p]): n for t, row in enumerate(v["confusion_matrix"])
                     for p, n in enumerate(row)})
    matrix = report["models"]["int8"]["confusion_matrix"]  # the sources together make the whole test split
    assert [[sum(n for (_, t, p), n in said.items() if (t, p) == (a, b)) for b in report["classes"]]
            for a in report["classes"]] == matrix
    md = (run / "report.md").read_text()
    assert "## Per source (int8, test split)" in md and "| site-B | " in md and "said COVID" in md
    assert "per_source" not in json.loads((tiny_run / "report.json").read_text())  # no sources, no section
    # With a rule stored in the file, the sources' films are labelled as the device labels them: by it
    report, _ = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], report_only=True, latency_threads=(),
                                               n_boot=50, max_drop=100, max_class_drop=100, progress=False,
                                               operating_point="COVID=0.95", explain=0))
    rule = report["models"]["int8"]["decision"]["test"]
    covid = [v["confusion_matrix"][0] for v in report["per_source"]["sources"].values()]
    normal = [v["confusion_matrix"][1] for v in report["per_source"]["sources"].values()]
    assert (sum(r[0] for r in covid), sum(r[1] for r in covid)) == (rule["tp"], rule["fn"])
    assert (sum(r[0] for r in normal), sum(r[1] for r in normal)) == (rule["fp"], rule["tn"])
    assert report["per_source"]["rule"][0] == 0
    assert "## Per source (int8, test split, labels by its rule p(COVID) >= " in (run / "report.md").read_text()


def test_gate_failure_sets_exit_code(tiny_run, tmp_path):
    """The exit code follows the gate: a generous gate passes, one that demands a rise fails."""
    import shutil

    from convert.quantize import ConvertSettings, run_conversion

    run = tmp_path / "run"  # a copy: --report-only rewrites report.json, which other tests read
    shutil.copytree(tiny_run, run)
    report, code = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], report_only=True,
                                                  max_drop=100, max_class_drop=100, latency_threads=(),
                                                  n_boot=100, progress=False))
    assert code == 0 and report["models"]["int8"]["gate"]["passed"]
    report, code = run_conversion(ConvertSettings(run_dir=run, modes=["int8"], report_only=True,
                                                  max_drop=-1, max_class_drop=100, latency_threads=(),
                                                  n_boot=100, progress=False))
    assert code == 1 and "accuracy fell" in report["models"]["int8"]["gate"]["reasons"][0]


def test_damaged_selftest_data_is_a_clear_error(tiny_run, tmp_path):
    from edge import metadata as md

    flatbuffer, meta, files = md.read(tiny_run / "model_int8.tflite")
    damaged = tmp_path / "damaged.tflite"
    damaged.write_bytes(md.attach(flatbuffer, meta, {**files, "selftest/0.png": b"not a png"}))
    with pytest.raises(md.ModelFileError, match="self-test data are damaged"):
        EdgeModel(damaged).selftest()
    r = edge_classify("--selftest", "--model", str(damaged))
    assert r.returncode == 2 and "its self-test data are damaged (ImageError: " in r.stderr and "Traceback" not in r.stderr
    r = edge_classify(str(tiny_run / "curves.png"), "--model", str(damaged))  # before classifying, too
    assert r.returncode == 2 and "self-test data are damaged" in r.stderr and "copy it again" in r.stderr
    assert r.stdout == ""


def test_a_selftest_that_decodes_otherwise_blames_the_device_not_the_file(tiny_run, monkeypatch):
    """A reference film failing with an error no damaged file gives (an AttributeError from a Pillow or NumPy the
    code does not fit) was 'its self-test data are damaged ...: copy it again from the workstation': a good file
    copied again and again, while the device's libraries were at fault."""
    import edge.image_decode
    from edge.about import selftest_problem
    from edge.model import ModelFileError

    def levels(data, gray, counts=None):
        raise AttributeError("module 'numpy' has no attribute 'count_nonzero'")

    monkeypatch.setattr(edge.image_decode, "top_byte_levels", levels)  # edge.pillow_misreads', looked up in edge.image_decode
    m = EdgeModel(tiny_run / "model_int8.tflite")
    with pytest.raises(ModelFileError, match="this device decodes or preprocesses the self-test's reference images "
                                             "otherwise \\(AttributeError: module 'numpy'") as e:
        m.selftest()
    assert "damaged" not in str(e.value) and "Pillow and NumPy versions README names" in str(e.value)
    kind, why = selftest_problem(m, tiny_run / "model_int8.tflite")
    assert kind == "error" and "not at fault" in why and "damaged" not in why and "copy it again" not in why


def test_edge_classify_warns_about_inputs_unlike_the_training_images(tiny_run, tmp_path):
    """cxr-convert fits the input check (edge.typicality) into every file; the device flags an
    inverted film, and a flagged image still gets its label."""
    from PIL import Image, ImageOps

    from edge.typicality import COMPONENTS

    report = json.loads((tiny_run / "report.json").read_text())
    check = report["input_check"]
    assert check["thumbnail"] == 8 and 0 <= check["flagged"]["test"] <= 1
    assert "## Input check" in (tiny_run / "report.md").read_text()
    model = EdgeModel(tiny_run / "model_int8.tflite")
    assert model.typicality is not None and model.typicality.threshold == pytest.approx(check["threshold"])
    split = Split.load(tiny_run / "split.json")
    x, _ = load_part(tiny_run, split, "test", model.preprocess, progress=False)
    assert report["input_check"]["flagged"]["test"] == pytest.approx(float(model.typicality.atypical(x).mean()))

    files = [Path(split.data_dir) / i.path for i in split.parts["test"]]
    scores = model.typicality.score(x)
    plain = files[int(scores.argmin())]  # the most typical test image
    inverted = tmp_path / "inverted.png"
    ImageOps.invert(Image.open(plain).convert("L")).save(inverted)
    r = edge_classify(str(plain), str(inverted), "--json", "--model", str(tiny_run / "model_int8.tflite"))
    assert r.returncode == 0, r.stderr
    recs = {Path(rec["file"]).name: rec for rec in map(json.loads, r.stdout.splitlines())}
    assert recs[plain.name]["atypical"] is False and recs["inverted.png"]["atypical"] is True
    assert recs["inverted.png"]["label"] in ("COVID", "Normal")
    assert "less typical than 99%" not in r.stderr  # machines read the field
    r = edge_classify(str(plain), str(inverted), "--model", str(tiny_run / "model_int8.tflite"))
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2
    warnings = [line for line in r.stderr.splitlines() if "less typical than 99% of the films" in line]
    assert len(warnings) == 1 and warnings[0].startswith(f"edge-classify: warning: {inverted}: ")
    r = edge_classify(str(inverted), "--csv", "--model", str(tiny_run / "model_int8.tflite"))
    header, row = r.stdout.strip().splitlines()
    assert header.endswith(",atypical,error,rule,header_says,model_sha256,synthetic")
    assert row.rsplit(",", 1)[0][:-64].endswith(",1,,,,")  # synthetic last; rule:
    # empty, the most probable class; header_says: empty, flagged by the input check, not by a DICOM header; the model
    assert json.loads(edge_classify("--info", "--model", str(tiny_run / "model_int8.tflite")).stdout)["input_check"]["components"] == COMPONENTS

    # --refuse-atypical: the flagged image gets no label and counts as a failed file; the other is classified
    r = edge_classify(str(plain), str(inverted), "--refuse-atypical", "--model", str(tiny_run / "model_int8.tflite"))
    assert r.returncode == 1 and [line.split("\t")[0] for line in r.stdout.splitlines()] == [str(plain)]
    assert f"edge-classify: {inverted}: refused: less typical than 99% of the films this model" in r.stderr
    r = edge_classify(str(inverted), "--refuse-atypical", "--json", "--model", str(tiny_run / "model_int8.tflite"))
    rec = json.loads(r.stdout)  # told from a decoding error by a field, as the CSV's atypical column tells it
    assert r.returncode == 1 and rec["atypical"] is True and rec["error"].startswith("refused: ")
    from edge import metadata as md

    flatbuffer, meta, files = md.read(tiny_run / "model_int8.tflite")
    old = tmp_path / "old.tflite"
    old.write_bytes(md.attach(flatbuffer, {k: v for k, v in meta.items() if k != "typicality"}, files))
    r = edge_classify(str(plain), "--refuse-atypical", "--model", str(old))  # only a DICOM header can refuse a film
    assert r.returncode == 0 and "carries no input check" in r.stderr and "refuses only the DICOM films" in r.stderr


def test_a_run_whose_classes_are_not_in_alphabetical_order_is_labelled_in_its_outputs_order(tmp_path):
    """cxr-train --classes Normal,COVID makes output 0 Normal. Every suite run trained classes already in
    alphabetical order, so labels written sorted would have gone unseen: on the device every answer would be the
    other class, and the self-test, stored under the same labels, would still pass."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    from convert.evaluate import keras_probabilities
    from convert.quantize import ConvertSettings, run_conversion
    from train.run import TrainSettings, run_training

    run = tmp_path / "run"
    run_training(TrainSettings(data="synthetic", classes=["Normal", "COVID"], out=run, image_size=32, epochs=1,
                               synthetic_count=16, batch_size=8, teacher_members=0, progress=False))
    run_conversion(ConvertSettings(run_dir=run, modes=["fp32"], latency_threads=(), n_boot=0, explain=0,
                                   progress=False))
    recorded = json.loads((run / "run.json").read_text())
    m = EdgeModel(run / "model_fp32.tflite")
    assert recorded["classes"] == m.labels == ["Normal", "COVID"] and m.selftest()["passed"]
    split = Split.load(run / "split.json")
    x, _ = load_part(run, split, "test", PreprocessConfig.from_dict(recorded["preprocess"]), progress=False)
    keras_p = keras_probabilities(keras.models.load_model(run / "model.keras", compile=False), x, recorded["temperature"])
    device = m.classify(x)
    for label in ("Normal", "COVID"):  # each label's probability is the one Keras gives that class
        np.testing.assert_allclose(device[:, m.labels.index(label)], keras_p[:, split.classes.index(label)], atol=1e-3)
