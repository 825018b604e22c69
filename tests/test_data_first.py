"""cxr-train refuses a data folder's layout before TensorFlow loads and before "step 1 of 2" (train.data_first):
it said "step 1 of 2: the teacher ..." and imported TensorFlow (12 s on 2 cores) before the layout error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_data import write_images
from train.data import DataError
from train.data_first import check_films_found, too_few_to_split
from train.run import TrainSettings

REPO = Path(__file__).resolve().parents[1]

# the console script's own function (pyproject's cxr-train = train.entry:cxr_train), and whether TensorFlow was
# imported by the time it exited (a finally: SystemExit passes through it)
WRAPPER = ("import sys\n"
           "try:\n"
           "    from train.entry import cxr_train\n"
           "    sys.argv = ['cxr-train', *sys.argv[1:]]\n"
           "    cxr_train()\n"
           "finally:\n"
           "    print('tensorflow imported:', 'tensorflow' in sys.modules, flush=True)\n")


def _layout(root: Path, kind: str) -> Path:
    data = root / kind
    data.mkdir()
    if kind == "one_class":
        write_images(data / "COVID", "COVID", 4)
    elif kind == "flat_with_labels":
        write_images(data, "COVID", 4)
        (data / "labels.csv").write_text("filename,label\n" + "".join(
            f"covid-{i:03d}.png,{'COVID' if i % 2 else 'Normal'}\n" for i in range(4)))
    elif kind == "patient_folders":  # a PACS export: PAT0000/study1/*.png, a film per patient
        for p in range(8):
            write_images(data / f"PAT{p:04d}" / "study1", "Normal", 1, start=p)
    return data


@pytest.mark.parametrize("kind, said", [
    ("no_class_folders", "need at least 2 classes with images in "),
    ("one_class", "need at least 2 classes with images in "),
    ("flat_with_labels", "holds images but no class folders; labels.csv there names each film's label"),
    ("patient_folders", "is this a folder per patient or study?"),
])
def test_a_bad_data_folder_is_refused_before_tensorflow_loads(tmp_path, kind, said):
    data = _layout(tmp_path, kind)
    p = subprocess.run([sys.executable, "-c", WRAPPER, "--data", str(data), "--out", str(tmp_path / "run"), "--quiet"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert p.returncode == 2, p.stdout + p.stderr
    assert p.stdout.splitlines()[-1] == "tensorflow imported: False", p.stdout + p.stderr
    assert "step 1 of 2" not in p.stderr, p.stderr
    last = p.stderr.strip().splitlines()[-1]
    assert last.startswith("cxr-train: error: ") and said in last, p.stderr
    assert not (tmp_path / "run").exists()  # refused before the run folder and its lock were made


def test_only_a_folder_per_patient_is_refused_from_the_listing_the_split_says_the_rest():
    patients = {f"PAT{p:04d}": 1 if p < 5 else 4 for p in range(8)}
    said = too_few_to_split(patients, "pacs")
    assert said.startswith("classes PAT0000, PAT0001, PAT0002, PAT0003, PAT0004 in pacs hold fewer than 3 films each: "
                           "a split needs a film of every class in training, validation and test; 5 of the 8 class "
                           "folders hold 3 films or fewer"), said
    assert too_few_to_split({"COVID": 14, "Normal": 14, "Viral_Pneumonia": 2}, "films") is None  # the split says it
    assert too_few_to_split({f"PAT{p:04d}": 3 for p in range(8)}, "pacs") is None  # the split says whether 3 will do


def test_a_good_folder_passes_saying_nothing_and_a_bad_one_says_its_notes_first(tmp_path):
    said: list[str] = []
    for c in ("COVID", "Normal"):
        write_images(tmp_path / "good" / c, c, 3)
    check_films_found(TrainSettings(data=str(tmp_path / "good"), out=tmp_path / "run"), said.append)
    assert said == []  # the run finds its films again and says them there, once
    for p in range(6):
        write_images(tmp_path / "pacs" / f"PAT{p}", "Normal", 1 + p % 2, start=p * 2)
    with pytest.raises(DataError, match="classes PAT0, PAT1, .* hold fewer than 3 films each: a split needs"):
        check_films_found(TrainSettings(data=str(tmp_path / "pacs"), out=tmp_path / "run"), said.append)
    assert said == ["found 9 images in 6 classes (folder per class)"]
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "run.json").write_text("{}")  # a finished run keeps its split: the run says what it does
    check_films_found(TrainSettings(data=str(tmp_path / "pacs"), out=tmp_path / "run"), said.append)
    check_films_found(TrainSettings(data="synthetic", out=tmp_path / "run"), said.append)  # made in the run


def test_a_folder_per_patient_given_with_add_data_names_both_folders():
    """The counts hold --add-data's films too, and the refusal named --data alone (session 69's second review)."""
    said = too_few_to_split({f"PAT{p:04d}": 1 for p in range(8)}, ["pacs", "more pacs"])
    assert said is not None and " in pacs and more pacs hold fewer than 3 films each" in said


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_a_stop_while_the_films_are_listed_is_said_in_one_line(tmp_path, stop):
    """The listing runs before one_line_errors and TensorFlow's import (seconds for 120,000 films): a Ctrl-C or SIGTERM
    there was Typer's exit 130 with no word, where a stop while TensorFlow loads is said."""
    import signal

    for c in ("COVID", "Normal"):
        write_images(tmp_path / "data" / c, c, 3)
    # the signal is really sent, to the child itself, as the listing of the films starts; the listing then runs
    listing = ("import os, signal, sys\n"
               "import train.data_first as first\n"
               "real = first.find_films\n"
               "def find_films(*args, **kwargs):\n"
               f"    os.kill(os.getpid(), signal.{stop})\n"
               "    return real(*args, **kwargs)\n"
               "first.find_films = find_films\n")
    p = subprocess.run([sys.executable, "-c", listing + WRAPPER, "--data", str(tmp_path / "data"),
                        "--out", str(tmp_path / "run"), "--quiet"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PYTHONPATH": str(REPO), "TF_CPP_MIN_LOG_LEVEL": "3"},
                       preexec_fn=lambda: [signal.signal(s, signal.SIG_DFL) for s in (signal.SIGINT, signal.SIGTERM)])
    assert p.returncode == 130, p.stdout + p.stderr
    assert p.stderr == "cxr-train: interrupted while listing the films; nothing was written\n", p.stderr
    assert p.stdout.splitlines()[-1] == "tensorflow imported: False", p.stdout
    assert not (tmp_path / "run").exists()
