"""The gate catches a model that quantization breaks, lists the flips, and --auto steps up.

The broken model is made the way real ones break: an extreme value range. A large common bias
on both logits changes nothing in float (softmax ignores a common shift) but stretches an int8
output's range so far that the class difference falls below one quantization step (int8-full);
float activations and the default int8's float logits head still resolve it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory) -> Path:
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    from edge.preprocess import PreprocessConfig
    from train.cache import load_part
    from train.data import Split
    from train.fit import logits_of
    from train.run import TrainSettings, run_training

    run = tmp_path_factory.mktemp("gate") / "run"
    # 48 films a class and 20 epochs: at 32 and 10, one seed in eight scored 0.6 here and a CI machine's
    # arithmetic left the model at chance, and a model at chance has nothing for quantization to break.
    run_training(TrainSettings(data="synthetic", out=run, image_size=64, epochs=20, synthetic_count=48,
                               batch_size=8, teacher_members=0, progress=False))
    good = run.parent / "good"
    shutil.copytree(run, good)
    model = keras.models.load_model(run / "model.keras", compile=False)
    # The offset must dwarf the model's own logit gaps: one int8 step of the stretched output
    # (its range / 255) must exceed the largest gap. With a fixed +1000 a well-trained model's
    # gaps (about 8) stayed above the step (3.9), so int8-full kept every answer (session 20).
    config = PreprocessConfig.from_dict(json.loads((run / "run.json").read_text())["preprocess"])
    x, _ = load_part(run, Split.load(run / "split.json"), "train", config, progress=False)
    logits = logits_of(model, x)
    gap = float(np.max(logits.max(axis=1) - logits.min(axis=1)))
    dense = model.get_layer("logits")
    kernel, bias = dense.get_weights()
    dense.set_weights([kernel, bias + 2000.0 * max(gap, 1.0)])
    model.save(run / "model.keras")
    from edge.digest import file_sha256

    info = json.loads((run / "run.json").read_text())  # the model edited on purpose: run.json records it
    (run / "run.json").write_text(json.dumps({**info, "model_sha256": file_sha256(run / "model.keras")}))
    return run


def convert(run: Path, modes: list[str], **kw):
    from convert.quantize import ConvertSettings, run_conversion

    return run_conversion(ConvertSettings(run_dir=run, modes=modes, latency_threads=(), n_boot=100, progress=False, **kw))


def test_extreme_range_trips_the_gate_and_lists_flips(broken_run):
    report, code = convert(broken_run, ["int8-full", "int8", "dynamic"])
    keras_acc = report["models"]["keras"]["accuracy"]
    assert keras_acc >= 0.7, "precondition: the float model must be good for the test to mean anything"
    int8 = report["models"]["int8-full"]
    assert code == 1
    assert not int8["gate"]["passed"] and any("fell" in r for r in int8["gate"]["reasons"])
    assert int8["agreement"]["flipped"], "flipped images must be listed"
    flip = int8["agreement"]["flipped"][0]
    assert {"file", "true", "reference", "quantized"} <= set(flip)
    assert report["models"]["dynamic"]["gate"]["passed"]
    # The default int8 computes the logits in float: the huge common offset costs it nothing.
    assert report["models"]["int8"]["gate"]["passed"]
    md = (broken_run / "report.md").read_text()
    assert "**FAILED**" in md and flip["file"] in md


def test_auto_picks_a_larger_mode_when_int8_fails(broken_run):
    report, code = convert(broken_run, ["int8-full", "int16x8", "fp32"], auto=True)
    auto = report["auto"]
    assert code == 0
    assert auto["rejected"][0]["mode"] == "int8-full"
    assert auto["selected"] in ("int16x8", "fp32")
    assert (broken_run / "model.tflite").read_bytes() == (broken_run / f"model_{auto['selected']}.tflite").read_bytes()
    saved = json.loads((broken_run / "report.json").read_text())
    assert saved["auto"]["selected"] == auto["selected"]
    # an --auto under which no mode passes removes model.tflite, rather than leave an earlier choice (its mode's file
    # gone: while it is there, an --auto that does not score it is refused)
    (broken_run / f"model_{auto['selected']}.tflite").unlink()
    _, code = convert(broken_run, ["int8-full"], auto=True, explain=0)
    assert code == 1 and not (broken_run / "model.tflite").exists()


def test_representative_set_is_from_training_split_and_reported(broken_run, monkeypatch):
    """Drawn from the test split, the int8 files were calibrated on the very films they are then scored and gated
    on (figures flattered), while report.md still said 'calibrated on 10 training images'."""
    import convert.export as export
    from edge.preprocess import PreprocessConfig
    from train.cache import load_part
    from train.data import Split

    drawn, real = [], export.representative_sample

    def spy(x, y, n, seed=0):  # the real sample, with the films it was drawn from kept
        drawn.append((x.copy(), y.copy()))
        return real(x, y, n, seed)

    monkeypatch.setattr(export, "representative_sample", spy)
    report, _ = convert(broken_run, ["int8"], calibration_samples=10)
    assert report["calibration_samples"] == 10
    assert "quantization ranges were set on 10 training images" in (broken_run / "report.md").read_text()
    config = PreprocessConfig.from_dict(json.loads((broken_run / "run.json").read_text())["preprocess"])
    x_train, y_train = load_part(broken_run, Split.load(broken_run / "split.json"), "train", config, progress=False)
    (x, y), = drawn
    assert np.array_equal(y, y_train) and np.array_equal(x, x_train)


def test_auto_prefers_int8_to_the_slightly_smaller_int8_full(tmp_path):
    from convert.gate import choose_smallest

    sizes = {"int8": 1300, "int8-full": 1290, "dynamic": 1295, "fp32": 4000}
    for m in sizes:
        (tmp_path / f"model_{m}.tflite").write_bytes(m.encode())

    def report(passing):
        return {"models": {m: {"size_bytes": b, "gate": {"passed": m in passing, "reasons": ["r"]}} for m, b in sizes.items()}}

    assert choose_smallest(report({"int8", "int8-full", "fp32"}), list(sizes), tmp_path)["selected"] == "int8"
    assert (tmp_path / "model.tflite").read_bytes() == b"int8"
    picked = choose_smallest(report({"int8-full", "fp32"}), list(sizes), tmp_path)
    assert picked["selected"] == "int8-full" and [r["mode"] for r in picked["rejected"]] == ["dynamic", "int8"]
    assert choose_smallest(report({"dynamic", "int8"}), list(sizes), tmp_path)["selected"] == "dynamic"  # smaller


def test_a_model_that_gives_every_film_one_class_is_said_to():
    """Its intervals come out zero-wide ('25.0 (25.0-25.0)'), which reads as certainty."""
    from convert.gate import no_signal_line, one_class_line

    flat = np.tile([0.1, 0.2, 0.6, 0.1], (30, 1))
    assert "every one of the 30 test films the same class (C)" in one_class_line(flat, list("ABCD"))
    assert one_class_line(np.eye(4)[[0, 1, 2, 3]], list("ABCD")) is None
    assert "tell no more than how common" in no_signal_line({"validation": {"information_gain": 0.001}})
    assert no_signal_line({"validation": {"information_gain": 0.5}}) is None and no_signal_line({}) is None


def test_cxr_trains_calibration_warnings_are_put_in_the_words_the_report_card_and_device_say():
    """'expect answers near 0 or 1' and 'go by its answers, not by its probabilities' stopped at cxr-train's stderr:
    the demo model printed 1.0000 for any film and nothing after cxr-train said why (hunt 58, M1)."""
    from convert.gate import calibration_line

    demo = {"temperature": 0.050001, "counts": {"val": {"COVID": 12, "Normal": 12}},
            "validation": {"accuracy": 1.0, "no_signal": False, "temperature_note": "the model got all 24 ... right"}}
    assert calibration_line(demo) == ("this model's probabilities were sharpened to near 0 or 1 (temperature 0.05, "
                                      "all 24 validation films right): read 1.0000 as its answer, not as certainty")
    bound = {**demo, "temperature": 0.05, "validation": {**demo["validation"], "accuracy": 0.9}}  # a few wrong
    assert "(temperature 0.05, the lowest the fit allows, on 24 validation films)" in calibration_line(bound)
    rough = {**demo, "temperature": 0.8, "validation": {**demo["validation"], "accuracy": 0.9}}  # few films: rough
    assert calibration_line(rough) is None
    flat = {"temperature": 2.99, "validation": {"accuracy": 0.7, "temperature_note": None, "no_signal": False,
                                                "probabilities_note": "on the validation films the model tells ..."}}
    assert calibration_line(flat) == ("this model's probabilities fit its validation films no better than how common "
                                      "each class is (calibration temperature 2.99): go by its answers, not by its "
                                      "probabilities as chances")
    # no signal at all: no_signal_line says it; a run.json from before these notes were kept: nothing new said
    assert calibration_line({**flat, "validation": {**flat["validation"], "no_signal": True}}) is None
    assert calibration_line({"temperature": 0.05, "validation": {"accuracy": 1.0}}) is None
    assert calibration_line({}) is None


def test_a_file_with_a_stored_rule_is_gated_on_the_answers_it_gives():
    """Quantization that lowers the COVID probabilities keeps the most probable class (the plain gate
    passes) but, under a rule whose threshold was chosen through the file on validation films it
    does not resemble on test, loses COVID films that the Keras model at its own threshold keeps."""
    from convert.gate import gate_under_rule

    covid = np.r_[np.linspace(0.3, 0.9, 10), np.linspace(0.05, 0.25, 10)]  # 10 COVID films, then 10 Normal
    y = np.r_[np.zeros(10, int), np.ones(10, int)]
    keras = np.c_[covid, 1 - covid]
    reference_val = (y, keras)                       # Keras's threshold for 90%: its 9th COVID score, 0.3667
    plain = {"passed": True, "reasons": []}
    same = gate_under_rule(plain, y, keras, keras, ["COVID", "Normal"], (0, 0.36), 0.9, reference_val, 1.0, 1.0)
    assert same["passed"] and same["under_rule"]["keras_threshold"] == pytest.approx(0.3 + 0.6 / 9)
    assert same["under_rule"]["file"]["per_class"][0] == {"class": "COVID", "sensitivity": 0.9}
    shifted = np.c_[covid - 0.1, 1.1 - covid]         # the file: COVID 0.1 lower on the test films
    g = gate_under_rule(plain, y, keras, shifted, ["COVID", "Normal"], (0, 0.36), 0.9, reference_val, 1.0, 1.0)
    assert not g["passed"] and not g["under_rule"]["passed"]
    assert g["under_rule"]["file"]["per_class"][0]["sensitivity"] == 0.7  # 0.3..0.9 less 0.1: 7 reach 0.36
    why = "under its rule (COVID whenever p(COVID) >= 0.36; Keras's for the same sensitivity: p >= 0.3666): "
    assert g["reasons"] == [why + "accuracy fell 10.0 points (limit 1)", why + "COVID sensitivity fell 20.0 points (limit 1)"]
    failed_plain = gate_under_rule({"passed": False, "reasons": ["accuracy fell 3.0 points (limit 1)"]}, y, keras, keras,
                                   ["COVID", "Normal"], (0, 0.36), 0.9, reference_val, 1.0, 1.0)
    assert not failed_plain["passed"] and failed_plain["reasons"] == ["accuracy fell 3.0 points (limit 1)"]


def test_under_a_rule_keras_is_held_at_its_own_threshold_not_the_files():
    """Keras scored at the file's threshold (0.59, chosen through the file, whose COVID probabilities run higher)
    keeps 5 of its 10 COVID films instead of the 9 it keeps at its own threshold for 90%: a file that loses 2 of
    them under its rule then looked no worse than Keras and passed the gate (and --auto kept it)."""
    from convert.gate import gate_under_rule

    y = np.r_[np.zeros(10, int), np.ones(10, int)]  # 10 COVID films, then 10 Normal
    normal = np.linspace(0.05, 0.25, 10)
    keras_covid = np.r_[np.linspace(0.3, 0.9, 10), normal]  # its threshold for 90%: its 9th COVID score, 0.3667
    keras = np.c_[keras_covid, 1 - keras_covid]

    def gated(file_covid):
        p = np.r_[file_covid, normal]
        return gate_under_rule({"passed": True, "reasons": []}, y, keras, np.c_[p, 1 - p], ["COVID", "Normal"],
                               (0, 0.59), 0.9, (y, keras), 1.0, 1.0)

    same = gated(np.linspace(0.55, 0.95, 10))  # 9 of 10 reach 0.59, as Keras's 9 reach its own threshold
    assert same["passed"] and same["under_rule"]["keras"]["per_class"][0]["sensitivity"] == pytest.approx(0.9)
    worse = gated(np.r_[np.linspace(0.3, 0.5, 3), np.linspace(0.6, 0.95, 7)])  # 7 of 10 reach 0.59
    assert not worse["passed"] and worse["under_rule"]["file"]["per_class"][0]["sensitivity"] == pytest.approx(0.7)
    assert [r.split("): ")[1] for r in worse["reasons"]] == ["accuracy fell 10.0 points (limit 1)",
                                                             "COVID sensitivity fell 20.0 points (limit 1)"]


def test_a_drop_exactly_at_the_limit_passes_and_a_little_more_fails():
    """--max-drop allows 'at most max_drop points': one film worse of 100 (0.90 to 0.89, in floating point
    1.0000000000000009 points) is within the default 1, and failing it would send --auto to a file 3-4x larger."""
    from convert.gate import gate

    ref = {"accuracy": 90 / 100, "per_class": [{"class": "COVID", "sensitivity": 45 / 50}]}
    at = {"accuracy": 89 / 100, "per_class": [{"class": "COVID", "sensitivity": 44 / 50}]}  # 1 and 2 points
    assert gate(ref, at, 1.0, 2.0) == {"passed": True, "reasons": []}
    over = {"accuracy": 0.889, "per_class": [{"class": "COVID", "sensitivity": 0.879}]}
    assert gate(ref, over, 1.0, 2.0)["reasons"] == ["accuracy fell 1.1 points (limit 1)",
                                                   "COVID sensitivity fell 2.1 points (limit 2)"]


def test_a_class_is_held_to_the_class_limit_not_the_accuracy_limit():
    """A class's sensitivity was judged against --max-drop: with the defaults (1, 2) a class losing 1.5 points
    failed, and with --max-class-drop tighter than --max-drop a real loss of a class passed."""
    from convert.gate import gate

    ref = {"accuracy": 0.90, "per_class": [{"class": "COVID", "sensitivity": 0.90}]}
    cand = {"accuracy": 0.90, "per_class": [{"class": "COVID", "sensitivity": 0.885}]}
    assert gate(ref, cand, 1.0, 2.0) == {"passed": True, "reasons": []}
    assert gate(ref, cand, 2.0, 1.0)["reasons"] == ["COVID sensitivity fell 1.5 points (limit 1)"]


def test_auto_on_a_quant_subset_never_moves_model_tflite_off_a_mode_it_does_not_score(tiny_run, tmp_path, capsys):
    """--auto ranked only the modes of the call: a later --quant fp32 --auto (even --report-only) made model.tflite the
    fp32 file, 3.4 times larger, though model_int8.tflite was still there and passed, and said 'kept fp32'."""
    from convert.cli import convert_app
    from typer.testing import CliRunner

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    lenient = {"max_drop": 100.0, "max_class_drop": 100.0, "report_only": True, "explain": 0}
    first, code = convert(run, None, auto=True, **lenient)
    assert code == 0 and first["auto"]["selected"] == "int8"
    chose = capsys.readouterr().err
    int8 = (run / "model.tflite").read_bytes()
    assert int8 == (run / "model_int8.tflite").read_bytes()
    for extra in ([], ["--report-only"]):
        r = CliRunner().invoke(convert_app, [str(run), "--quant", "fp32", "--auto", *extra, "--no-latency", "--explain",
                                             "0", "--quiet", "--max-drop", "100", "--max-class-drop", "100"])
        assert (run / "model.tflite").read_bytes() == int8
        assert r.exit_code == 2, r.output
        assert ("--auto chooses among the modes this call scores (fp32), and model.tflite is int8 (an earlier --auto's "
                "choice, model_int8.tflite is still there): it would move model.tflite off int8 without weighing it; "
                "give --quant int8,fp32 to choose among them, or leave out --auto") in " ".join(r.output.split())
    assert first["auto"]["before"] is None and "--auto: chose int8 as model.tflite" in chose
    report, code = convert(run, ["int8", "fp32"], auto=True, **lenient)  # both weighed: int8 again, and said so
    assert report["auto"] == {"selected": "int8", "file": "model.tflite", "rejected": [], "before": "int8"}
    assert "--auto: kept int8 as model.tflite" in capsys.readouterr().err


def test_an_auto_refusal_comes_before_tensorflow_loads(tiny_run, tmp_path):
    """cxr-convert's checks run before TensorFlow loads, so a refusal costs no import: --auto's check of an earlier
    choice read the mode names from convert.export, which imports TensorFlow, unsilenced (absl's 'oneDNN custom
    operations are on' lines on the terminal at every --auto) and seconds before the refusal."""
    import subprocess
    import sys

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    shutil.copyfile(run / "model_int8.tflite", run / "model.tflite")  # as an earlier --auto left it
    code = ("import sys; sys.argv = ['cxr-convert', *sys.argv[1:]]\n"
            "from convert.entry import cxr_convert\n"
            "try:\n    cxr_convert()\nexcept SystemExit as e:\n"
            "    print('exit', e.code, 'tensorflow' in sys.modules)\n")
    r = subprocess.run([sys.executable, "-c", code, str(run), "--quant", "fp32", "--auto", "--no-latency"],
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.split()[-3:] == ["exit", "2", "False"], r.stdout + r.stderr
    assert "it would move model.tflite off int8 without weighing it" in " ".join(r.stderr.split())
    assert "I0000" not in r.stderr


def test_the_calibration_sample_is_the_size_asked_for():
    """n // classes a class gave 3 images for --calibration-samples 5 (3 classes), and 3 for 1."""
    from convert.export import representative_sample

    y = np.repeat([0, 1, 2], 7)
    x = np.arange(len(y))
    for n, given in ((5, 5), (10, 10), (1, 1), (2, 2), (100, 21)):
        sample, labels = representative_sample(x, y, n)
        assert len(sample) == given and len(set(sample.tolist())) == given
        assert (labels == y[sample]).all() and np.ptp(np.bincount(labels, minlength=3)) <= (1 if given < 21 else 0)


def test_a_small_class_leaves_the_calibration_sample_the_size_asked_for():
    """docs/commands.md: N training images, all where there are fewer. 300 of 1,010 films, one class of 10, gave 210:
    the small class gave its 10 and no other class made up its shortfall."""
    from convert.export import representative_sample

    y = np.repeat([0, 1, 2], [10, 500, 500])
    x = np.arange(len(y))
    sample, labels = representative_sample(x, y, 300)
    assert len(sample) == 300 and len(set(sample.tolist())) == 300 and (labels == y[sample]).all()
    assert np.bincount(labels).tolist() == [10, 145, 145]  # the small class whole, the rest shared evenly
    sample, _ = representative_sample(x, np.repeat([0, 1, 2], [1, 2, 1007]), 12)  # two rounds of shortfall
    assert len(sample) == 12


@pytest.mark.parametrize("quant, option, said", [
    ("fp32", "--calibration-samples=5", "--calibration-samples sets the training images that full-integer modes (int8, "
     "int8-full, int16x8) are calibrated on, and --quant fp32 converts none of them: leave it out, or add such a mode"),
    ("fp16,int16x8", "--no-refit-head", "--no-refit-head leaves the int8 file's float head as converted, and --quant "
     "fp16,int16x8 does not convert int8: leave it out, or add int8"),
])
def test_calibration_options_no_mode_converted_uses_are_refused(tmp_path, quant, option, said):
    """Accepted and ignored, as --report-only refuses them; report.md then said 'calibrated on 3 training images'."""
    from convert.cli import convert_app
    from typer.testing import CliRunner

    r = CliRunner().invoke(convert_app, [str(tmp_path), "--quant", quant, option])
    assert r.exit_code == 2 and said in " ".join(r.output.split()), r.output


def test_report_md_claims_no_calibration_where_no_full_integer_mode_was_scored(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    for report_only in (True, False):
        report, _ = convert(run, ["fp32"], report_only=report_only, explain=0)
        assert "calibrated" not in (run / "report.md").read_text()
        assert report["calibration_samples"] is None and report["calibrated_modes"] == []
    from edge.metadata import read, rewrite

    path = run / "model_int8.tflite"
    path.write_bytes(rewrite(path.read_bytes(), lambda m: {k: v for k, v in m.items() if k != "calibration_samples"}))
    report, _ = convert(run, ["int8"], report_only=True, explain=0)  # a file converted before files recorded it
    assert report["calibration_samples"] is None and read(path)[1].get("calibration_samples") is None
    assert "The full-integer modes' quantization ranges were set on training images when they were converted" in (
        run / "report.md").read_text()


def test_report_only_says_the_calibration_count_the_full_integer_file_records(tiny_run, tmp_path):
    """--report-only read the count from run.json, which never holds it, and report.md said no number, though the
    conversion that made the file drew one (tiny_run's: every training film, fewer than the 300 asked for)."""
    from edge.metadata import read
    from train.data import Split

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    n_train = len(Split.load(run / "split.json").parts["train"])
    assert read(run / "model_int8.tflite")[1].get("calibration_samples") == n_train
    assert read(run / "model_fp32.tflite")[1].get("calibration_samples") is None  # no ranges set on films
    report, _ = convert(run, ["int8", "fp32"], report_only=True, explain=0)
    assert report["calibration_samples"] == n_train
    assert f"quantization ranges were set on {n_train} training images" in (run / "report.md").read_text()
