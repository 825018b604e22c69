"""cxr-train's data step says what it did with the films, where it used to say less or the wrong
thing: a synthetic set in train/ + test/ folders is marked synthetic; --val-fraction and
--test-fraction that a given split would ignore are refused; a class missing from a given folder
is named as such; a blank source column does not hide source_repo, and blank sources are said; a
label conflict's example shows both labels; an empty --holdout-source and an --out where nothing
can be written are refused before TensorFlow loads. Real data step (prepare_data), tiny PNGs."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edge.preprocess import PreprocessConfig
from train.data import DataError
from train.hygiene import conflicts_text
from train.prepare import prepare_data
from train.run import TrainSettings
from train.synthetic_set import generate

ROOT = Path(__file__).resolve().parents[1]


def films(folder: Path, n: int, seed: int) -> list[Path]:
    """n distinct grey films (no two alike, so no copy grouping) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n):
        img = (rng.random((40, 40)) * 255).astype(np.uint8)
        path = folder / f"f{seed}-{k}.png"
        Image.fromarray(img).save(path)
        out.append(path)
    return out


def prepare(data: Path, out: Path, **kw):
    return prepare_data(TrainSettings(data=str(data), out=out, image_size=32, progress=False, **kw), PreprocessConfig(size=32))


def cxr_train(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from train.cli import train_main; train_main()", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_a_synthetic_set_in_train_and_test_folders_is_marked_synthetic(tmp_path, capsys):
    data = tmp_path / "syn"
    generate(data / "train", n_per_class=12, classes=("COVID", "Normal"), size=(48, 48), seed=0)
    generate(data / "test", n_per_class=4, classes=("COVID", "Normal"), size=(48, 48), seed=1)
    split, _, _ = prepare(data, tmp_path / "run")
    assert split.notes["synthetic"] is True
    err = capsys.readouterr().err
    assert "holds SYNTHETIC images" in err and str(data / "train") in err


@pytest.mark.parametrize("option, folders", [("--test-fraction", ("train", "test")),
                                             ("--val-fraction", ("train", "val", "test"))])
def test_fractions_a_given_split_ignores_are_refused(tmp_path, option, folders):
    data = tmp_path / "data"
    for part in folders:
        for c in ("COVID", "Normal"):
            films(data / part / c, 2, hash((part, c)) % 1000)
    r = cxr_train("--data", data, "--out", tmp_path / "run", option, "0.3")
    assert r.returncode == 2
    assert f"cxr-train: error: {option}: {data} comes split in folders" in r.stderr and "would do nothing" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "run").exists()


def test_a_class_missing_from_a_given_folder_is_named(tmp_path):
    data = tmp_path / "data"
    for c in ("COVID", "Normal"):
        films(data / "train" / c, 16, len(c))
    films(data / "test" / "COVID", 4, 99)
    with pytest.raises(DataError, match=r"the given test/ folder holds no images of class Normal \(a test/Normal folder "
                                        r"is missing or empty, or its films are copies"):
        prepare(data, tmp_path / "run")


def test_a_blank_source_column_does_not_hide_source_repo(tmp_path, capsys):
    data = tmp_path / "data"
    paths = films(data / "COVID", 10, 1) + films(data / "Normal", 10, 2)
    with open(data / "MANIFEST.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["file", "source", "source_repo"])
        for k, p in enumerate(paths):  # the last film has neither
            w.writerow([p.relative_to(data).as_posix(), "", "" if k == len(paths) - 1 else f"repo-{k % 2}"])
    split, _, _ = prepare(data, tmp_path / "run")
    sources = {i.path: i.source for part in split.parts.values() for i in part}
    assert sorted(set(sources.values())) == ["", "repo-0", "repo-1"]
    assert list(sources.values()).count("") == 1
    err = capsys.readouterr().err
    assert "1 of the 20 films in" in err and "whose source and source_repo are blank" in err


def test_a_label_conflicts_example_shows_each_label():
    group = [{"file": f"train/COVID/{k}.png", "label": "COVID"} for k in range(3)] + [{"file": "train/Normal/x.png",
                                                                                        "label": "Normal"}]
    text = conflicts_text([group])
    assert "(Normal)" in text and "(COVID)" in text
    assert text.endswith("e.g. train/COVID/0.png (COVID) = train/COVID/1.png (COVID) = train/Normal/x.png (Normal))")


def test_a_label_conflicts_example_names_each_film_on_one_line():
    """A film's name with a newline split the label-conflict warning, its second part like a line of its own."""
    group = [{"file": "COVID/a\nb.png", "label": "COVID"}, {"file": "Normal/caf\udce9.png", "label": "Normal"}]
    text = conflicts_text([group])
    assert "\n" not in text and text.endswith('e.g. "COVID/a\\nb.png" (COVID) = Normal/caf\\xe9.png (Normal))')


def test_an_empty_holdout_source_is_refused(tmp_path):
    r = cxr_train("--out", tmp_path / "run", "--holdout-source", "")
    assert r.returncode == 2 and "--holdout-source is given an empty value" in r.stderr  # else recorded, holding none


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc, where nothing can be written")
def test_an_out_folder_where_nothing_can_be_written_is_refused_at_once(tmp_path):
    r = cxr_train("--out", "/proc/cxr-edge-run", "--epochs", "1")
    assert r.returncode == 2
    assert r.stderr.startswith("cxr-train: error: --out /proc/cxr-edge-run: nothing can be written in /proc")


def test_a_film_whose_dicom_header_says_no_chest_film_is_named_before_training(tmp_path, capsys):
    """A skull CT exported into a class folder with the chest films was trained on without a word: cxr-train names
    it, with what its header says, so that it can be moved out (edge-classify flags such films on the device), and
    what such a film is answered by the run's classes (it said COVID or Normal to a run of three)."""
    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    from tests.test_dicom import make_dicom, ramp, with_header

    data = tmp_path / "data"
    for c in ("COVID", "Normal", "Pneumonia"):
        films(data / c, 12, len(c))
    (data / "Normal" / "IM000001").write_bytes(with_header(make_dicom(ramp()), Modality="CT", BodyPartExamined="SKULL"))
    prepare(data, tmp_path / "run")
    warned = [line for line in capsys.readouterr().err.splitlines() if "DICOM header says" in line]
    assert warned == ["cxr-train: warning: 1 film whose DICOM header says it is no frontal chest radiograph (another "
                      "modality or body part, a lateral view, For Processing): Normal/IM000001 (Modality CT); it is "
                      "trained on all the same: a model taught that such a film is one of COVID, Normal or Pneumonia "
                      "answers as if it were one; move such films out"]
