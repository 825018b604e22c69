"""A training run stopped part-way goes on where it stopped, and ends with the same weights."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def test_an_interrupted_ensemble_resumes_from_its_finished_members(tiny_run, tmp_path, capsys):
    import keras

    from train.resume import MEMBERS_DIR
    from train.run import TrainSettings, run_training

    # tiny_run's teacher: 3 members, trained one after another with the settings its run.json records.
    settings = {**json.loads((tiny_run / "teacher" / "run.json").read_text())["settings"], "out": str(tmp_path / "t")}
    members = tmp_path / "t" / MEMBERS_DIR
    code = ("import json, sys; from train.run import TrainSettings, run_training; "
            "run_training(TrainSettings(**json.loads(sys.argv[1])))")
    proc = subprocess.Popen([sys.executable, "-c", code, json.dumps(settings)], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(REPO)},
                            # a suite started in the background inherits an ignored SIGINT: give the child the default
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 240
    while not (members / "member-1.json").is_file() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # Ctrl-C while member 2 trains
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0, err.decode()[-2000:]
    assert (members / "member-1.json").is_file() and not (members / "member-2.json").is_file()
    assert not (tmp_path / "t" / "model.keras").exists()

    capsys.readouterr()
    run_training(TrainSettings(**settings))
    log = capsys.readouterr().err
    assert "reusing the model (member 1 of 3) that an earlier call finished" in log
    assert "for up to 2 epochs (member 2 of 3)" in log and "for up to 2 epochs (member 1 of 3)" not in log
    first = keras.models.load_model(tiny_run / "teacher" / "model.keras", compile=False).get_weights()
    resumed = keras.models.load_model(tmp_path / "t" / "model.keras", compile=False).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, resumed))  # as if it had never stopped
    assert not members.exists()  # the per-member copies go once the run is finished


def test_a_saved_member_of_other_settings_is_not_reused(tiny_run, tmp_path):
    from dataclasses import replace

    import keras

    from train.resume import fingerprint, load_member, save_member
    from train.run import TrainSettings

    settings = TrainSettings(**{**json.loads((tiny_run / "run.json").read_text())["settings"], "out": str(tmp_path)})
    (tmp_path / "split.json").write_bytes((tiny_run / "split.json").read_bytes())
    model = keras.models.load_model(tiny_run / "model.keras", compile=False)
    fp = fingerprint(settings, tmp_path)
    save_member(tmp_path, 0, model, {"loss": [1.0]}, fp)
    assert load_member(tmp_path, 0, fp) is not None
    assert load_member(tmp_path, 0, fingerprint(replace(settings, learning_rate=1e-3), tmp_path)) is None
    (tmp_path / "split.json").write_text("{}")  # other files, or other parts: another split
    assert load_member(tmp_path, 0, fingerprint(settings, tmp_path)) is None
    assert load_member(tmp_path, 1, fp) is None  # never saved
