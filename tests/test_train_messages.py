"""What cxr-train tells its user when a run goes wrong or its result is useless: refusals before
any work, no empty folders left by a failed run, a warning for a model without signal, and for
converted files that belong to an earlier model."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def cxr_train(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    code = "import sys; sys.argv[0] = 'cxr-train'; from train.cli import train_main; train_main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=cwd)


def test_a_file_as_out_is_refused_in_one_line(tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    r = cxr_train("--data", "synthetic", "--out", str(a_file))
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines()[-1] == f"cxr-train: error: --out {a_file} is a file; give a folder for the run"
    assert "Errno" not in r.stderr and a_file.read_text() == "mine"


def test_a_failed_run_leaves_no_empty_folders(tmp_path):
    data = tmp_path / "data"
    (data / "COVID").mkdir(parents=True)
    (data / "Normal").mkdir()  # both empty: refused after the run folder would have been made
    r = cxr_train("--data", str(data), "--out", str(tmp_path / "runs" / "first"))
    assert r.returncode == 2 and "class folders COVID, Normal in " in r.stderr and " hold no images" in r.stderr, r.stderr
    assert not (tmp_path / "runs").exists()


def test_a_model_without_signal_is_told_from_a_weak_one():
    from train.calibration import fit_temperature, information_gain

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 300)
    noise = rng.normal(0, 3, (300, 2))  # answers that have nothing to do with the labels
    assert information_gain(noise, labels, fit_temperature(noise, labels)) < 0.01
    weak = noise / 3 + 0.6 * np.stack([1 - labels, labels], 1)  # the true class a little ahead: AUROC about 0.71
    assert information_gain(weak, labels, fit_temperature(weak, labels)) > 0.01
    flat = np.zeros((300, 2))
    assert information_gain(flat, labels, 1.0) <= 0  # "50:50" for every film: no better than the class shares


def test_retraining_a_converted_run_warns_that_its_tflite_files_are_stale(tiny_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    args = ("--data", "synthetic", "--out", str(run), "--epochs", "1", "--synthetic-count", "8", "--image-size", "32",
            "--batch-size", "8", "--teacher-members", "0", "-q")
    before = (run / "model.keras").read_bytes()
    r = cxr_train(*args)  # other settings: the finished run is kept until --replace says otherwise
    assert r.returncode == 2 and (run / "model.keras").read_bytes() == before, r.stderr
    other = ("--epochs 2 (now 1), --image-size 64 (now 32), --synthetic-count 16 (now 8), --teacher-members not given "
             "(now 0)")  # each option with the run's value and ours (its own teacher/ is --teacher-members' doing)
    assert r.stderr == (f"cxr-train: error: --out {run} holds a finished run (COVID, Normal from synthetic) trained with "
                        f"{other}: give another --out to keep it, or --replace to train over it\n")
    ahead = time.time() + 3e7  # a share whose clock is a year ahead: dated after this run, and still an earlier model's
    os.utime(run / "report.md", (ahead, ahead))
    r = cxr_train(*args, "--replace")
    assert r.returncode == 0, r.stderr
    # said first: the finished run there, trained on 16 films a class at 64 pixels, is being replaced
    assert r.stderr.startswith(f"cxr-train: replacing the finished run in {run} (COVID, Normal from synthetic) trained "
                               f"with {other}\n"), r.stderr
    stale = next(line for line in r.stderr.splitlines() if "come from an earlier model" in line)
    assert stale == (f"cxr-train: warning: model_fp32.tflite, model_int8.tflite, report.json, report.md, "
                     f"confusion_matrices.png, sensitivity.png, roc.png, reliability.png, operating_points.png, "
                     f"occlusion.png in {run} come from an earlier model; cxr-convert {run} replaces or removes them; to keep "
                     "the earlier model's .tflite files (cxr-compare OLD NEW sets them against the new model), copy them "
                     "elsewhere first")
    assert (f"cxr-train: warning: {run / 'teacher'} holds the teacher of an earlier model; this one learnt without a "
            "teacher: delete that folder, or it will be taken for this model's") in r.stderr.splitlines()
    # the split in words, not a Python dict ({'train': 10, ...}), and one epoch as one (hunt 62 H19)
    assert re.search(r"^cxr-train: split: \d+ training, \d+ validation, \d+ test films \(frozen in .*split\.json\)$",
                     r.stderr, re.M), r.stderr
    assert re.search(r"^cxr-train: training compact \([\d,]+ parameters\) for up to 1 epoch$", r.stderr, re.M), r.stderr


def test_the_split_line_names_each_part_in_words():
    from train.split_notes import split_line

    assert split_line({"train": 1053, "val": 11, "test": 11, "external": 5}, "runs/loso/split.json") == (
        "split: 1,053 training, 11 validation, 11 test, 5 external (held-out source) films "
        "(frozen in runs/loso/split.json)")



def _train_when_importing_tensorflow_raises(error: str) -> subprocess.CompletedProcess:
    """cxr-train in a child whose import of tensorflow raises ``error`` (Python source)."""
    block = ("import sys\n"
             "class NoTF:\n"
             "    def find_spec(self, name, path=None, target=None):\n"
             f"        if name.split('.')[0] in ('tensorflow', 'keras'): raise {error}\n"
             "sys.meta_path.insert(0, NoTF())\n"
             "sys.argv[0] = 'cxr-train'\n"
             "from train.cli import train_main; train_main()\n")
    return subprocess.run([sys.executable, "-c", block, "--data", "synthetic", "--out", "x"], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_without_tensorflow_the_workstation_commands_say_so_with_exit_2():
    r = _train_when_importing_tensorflow_raises("ModuleNotFoundError(name, name=name)")  # what Python raises: absent
    assert r.returncode == 2, r.stderr
    said = r.stderr.strip()
    assert said.startswith("cxr-train: error: this command needs TensorFlow: ") and " -m pip install " in said and \
        said.endswith(" (the device part, edge-classify, does not)") and "cxr-edge[train]" not in said, said


def test_a_broken_tensorflow_or_a_ctrl_c_while_importing_it_is_not_called_absent():
    r = _train_when_importing_tensorflow_raises("ImportError('libcudart.so.12: cannot open shared object file')")
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == ("cxr-train: error: TensorFlow is installed but could not be imported: "
                                "libcudart.so.12: cannot open shared object file")
    r = _train_when_importing_tensorflow_raises("KeyboardInterrupt")
    assert r.returncode == 130, r.stderr
    assert r.stderr.strip() == "cxr-train: interrupted while loading TensorFlow; nothing was written"


def test_a_class_whose_files_cannot_be_read_is_named_as_such(tmp_path):
    """Every file of a class unreadable: the split's 'too few images' hid why."""
    from edge.preprocess import PreprocessConfig
    from tests.test_data import write_images
    from train.data import DataError
    from train.prepare import prepare_data
    from train.run import TrainSettings

    write_images(tmp_path / "films" / "COVID", "COVID", 12)
    (tmp_path / "films" / "Normal").mkdir()
    for k in range(12):
        (tmp_path / "films" / "Normal" / f"n{k}.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match=r"^no file of class Normal could be read \(the reasons are above\)"):
        prepare_data(TrainSettings(data=str(tmp_path / "films"), out=tmp_path / "run", image_size=32, progress=False),
                     PreprocessConfig(size=32))


def test_one_picture_filed_under_two_classes_is_a_label_conflict(tmp_path, capsys):
    """A copy within a class is kept in one split; a copy under another class teaches the model two
    answers for one picture, which only the labeller can settle."""
    from edge.preprocess import PreprocessConfig
    from tests.test_data import write_images
    from train.prepare import prepare_data
    from train.run import TrainSettings

    covid = write_images(tmp_path / "films" / "COVID", "COVID", 12)
    write_images(tmp_path / "films" / "Normal", "Normal", 12)
    shutil.copy(covid[0], tmp_path / "films" / "Normal" / "also.png")
    shutil.copy(covid[1], tmp_path / "films" / "COVID" / "again.png")  # the same class: only a copy
    _, _, notes = prepare_data(TrainSettings(data=str(tmp_path / "films"), out=tmp_path / "run", image_size=32,
                                             progress=False), PreprocessConfig(size=32))
    conflicts = notes["hygiene"]["label_conflicts"]
    assert conflicts == [[{"file": f"COVID/{covid[0].name}", "label": "COVID"},
                          {"file": "Normal/also.png", "label": "Normal"}]]
    said = [line for line in capsys.readouterr().err.splitlines() if "label conflict" in line]
    assert len(said) == 1 and "2 films are one picture filed under different classes (1 group; e.g. COVID/" in said[0]


def test_a_ctrl_c_while_fitting_is_raised_at_a_batch_end_and_never_lost():
    """Raised wherever the interpreter was, the KeyboardInterrupt could land in one of TensorFlow's
    weakref callbacks, be printed as 'Exception ignored' and lost: the run then finished, exit 0."""
    import signal

    from train.fit import StopOnInterrupt, interrupts_at_batch_ends

    before = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        stop = StopOnInterrupt()
        with interrupts_at_batch_ends(stop):
            os.kill(os.getpid(), signal.SIGINT)  # only recorded: nothing is raised here
            assert stop.asked
            with pytest.raises(KeyboardInterrupt):
                stop.check()  # the next batch end
            assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # a second Ctrl-C: at once
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a job started in the background ignores it: so do we
        with interrupts_at_batch_ends(StopOnInterrupt()):
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_sigterm_while_fitting_is_raised_at_a_batch_end_too():
    """SIGTERM (timeout, a job scheduler) was raised at once inside TensorFlow: 4 of 45 stops ended as 'unexpected
    SystemError', exit 2, and one was lost (the training ran to its end, exit 0). Where a handler of ours takes it
    (the commands' sigterm_as_interrupt), it is recorded and raised at the next batch end, as Ctrl-C is."""
    import signal

    from edge.interrupts import sigterm_as_interrupt
    from train.fit import StopOnInterrupt, interrupts_at_batch_ends

    with sigterm_as_interrupt():
        ours = signal.getsignal(signal.SIGTERM)
        stop = StopOnInterrupt()
        with interrupts_at_batch_ends(stop):
            os.kill(os.getpid(), signal.SIGTERM)  # only recorded
            assert stop.asked
            with pytest.raises(KeyboardInterrupt):
                stop.check()
            assert signal.getsignal(signal.SIGTERM) is ours  # a second one: at once
        assert signal.getsignal(signal.SIGTERM) is ours
        late = StopOnInterrupt()
        with pytest.raises(KeyboardInterrupt):  # after the last batch end: raised on leaving, never lost
            with interrupts_at_batch_ends(late):
                os.kill(os.getpid(), signal.SIGTERM)
    before = signal.getsignal(signal.SIGTERM)
    if before is signal.SIG_DFL:  # left to its default (no command of ours around it): left alone
        with interrupts_at_batch_ends(StopOnInterrupt()):
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_ctrl_c_while_predicting_is_raised_at_a_batch_end_too():
    """cxr-train's validation logits, cxr-convert's and cxr-evaluate's scores all predict through
    logits_of: there too the signal is only recorded, and raised once the batch is done."""
    import signal

    import keras
    import tensorflow as tf

    from train.fit import logits_of

    handlers = []

    def ctrl_c(x):
        handlers.append(signal.getsignal(signal.SIGINT))
        if len(handlers) == 1:
            os.kill(os.getpid(), signal.SIGINT)
        return x

    class CtrlC(keras.layers.Layer):
        def call(self, t):
            y = tf.py_function(ctrl_c, [t], tf.float32)
            y.set_shape(t.shape)
            return y

    inp = keras.Input((4,))
    model = keras.Model(inp, keras.layers.Dense(2)(CtrlC()(inp)))
    before = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        with pytest.raises(KeyboardInterrupt):
            logits_of(model, np.zeros((64 * 5, 4), np.float32))
        assert handlers and handlers[0] is not signal.default_int_handler  # routed while predicting
        assert len(handlers) < 5  # stopped at the first batch end, not after every batch
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, before)


