"""--classes picks folders, not keys: names that match one folder ignoring case and punctuation still name
another folder where one is spelt closer (COVID and COVID-19 merged from two sets, Normal beside normal)."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import pytest

from tests.test_data import write_images
from train.data import DataError
from train.discovery import discover



def _covid_twins_run(tmp_path: Path):
    """Settings of a run of COVID, Normal from a folder that also holds COVID-19 (another class by its name)."""
    from train.run import TrainSettings

    films = tmp_path / "films"
    write_images(films / "COVID", "COVID", 10)
    write_images(films / "COVID-19", "COVID", 10, start=50)
    write_images(films / "Normal", "Normal", 10)
    return TrainSettings(data=str(films), out=tmp_path / "run", classes=["COVID", "Normal"], epochs=1, image_size=32,
                         batch_size=8, teacher_members=0, progress=False)

def test_a_finished_run_is_not_replaced_for_classes_that_pick_another_folder(tmp_path, capsys):
    """COVID,Normal then COVID-19,Normal into one --out: the finished run was trained over without --replace,
    blaming 'films changed'; 0.34.0 refused it as another classes."""
    from train.resume import other_settings
    from train.run import TrainSettings, run_training

    s = _covid_twins_run(tmp_path)
    run_training(s)
    model = (s.out / "model.keras").read_bytes()
    with pytest.raises(DataError) as e:
        run_training(TrainSettings(**{**s.__dict__, "classes": ["COVID-19", "Normal"]}))
    assert f"--out {s.out} holds a finished run (COVID, Normal from " in str(e.value)
    assert ("films) trained with --classes COVID,Normal (now COVID-19,Normal): give another --out to keep it"
            in str(e.value)), str(e.value)
    assert (s.out / "model.keras").read_bytes() == model
    assert json.loads((s.out / "run.json").read_text())["classes"] == ["COVID", "Normal"]

    def differ(*classes: str) -> list[str]:
        return [k for k in other_settings(s.out, TrainSettings(**{**s.__dict__, "classes": list(classes)})) if k != "out"]

    capsys.readouterr()
    run_training(TrainSettings(**{**s.__dict__, "classes": ["covid", "normal"]}))  # the same folders: nothing to do
    assert "nothing to do" in capsys.readouterr().err
    assert differ("covid", "normal") == [] and differ("Normal", "COVID") == ["classes"]  # the outputs' order
    # no --classes is every class folder (COVID-19 too): another setting, not "films changed" and a retrain over it
    assert differ() == ["classes"]
    assert [k for k in other_settings(s.out, TrainSettings(**{**s.__dict__, "classes": None})) if k != "out"] == ["classes"]
    write_images(Path(s.data) / "normal", "Normal", 10, start=50)  # a second set's folder beside the first's
    assert differ("COVID", "Normal") == [] and differ("COVID", "normal") == ["classes"]
    assert differ("COVID", "NORMAL") == ["classes"]  # fits both folders: discovery then says so


def test_a_name_closer_to_one_folder_picks_it_and_a_tie_is_said(tmp_path):
    from train.class_choice import as_folders

    for name in ("COVID", "COVID-19", "Normal", "normal"):
        write_images(tmp_path / name, "COVID" if "C" in name else "Normal", 2)
    assert as_folders(["covid-19", "covid", "Normal", "normal", "NORMAL"], os.listdir(tmp_path)) == \
        ["COVID-19", "COVID", "Normal", "normal", "NORMAL"]
    items, _, _ = discover(tmp_path, ["covid-19", "Normal"])
    assert {i.label for i in items} == {"COVID-19", "Normal"}
    with pytest.raises(DataError) as e:
        discover(tmp_path, ["NORMAL", "COVID"])
    assert str(e.value) == (f"--classes names NORMAL, which matches both the class folders Normal and normal in "
                            f"{tmp_path} (names match ignoring case and punctuation): write it exactly as one of them "
                            "is spelt, or rename one")
    with pytest.raises(DataError, match=r"--classes names covid19, which matches both the class folders COVID and "
                                        r"COVID-19 in "):
        discover(tmp_path, ["covid19", "Normal"])


def test_a_dead_class_folder_that_classes_leaves_out_does_not_stop_training(tmp_path):
    """A link to nothing named COVID-19 beside the chosen COVID stopped cxr-train ('would leave out its class')."""
    write_images(tmp_path / "COVID", "COVID", 2)
    write_images(tmp_path / "Normal", "Normal", 2)
    (tmp_path / "COVID-19").symlink_to("/nonexistent/share")
    said: list[str] = []
    items, _, _ = discover(tmp_path, ["COVID", "Normal"], log=said.append)
    assert {i.label for i in items} == {"COVID", "Normal"}
    assert any(line.startswith(f"warning: class folder {tmp_path / 'COVID-19'} is a link to nothing") and
               line.endswith("it is not among the classes asked for, so no film is lost") for line in said), said
    with pytest.raises(DataError, match=r"^class folder .*COVID-19 is a link to nothing"):
        discover(tmp_path, ["covid-19", "Normal"])  # the one it picks
    # a run folder beside the chosen class is noted only where --classes names it
    (tmp_path / "COVID-19").unlink()
    (tmp_path / "COVID-19").mkdir()
    (tmp_path / "COVID-19" / "run.json").write_text("{}")
    said.clear()
    discover(tmp_path, ["COVID", "Normal"], log=said.append)
    assert not any("skipped folder" in line for line in said), said


def test_the_suggested_line_for_a_split_folder_keeps_the_order_typed(tmp_path):
    """The order of --classes is the order of the model's outputs: the suggestion put the folder last."""
    comma = "Viral pneumonia, non-COVID"
    for name in ("Normal", comma, "COVID"):
        write_images(tmp_path / name, "Normal", 2)
    with pytest.raises(DataError) as e:
        discover(tmp_path, ["Normal", "Viral pneumonia", "non-COVID", "COVID"])
    said = str(e.value)
    assert shlex.split(said[said.rindex("--classes "):])[1] == "Normal,Viral pneumonia non-COVID,COVID", said


def test_a_stopped_run_goes_on_for_classes_spelt_otherwise_that_pick_its_folders(tmp_path, capsys, monkeypatch):
    from tests.test_resume import _films_not_read, _stop_in_training
    from train.run import TrainSettings, run_training

    s = _covid_twins_run(tmp_path)
    _stop_in_training(s)
    _films_not_read(monkeypatch)
    with pytest.raises(AssertionError, match="read again"):  # another folder: another data phase
        run_training(TrainSettings(**{**s.__dict__, "classes": ["COVID-19", "Normal"]}))
    capsys.readouterr()
    run_training(TrainSettings(**{**s.__dict__, "classes": ["covid", "normal"]}))
    assert "going on from the split and inputs an earlier call prepared" in capsys.readouterr().err