def test_tensorflow_python_warnings_stay_off_the_terminal():
    """'WARNING:tensorflow:5 out of the last 5 calls ... triggered tf.function retracing' reached
    cxr-train's stderr: advice for TensorFlow's programmers, not for a user of the command."""
    pytest.importorskip("tensorflow")
    code = ("import logging\nfrom train.quiet import load_tensorflow\nload_tensorflow()\n"
            "import tensorflow as tf\ntf.get_logger().warning('retracing')\n"
            "assert tf.get_logger().getEffectiveLevel() == logging.ERROR\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert r.returncode == 0, r.stderr
    assert "retracing" not in r.stderr


@pytest.mark.parametrize("given,said", [
    ("COVID,COVID,Normal", "--classes names COVID twice; give each class once"),
    ("COVID,covid,Normal", "--classes names COVID and covid, one class (names match ignoring case and punctuation); give each class once"),
    ("COVID,,Normal", "--classes 'COVID,,Normal' has an empty item (a value left out, or an unset variable?); give "
                      "class folder names separated by commas, "
                      "e.g. COVID,Normal"),
])
def test_a_class_named_twice_or_an_empty_name_in_classes_is_refused_at_once(tmp_path, given, said):
    """COVID,COVID,Normal built a model with three outputs, two of them COVID, and miscounted it."""
    r = cxr_train("--data", str(tmp_path / "films"), "--classes", given, "--out", str(tmp_path / "run"))
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip() == f"cxr-train: error: {said}"
    assert not (tmp_path / "run").exists()


def test_a_class_folder_given_for_its_parent_names_the_parent(tmp_path):
    """The tester's --data base/COVID, 30 PNGs in it: 'need at least 2 classes ..., found none'."""
    from tests.test_data import write_images

    write_images(tmp_path / "base" / "COVID", "COVID", 3)
    r = cxr_train("--data", "base/COVID", "--out", "run", cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines()[-1] == ("cxr-train: error: base/COVID holds images but no class folders: "
                                                 "give its parent (base), whose sub-folders are the classes")
    assert not (tmp_path / "run").exists()


def test_help_lists_the_cache_folder_and_what_deleting_it_means():
    from typer.testing import CliRunner

    from train.cli import train_app

    said = " ".join(CliRunner().invoke(train_app, ["--help"]).output.split())
    assert "and cache/ (every split's films decoded into model inputs" in said
    assert ("delete it to save space: the next cxr-convert then decodes the films from the data folder again, which "
            "must still hold them unchanged, and writes it anew") in said


def test_the_synthetic_sets_progress_is_lines_in_a_log_not_redraws(tmp_path, capsys):
    """cxr-synth 2> log gave one line of '\\r'-joined updates."""
    from train.synthetic_set import generate

    generate(tmp_path / "syn", n_per_class=20, progress=True)
    err = capsys.readouterr().err  # captured: not a terminal
    assert "\r" not in err and err.splitlines()[-1] == "synthetic: 40/40 images"


@pytest.mark.parametrize("args, said", [
    (["--data", "nowhere"], "data folder nowhere does not exist"),
    # the settings' own checks: train.models, which they once imported, loads Keras (a device install has none)
    (["--data", "films", "--consistency", "nan"], "--consistency must be 0 (off) or a number above it, not nan"),
    (["--data", "films", "--teacher-view", "bogus"], "--teacher-view must be one of same, unmoved, not 'bogus'"),
    (["--data", "films", "--add-data", "site"], "--add-data site: no such folder"),
    (["--data", "films", "--add-data", "films", "--class-map", "Healthy"],
     "--class-map: 'Healthy' is not FOLDER=LABEL (or FOLDER=- to leave it out); a folder or label whose name holds a "
     "comma or '=' is written without them ('Viral pneumonia, non-COVID' as 'Viral pneumonia non-COVID'): folders and "
     "labels are matched ignoring punctuation and case"),
])
def test_missing_folders_and_a_bad_class_map_are_said_before_tensorflow_loads(tmp_path, args, said):
    (tmp_path / "films").mkdir()
    code = ("import sys; from typer.testing import CliRunner; from train.cli import train_app; "
            f"r = CliRunner().invoke(train_app, {args + ['--out', 'run']!r}); "
            "print(r.exit_code, 'tensorflow' in sys.modules); print(r.output.strip())")
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONPATH": str(REPO)})
    first, message = p.stdout.splitlines()[:2]
    assert first == "2 False", p.stdout + p.stderr
    assert message == f"cxr-train: error: {said}"


def test_the_last_line_gives_balanced_accuracy_and_lopsided_classes_their_weights(tmp_path, capsys):
    """'done in 21.9 s: validation accuracy 0.957' for a model that called every film Normal (12 COVID among 312),
    and the class weights of 13.6 and 0.52 the loss used were in run.json only."""
    import json
    import re

    from tests.test_data import write_images
    from train.quiet import load_tensorflow
    from train.run import TrainSettings, run_training

    load_tensorflow()
    write_images(tmp_path / "films" / "COVID", "COVID", 8)
    write_images(tmp_path / "films" / "Normal", "Normal", 40)
    run_training(TrainSettings(data=str(tmp_path / "films"), out=tmp_path / "run", image_size=32, epochs=1,
                               batch_size=16, teacher_members=0, progress=False))
    err = capsys.readouterr().err.splitlines()
    run = json.loads((tmp_path / "run" / "run.json").read_text())
    (n_covid, n_normal), (w_covid, w_normal) = run["counts"]["train"].values(), run["fit"]["class_weights"].values()
    assert f"cxr-train: classes in training: COVID {n_covid}, Normal {n_normal}; each film weighted {w_covid:.3g} : " \
           f"{w_normal:.3g} in the loss, so that every class counts alike (run.json: fit.class_weights)" in err
    assert re.fullmatch(r"cxr-train: done in [\d.]+ s: validation accuracy \d\.\d{3}, balanced accuracy \d\.\d{3}, "
                        r"temperature [\d.]+; next: cxr-convert .*", err[-1]), err[-1]


def test_the_probabilities_warning_is_kept_in_run_json_for_cxr_convert(tmp_path, monkeypatch, capsys):
    """'go by its answers, not by its probabilities as chances' went to stderr only: run.json kept no trace of it, so
    neither report.md, nor the card, nor edge-classify could say it (hunt 58, M1)."""
    import json

    import train.one_run
    from tests.test_data import write_images
    from train.quiet import load_tensorflow
    from train.run import TrainSettings, run_training

    load_tensorflow()
    line = "on the validation films the model tells the classes apart ...: go by its answers"
    monkeypatch.setattr(train.one_run, "signal_warning", lambda *a: line)  # the case itself: test_cxr_trains_one_warning...
    monkeypatch.setattr(train.one_run, "probabilities_only", lambda gain, apart: True)
    for c in ("COVID", "Normal"):
        write_images(tmp_path / "films" / c, c, 12)
    run_training(TrainSettings(data=str(tmp_path / "films"), out=tmp_path / "run", image_size=32, epochs=1,
                               batch_size=16, teacher_members=0, progress=False))
    assert f"cxr-train: warning: {line}" in capsys.readouterr().err
    assert json.loads((tmp_path / "run" / "run.json").read_text())["validation"]["probabilities_note"] == line


def test_class_weights_within_2_to_1_are_not_said():
    from train.validation_notes import weights_line

    assert weights_line({"COVID": 20, "Normal": 40}, {"COVID": 1.5, "Normal": 0.75}) is None  # 2 to 1: not said
    assert weights_line({"COVID": 19, "Normal": 40}, {"COVID": 1.55, "Normal": 0.74}) is not None
    assert weights_line({"COVID": 0, "Normal": 40}, {"COVID": 40.0, "Normal": 0.5}) is None  # a class with no films


def test_answers_that_tell_lopsided_classes_apart_are_not_said_to_carry_no_signal(tiny_run):
    """5 COVID and 18 Normal validation films, the model over-calling COVID as a loss that weighs the classes alike
    makes it: balanced accuracy 0.78, yet no temperature makes its probabilities beat the class shares. cxr-train
    said its answers told 'no more than how common each class is', and cxr-convert repeated it in bold; now the
    answers are said to tell the classes apart and the probabilities not to, and a temperature at its upper bound
    (every probability near 0.50) is said."""
    import json

    from convert.gate import no_signal_line
    from train.calibration import NO_SIGNAL, fit_temperature, information_gain
    from train.validation_notes import apart_from_chance, probabilities_line

    y = np.array([0] * 5 + [1] * 18)
    z = np.array([[3.0, 0.0]] * 5 + [[2.0, 0.0]] * 8 + [[-1.0, 0.0]] * 10)
    t = fit_temperature(z, y)
    assert information_gain(z, y, t) < NO_SIGNAL  # the probabilities: no better than the shares
    apart = apart_from_chance(z, y, 2)
    assert apart is not None and apart[0] == pytest.approx((1 + 10 / 18) / 2) and apart[1] > 0.5
    line = probabilities_line(apart, t, 2, lopsided=True)
    assert "tells the classes apart (balanced accuracy 0.778, 95% CI 0.535 to 0.877)" in line
    assert "no more than how common" not in line and "upper bound" not in line and "lopsided" in line
    assert "every probability near 0.50 whatever the film" in probabilities_line(apart, 20.0, 2, lopsided=False)
    # answers no better than chance too: no signal, as before
    assert apart_from_chance(np.array([[1.0, 0.0]] * 23), y, 2) is None
    assert no_signal_line({"validation": {"information_gain": -0.15, "no_signal": False}}) is None
    assert "tell no more than how common" in no_signal_line({"validation": {"information_gain": 0.5, "no_signal": True}})
    old = no_signal_line({"validation": {"information_gain": 0.001}})  # 0.37.0's: its probabilities, not its answers
    assert "probabilities on the validation films tell no more than how common" in old and "before cxr-edge 0.38.0" in old
    v = json.loads((tiny_run / "run.json").read_text())["validation"]
    assert isinstance(v["no_signal"], bool) and (not v["no_signal"] or v["information_gain"] < NO_SIGNAL)
    assert 0 <= v["balanced_accuracy"] <= 1


def test_cxr_trains_one_warning_of_what_the_validation_answers_carry_follows_answers_and_probabilities():
    """The choice train.one_run makes between its three warnings, and the no_signal it records: a mutation back to
    'no_signal = gain < NO_SIGNAL' or one dropping the probabilities' warning went unseen (session 54 review)."""
    from train.calibration import NO_SIGNAL, fit_temperature, information_gain
    from train.validation_notes import apart_from_chance, no_signal, signal_warning

    y = np.array([0] * 5 + [1] * 18)
    lopsided = np.array([[3.0, 0.0]] * 5 + [[2.0, 0.0]] * 8 + [[-1.0, 0.0]] * 10)  # apart, probabilities not
    t = fit_temperature(lopsided, y)
    gain = information_gain(lopsided, y, t)
    assert gain < NO_SIGNAL and not no_signal(gain, apart_from_chance(lopsided, y, 2))
    said = signal_warning(lopsided, y, t, gain, lopsided=True)
    assert said.startswith("on the validation films the model tells the classes apart"), said
    flat = np.zeros((23, 2))  # nothing at all: at its upper bound every answer is 0.50, not the class shares
    assert no_signal(information_gain(flat, y, 20.0), apart_from_chance(flat, y, 2))
    said = signal_warning(flat, y, 20.0, information_gain(flat, y, 20.0), lopsided=False)
    assert "tell no more than how common each class is" in said and "every answer near 0.50)" in said, said
    assert "every answer near the class shares)" in signal_warning(flat, y, 1.0, -0.01, lopsided=False)
    chance = np.array([[1.0, 0.0]] * 3 + [[0.0, 1.0]] * 2 + [[1.0, 0.0]] * 11 + [[0.0, 1.0]] * 7)
    assert "no better than chance" in signal_warning(chance, y, 1.0, 0.05, lopsided=False)
    assert signal_warning(lopsided, y, t, 0.2, lopsided=True) is None  # probabilities that carry: nothing to say


def test_the_split_line_says_a_given_test_folder_is_the_test_split():
    """A tutorial's dataset/train + dataset/test: the line said '42 training, 8 validation, 50 test films' and left
    the reader to guess whether test/ was their test/ folder and where validation came from."""
    from train.data import Item
    from train.split_notes import given_origins, split_line

    def films(*paths: str) -> list[Item]:
        return [Item(p, p.split("/")[1]) for p in paths]

    parts = {"train": films("train/covid/a.png", "train/normal/b.jpg"), "val": films("train/covid/c.png"),
             "test": films("test/covid/d.png", "Train/normal/e.png")}  # a copy across the folders moved to test
    assert split_line({"train": 2, "val": 1, "test": 2}, "runs/seed/split.json", given_origins(parts)) == (
        "split: 2 training, 1 validation, 2 test films (training from train/, validation from train/, "
        "test from Train/ and test/; frozen in runs/seed/split.json)")
