"""edge-classify says so, on stderr in one line, where it used to stay silent or mislead: a batch
with no image, --labels that would swap or rename a cxr-edge file's classes, a cxr-edge file cut
off at its end, a foreign model run without metadata, a Keras file given as the model, an
--explain folder that cannot be written, and the summary of a --json/--csv batch. Real tiny model
(tests/conftest.py's tiny_run), real runtime, a fresh edge-classify process per case."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import shutil
import sys
import time
from pathlib import Path

import pytest

from edge import metadata as md

from tests.unprivileged import run_as_a_user

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "edge-classify: "


def edge_classify(*args: object, stdin: str = "", as_a_user: bool = False) -> subprocess.CompletedProcess:
    """edge-classify ARGS in a fresh process; as_a_user: one that file permissions stop, even as root."""
    run = run_as_a_user if as_a_user else subprocess.run
    return run([sys.executable, "-m", "edge.cli", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
               input=stdin, timeout=120)


def lines(stderr: str, kind: str) -> list[str]:
    """stderr's lines of one kind ('error', 'warning', 'summary'), each checked to be edge-classify's own; less the
    warning that the tiny run's file, whose few test films cannot show it beats chance, gets (edge.card.chance_verdict)."""
    assert "Traceback" not in stderr and all(ln.startswith(PREFIX) for ln in stderr.splitlines()), stderr
    return [ln for ln in stderr.splitlines() if ln.startswith(f"{PREFIX}{kind}: ") and AT_CHANCE not in ln]


AT_CHANCE = ": on its test split its balanced accuracy's interval "


def first_lines(stream, until, most: int = 5) -> list[str]:
    """The lines of ``stream`` up to the first for which ``until`` holds (at most ``most``): the notes before it
    depend on the file (synthetic, at chance), and a count of them read a line too few or waited for one too many."""
    seen: list[str] = []
    while len(seen) < most and not (seen and until(seen[-1])):
        seen.append(stream.readline())
    return seen


@pytest.fixture(scope="module")
def films(tiny_run) -> Path:
    """The synthetic set the tiny model was trained on: class sub-folders of PNGs, none at the top."""
    return Path(json.loads((tiny_run / "split.json").read_text())["data_dir"])


@pytest.fixture(scope="module")
def film(films) -> Path:
    return sorted((films / "COVID").glob("*.png"))[0]


# ---- 1. a batch with no image is an error (exit 1), not silence and success --------------


def test_folder_with_images_only_in_sub_folders_says_use_recursive(model, films):
    p = edge_classify(films, "--model", model)
    assert p.returncode == 1 and p.stdout == ""
    assert lines(p.stderr, "error") == [f"{PREFIX}error: no images found in {films} "
                                        "(it has sub-folders with images: use --recursive)"]


@pytest.mark.parametrize("files, flags, says", [
    ((), (), "no images found in {d}"),
    ((), ("--recursive",), "no images found in {d} or its sub-folders"),
    ((".hidden.png", "IM0001", "notes.txt"), (), "no images found in {d} (its 2 files have no image suffix"),
])
def test_folder_without_images_is_an_error(model, tmp_path, files, flags, says):
    d = tmp_path / "scans"
    d.mkdir()
    for name in files:
        (d / name).write_bytes(b"x")
    p = edge_classify(d, *flags, "--csv", "--model", model)
    assert p.returncode == 1 and p.stdout == ""  # not even the CSV header
    errors = lines(p.stderr, "error")
    assert len(errors) == 1 and errors[0].startswith(f"{PREFIX}error: " + says.format(d=d)), p.stderr


def _kaggle_class(film: Path, top: Path, masks_only: bool = False) -> Path:
    """top/COVID/{images,masks}/COVID-1.png, COVID-2.png, as the Kaggle COVID-19 Radiography Database keeps a class
    (its masks named as its films are); masks_only: no images/ beside masks/."""
    for sub in ("masks",) if masks_only else ("images", "masks"):
        (top / "COVID" / sub).mkdir(parents=True)
        for name in ("COVID-1.png", "COVID-2.png"):
            shutil.copyfile(film, top / "COVID" / sub / name)
    return top / "COVID"


def test_a_recursive_batch_answers_the_films_and_not_the_lung_masks_beside_them(model, film, tmp_path):
    """edge-classify COVID --recursive (as its own error told) answered every mask in COVID/masks/ as a film and
    counted it in the summary a site compares with its own rate ('60 files' for 30 films); given on its own,
    COVID/masks is the user's choice and is answered."""
    covid = _kaggle_class(film, tmp_path)
    p = edge_classify(covid, "--recursive", "--csv", "--model", model)
    assert p.returncode == 0, p.stderr
    assert [r["file"] for r in csv.DictReader(io.StringIO(p.stdout))] == [str(covid / "images" / n)
                                                                          for n in ("COVID-1.png", "COVID-2.png")]
    assert lines(p.stderr, "summary")[0].startswith(f"{PREFIX}summary: 2 files: ")
    assert lines(p.stderr, "note")[-1] == (
        f"{PREFIX}note: mask sub-folders are not entered, even with --recursive, since they hold masks (lung masks "
        f"named as the films are), not films: {covid / 'masks'}; name one as an argument to classify its files")
    p = edge_classify(covid / "masks", "--csv", "--model", model)
    assert p.returncode == 0 and len(list(csv.DictReader(io.StringIO(p.stdout)))) == 2, p.stderr
    assert not [ln for ln in lines(p.stderr, "note") if "mask" in ln]


def test_lung_masks_alone_below_a_folder_are_no_images_to_use_recursive_for(model, film, tmp_path):
    """The "use --recursive" hint counted a masks/ folder as images below: the user was sent to --recursive, which
    would answer the masks as films."""
    covid = _kaggle_class(film, tmp_path, masks_only=True)
    for flags in ((), ("--recursive",)):
        p = edge_classify(covid, *flags, "--model", model)
        assert p.returncode == 1 and p.stdout == ""
        assert lines(p.stderr, "error") == [
            f"{PREFIX}error: no images found in {covid}{' or its sub-folders' if flags else ''} (its mask sub-folders "
            f"are not entered, even with --recursive, since they hold masks (lung masks named as the films are), not "
            f"films: {covid / 'masks'}; name one as an argument to classify its files)"]


def test_films_in_sub_folders_left_out_without_recursive_are_said_once(model, film, tmp_path):
    """edge-classify FOLDER classified the films at its top and passed over those in its sub-folders (a folder per
    patient) without a word: 21 of 31 films answered, the summary read as the whole folder's. Masks, hidden folders
    and a sub-folder given as an input too are no such films; one listing of each sub-folder, never a deeper walk."""
    top = tmp_path / "COVID"
    for name in ("a.png", "z.png", "patient 4/b.png", "patient 4/c.png", "patient 4/series 2/d.png", "patient 5/e.png",
                 "masks/a.png", ".cache/a.png"):
        (top / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(film, top / name)
    p = edge_classify(top, "--csv", "--model", model)
    assert p.returncode == 0 and len(list(csv.DictReader(io.StringIO(p.stdout)))) == 2, p.stderr
    assert lines(p.stderr, "warning") == [
        f"{PREFIX}warning: {top} has sub-folders with films, which edge-classify does not look into without "
        f"--recursive: 3 films in {top / 'patient 4'}, {top / 'patient 5'} were not classified (more may lie further "
        "down)"]
    assert lines(p.stderr, "summary")[0].startswith(f"{PREFIX}summary: 2 files: ")
    p = edge_classify(top, "--recursive", "--csv", "--model", model)
    assert p.returncode == 0 and not lines(p.stderr, "warning"), p.stderr
    p = edge_classify(top, top / "patient 4", top / "patient 5", "--csv", "--model", model)  # given: classified
    assert p.returncode == 0 and lines(p.stderr, "warning") == [
        f"{PREFIX}warning: {top / 'patient 4'} has sub-folders with films, which edge-classify does not look into "
        f"without --recursive: 1 film in {top / 'patient 4' / 'series 2'} was not classified"], p.stderr
    # films given by name (a shell's glob) are classified, a folder given twice is said once (review of session 58)
    p = edge_classify(top, top, *(top / "patient 4").glob("*.png"), top / "patient 5" / "e.png", "--csv", "--model", model)
    assert p.returncode == 0 and lines(p.stderr, "warning") == [
        f"{PREFIX}warning: {top} has sub-folders with films, which edge-classify does not look into without "
        "--recursive"], p.stderr  # patient 4/series 2/d.png alone is left, two levels down: walked to, not counted
    pacs = tmp_path / "pacs"  # PATIENT/STUDY/film, a PACS export: no sub-folder holds a film itself
    for name in ("a.png", "p1/study1/b.png"):
        (pacs / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(film, pacs / name)
    p = edge_classify(pacs, "--csv", "--model", model)
    assert p.returncode == 0 and lines(p.stderr, "warning") == [
        f"{PREFIX}warning: {pacs} has sub-folders with films, which edge-classify does not look into without "
        "--recursive"], p.stderr


def test_sub_folders_holding_no_film_at_any_depth_are_not_said_to_hold_films(model, film, tmp_path):
    """A folder whose sub-folders hold only folders of notes (an empty PATIENT/STUDY/ tree, reports filed by patient)
    was warned to 'have sub-folders with films' not classified: the user ran --recursive and found none."""
    top = tmp_path / "ward"
    (top / "p1" / "study1").mkdir(parents=True)
    (top / "p1" / "study1" / "notes.txt").write_text("report\n")
    shutil.copyfile(film, top / "a.png")
    p = edge_classify(top, "--csv", "--model", model)
    assert p.returncode == 0 and not lines(p.stderr, "warning"), p.stderr


def test_empty_standard_input_is_an_error(model):
    p = edge_classify("-", "--model", model, stdin="")
    assert p.returncode == 1 and p.stdout == ""
    assert lines(p.stderr, "error") == [f"{PREFIX}error: no image paths on standard input"]


def test_watch_on_an_empty_folder_keeps_waiting(model, tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "edge.cli", str(tmp_path), "--watch", "--interval", "0.1",
                             "--model", str(model)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = first_lines(proc.stderr, lambda ln: ln.startswith(f"{PREFIX}watching "))  # after the model's notes
        assert any(ln.startswith(f"{PREFIX}watching ") for ln in seen), seen
        time.sleep(1)
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out == "" and not lines(err, "error"), err


def test_a_stop_while_paths_are_read_from_stdin_is_said_as_ctrl_c(model):
    """SIGTERM while edge-classify waited for paths on stdin (find ... | edge-classify - under `timeout`)
    killed it with 143 and no line; Ctrl-C gave 130 and one."""
    proc = subprocess.Popen([sys.executable, "-m", "edge.cli", "-", "--model", str(model)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen = first_lines(proc.stderr, lambda ln: "not a medical device" in ln)  # the model is loaded, stdin read next
        assert any("not a medical device" in ln for ln in seen), seen
        time.sleep(0.5)
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and out == "" and "interrupted" in err, (proc.returncode, err)


# ---- 2. --labels on a cxr-edge file ----------------------------------------------------


def test_labels_in_another_order_are_refused(model, film):
    p = edge_classify(film, "--labels", "Normal,COVID", "--model", model)
    assert p.returncode == 2 and p.stdout == ""
    errors = lines(p.stderr, "error")
    assert len(errors) == 1 and "would swap its answers" in errors[0] and "it has COVID,Normal" in errors[0]


def test_labels_that_keep_one_class_but_move_it_are_refused(model, film):
    p = edge_classify(film, "--labels", "Healthy,COVID", "--model", model)
    assert p.returncode == 2 and "would swap its answers" in p.stderr


def test_new_labels_rename_with_one_warning_naming_both_lists(model, film):
    p = edge_classify(film, "--labels", "Positive,Negative", "--model", model)
    assert p.returncode == 0 and p.stdout.split("\t")[1] in ("Positive", "Negative")
    assert lines(p.stderr, "warning") == [f"{PREFIX}warning: --labels renames the classes stored in {model}: "
                                          "COVID,Normal -> Positive,Negative (by output position)"]


def test_the_files_own_labels_in_its_order_need_no_warning(model, film):
    p = edge_classify(film, "--labels", "COVID,Normal", "--model", model)
    assert p.returncode == 0 and lines(p.stderr, "warning") == []


# ---- 3. a cxr-edge file cut off at its end; a foreign model run without metadata ----------


@pytest.fixture(scope="module")
def damaged(model, tmp_path_factory) -> dict[str, Path]:
    data = model.read_bytes()
    d = tmp_path_factory.mktemp("damaged")
    flipped = bytearray(data)
    flipped[data.find(md.META_NAME.encode()) + 60] ^= 0xFF  # inside cxr_edge.json's compressed bytes
    out = {"cut_100": data[:-100], "cut_to_header": data[:data.find(md.META_NAME.encode()) + 20],
           "flipped": bytes(flipped)}
    for name, b in out.items():
        (d / f"{name}.tflite").write_bytes(b)
    return {name: d / f"{name}.tflite" for name in out}


@pytest.mark.parametrize("case", ["cut_100", "cut_to_header", "flipped"])
@pytest.mark.parametrize("extra", [(), ("--labels", "A,B")])
def test_damaged_cxr_edge_file_is_refused_even_with_labels(damaged, film, case, extra):
    p = edge_classify(film, "--model", damaged[case], *extra)
    assert p.returncode == 2 and p.stdout == ""
    assert lines(p.stderr, "error") == [f"{PREFIX}error: {damaged[case]}: damaged or truncated cxr-edge model file "
                                        "(its metadata cannot be read); copy it again"]
    with pytest.raises(md.ModelFileError, match="damaged or truncated"):
        md.read(damaged[case])


def test_foreign_model_with_labels_warns_once_that_it_runs_without_metadata(model, film, tmp_path):
    foreign = tmp_path / "foreign.tflite"
    foreign.write_bytes(md.read(model)[0])  # the bare flatbuffer: a valid .tflite without cxr-edge metadata
    shutil.copyfile(film, tmp_path / "copy.png")  # two films (one named twice is answered once)
    p = edge_classify(film, tmp_path / "copy.png", "--labels", "A,B", "--model", foreign)
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 2
    assert lines(p.stderr, "warning") == [f"{PREFIX}warning: {foreign} has no cxr-edge metadata: it runs with the "
                                          "--labels given but without calibration, preprocessing settings from the "
                                          "file, input check or self-test; it is given each film grey, its uniform "
                                          "borders trimmed, padded to a square, resized to the input's size, "
                                          "histogram-equalised and fed as pixel values 0..255, not scaled to 0..1 or "
                                          "-1..1 unless --input-scale says so (the grey copied into 3 channels for an RGB input)"]


# ---- 4. a Keras file given as the model --------------------------------------------------


@pytest.mark.parametrize("name", ["model.keras", "renamed.bin"])
def test_keras_file_as_model_says_convert_it_first(tiny_run, film, tmp_path, name):
    path = tmp_path / name
    path.write_bytes((tiny_run / "model.keras").read_bytes())  # by suffix, or by the zip's Keras entries
    p = edge_classify(film, "--model", path)
    assert p.returncode == 2
    errors = lines(p.stderr, "error")
    assert len(errors) == 1 and "not a TensorFlow Lite model" in errors[0]
    assert "a Keras model: convert it with cxr-convert RUN first" in errors[0]


# ---- 5. --explain into a folder that cannot be written: one error up front ---------------


@pytest.mark.parametrize("under", [False, True])
def test_explain_into_a_file_is_one_error_before_any_image(model, film, tmp_path, under):
    blocker = tmp_path / "maps"
    blocker.write_bytes(b"")
    target = blocker / "sub" if under else blocker
    p = edge_classify(film, film, "--explain", target, "--model", model)
    assert p.returncode == 2 and p.stdout == ""
    assert lines(p.stderr, "error") == [f"{PREFIX}error: --explain {target}: {blocker} is a file: give --explain a "
                                        "folder that can be written (on another disk, or your home folder)"]


def test_explain_into_an_unwritable_folder_is_one_error(model, film, tmp_path):
    locked = tmp_path / "maps"
    locked.mkdir()
    locked.chmod(0o555)
    try:  # as root, without the capability that lets root write anywhere (tests/unprivileged.py)
        p = edge_classify(film, "--explain", locked, "--model", model, as_a_user=True)
    finally:
        locked.chmod(0o755)
    assert p.returncode == 2
    assert lines(p.stderr, "error") == [f"{PREFIX}error: --explain {locked}: {locked} is not writable: give --explain "
                                        "a folder that can be written (on another disk, or your home folder)"]


# ---- 6. --json/--csv: stdout stays data, the summary goes to stderr ----------------------


@pytest.mark.parametrize("fmt", ["--json", "--csv"])
def test_machine_formats_keep_stdout_pure_and_put_the_summary_on_stderr(model, films, fmt):
    covid = sorted((films / "COVID").glob("*.png"))[:3]
    p = edge_classify(*covid, films / "missing.png", fmt, "--model", model)
    assert p.returncode == 1
    if fmt == "--json":
        records = [json.loads(ln) for ln in p.stdout.splitlines()]
    else:
        records = list(csv.DictReader(io.StringIO(p.stdout)))
    assert sorted(r["file"] for r in records) == sorted([*map(str, covid), str(films / "missing.png")])
    summary = lines(p.stderr, "summary")
    assert summary and p.stderr.splitlines()[-1] == summary[0]
    assert summary[0].startswith(f"{PREFIX}summary: 4 files: ") and ", 1 failed" in summary[0]


def test_a_file_in_the_way_of_an_output_folder_is_said_in_words(tmp_path):
    """'runs: File exists' left the user to guess that a file named runs stood where a folder must go (the test's
    own folder name holds 'file': the words are checked whole)."""
    from edge.cliutil import _plain

    blocker = tmp_path / "runs"
    blocker.write_text("not a folder")
    for make, words in ((lambda: blocker.mkdir(parents=True, exist_ok=True), "runs is a file; a folder is needed there"),
                        (lambda: (blocker / "a").mkdir(parents=True), "runs/a: a part of this path is a file, not a folder")):
        with pytest.raises(OSError) as e:
            make()
        said = _plain(e.value)
        assert "Errno" not in said and said == f"{tmp_path}/{words}", said
    assert _plain(OSError(28, "No space left on device", "run/model.keras")) == "run/model.keras: No space left on device"
    assert _plain(FileNotFoundError("RUN/run.json is missing")) == "RUN/run.json is missing"  # our own words stay


def test_an_interrupt_on_a_terminal_starts_its_message_on_a_new_line(monkeypatch, capsys):
    """Keras draws its progress bar with carriage returns on stdout: a Ctrl-C mid-bar must not
    glue 'interrupted' to it. Piped output gets no stray blank line."""
    import typer

    from edge.error_lines import one_line_errors

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    for stream, ending in ((Terminal(), "\n"), (io.StringIO(), "")):
        monkeypatch.setattr(sys, "stdout", stream)
        stream.write("Epoch 3/40\r 12/40 [=====>......")
        with pytest.raises(typer.Exit):
            with one_line_errors("cxr-train", debug=False):
                raise KeyboardInterrupt
        assert stream.getvalue() == "Epoch 3/40\r 12/40 [=====>......" + ending
    assert "cxr-train: error: interrupted" in capsys.readouterr().err


def test_with_standard_error_closed_the_answers_still_come_whole(model, film):
    """Started with 2>&-, every film failed ('NoneType' has no attribute 'flush') and that line went
    into the --json stream on standard output."""
    p = subprocess.run([sys.executable, "-m", "edge.cli", str(film), "--json", "--model", str(model)], cwd=ROOT,
                       capture_output=False, stdout=subprocess.PIPE, text=True, timeout=120,
                       preexec_fn=lambda: os.close(2))
    assert p.returncode == 0
    [answer] = [json.loads(line) for line in p.stdout.splitlines()]
    assert answer["file"] == str(film) and "label" in answer


def test_each_run_says_once_that_a_probability_is_no_chance_of_disease(model, films):
    p = edge_classify(films, "--recursive", "--model", model)
    notes = [ln for ln in lines(p.stderr, "note") if "not a medical device" in ln]
    assert len(notes) == 1 and "not this patient's chance of disease" in notes[0]


def test_version_says_which_cxr_edge_and_runtime_the_device_runs():
    """A model needing a newer cxr-edge says 'update cxr-edge on this device'; the device could not say its own."""
    from edge import __version__

    p = edge_classify("--version")
    assert p.returncode == 0 and p.stdout.startswith(f"edge-classify (cxr-edge {__version__}); runtime: ")


def test_version_with_standard_output_closed_is_an_error_not_a_silent_success():
    """`edge-classify --version >&-` printed nothing and exited 0: a script's version check passed with no
    version read. Classifying with stdout closed already refused so."""
    p = subprocess.run([sys.executable, "-m", "edge.cli", "--version"], cwd=ROOT, stdout=None, stderr=subprocess.PIPE,
                       text=True, timeout=120, preexec_fn=lambda: os.close(1))
    assert p.returncode == 2, p.stderr
    assert p.stderr.strip() == ("edge-classify: error: standard output is closed: --version has nowhere to print; "
                                "give it a file or a pipe")


def test_messages_say_what_to_do(model, film, tmp_path):
    """A missing watched folder was 'not a folder', a run folder given as --model named none of its
    .tflite files, and an image over the pixel limit gave no way forward (a helper's device walkthrough)."""
    from PIL import Image

    p = edge_classify(tmp_path / "gone", "--watch", "--model", model)
    assert p.returncode == 2 and f"--watch takes folders; no such folder: {tmp_path / 'gone'}" in p.stderr
    (tmp_path / "file.png").write_bytes(b"x")
    p = edge_classify(tmp_path / "file.png", tmp_path / "gone", "--watch", "--model", model)
    assert f"no such folder: {tmp_path / 'gone'}; not a folder: {tmp_path / 'file.png'}" in p.stderr
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(model, run / "model_int8.tflite")
    p = edge_classify(film, "--model", run)
    assert p.returncode == 2 and f"it holds model_int8.tflite: give one of them, e.g. {run / 'model_int8.tflite'}" in p.stderr
    big = tmp_path / "big.png"
    Image.new("L", (8000, 7000)).save(big)
    p = edge_classify(big, "--model", model)
    assert p.returncode == 1 and "8000 x 7000 pixels (56 megapixels), more than the limit of 50 megapixels; scale it down" in p.stderr


def test_a_rule_for_two_classes_is_said_to_take_one():
    from edge.threshold_text import parse_threshold

    with pytest.raises(ValueError, match=r"--threshold takes one CLASS=PROBABILITY \(one class's rule\)"):
        parse_threshold("COVID=0.5,Normal=0.5", ["COVID", "Normal"])


def test_a_class_whose_name_holds_an_equals_sign_can_be_given_a_threshold():
    """A class '=X' (cxr-train takes such a folder) could not be named to --threshold at all: '=X=0.3', and the CSV's
    rule cell "'=X>=0.3" typed back, were refused as 'one CLASS=PROBABILITY', the example given being '=X=0.3'."""
    from edge.threshold_text import parse_threshold

    labels = ["=X", "a=b", "Normal"]
    assert parse_threshold("=X=0.3", labels) == (0, 0.3) and parse_threshold("'=X>=0.25", labels) == (0, 0.25)
    assert parse_threshold("a=b>=0.4", labels) == (1, 0.4) and parse_threshold("Normal=0.6", labels) == (2, 0.6)
    with pytest.raises(ValueError, match=r"--threshold takes one CLASS=PROBABILITY \(one class's rule\)"):
        parse_threshold("=X=0.5,Normal=0.5", labels)


def test_a_threshold_with_another_comparison_than_at_least_is_refused_not_reversed():
    """--threshold 'COVID<=0.9' was taken as COVID>=0.9 without a word: '<' is no letter, so 'COVID<' matched COVID."""
    from convert.operating_point import parse_operating_point
    from edge.threshold_text import parse_threshold

    labels = ["COVID", "Normal"]
    for text in ("COVID<=0.9", "COVID<0.9=", "COVID!=0.9", "COVID >>=0.9", "<COVID=0.9"):
        with pytest.raises(ValueError, match=r"^--threshold takes CLASS=PROBABILITY or CLASS>=PROBABILITY, e\.g\. COVID=0\.3; "
                                             r"got .*: a rule has no other comparison \(it gives the class whenever its "
                                             r"probability reaches the threshold\)$"):
            parse_threshold(text, labels)
    assert parse_threshold("COVID>=0.151267394", labels) == (0, 0.151267394)  # the rule as the tools print it
    assert parse_threshold("Normal >= 0.4", labels) == (1, 0.4) and parse_threshold("covid=0.2", labels) == (0, 0.2)
    with pytest.raises(ValueError, match=r"^--operating-point takes CLASS=SENSITIVITY or CLASS>=SENSITIVITY"):
        parse_operating_point("COVID<=0.95", labels)
    assert parse_threshold("A<B=0.3", ["A<B", "C"]) == (0, 0.3)  # a class named so is still that class


def test_a_threshold_above_one_half_is_said_to_find_fewer_films_not_more(model, film):
    """--help said a threshold 'trades specificity for sensitivity'; above 0.5 it does the reverse, and a file whose
    stored rule did so said only 'chosen for 0.95 sensitivity', which reads as a rule that finds more."""
    p = edge_classify(film, "--model", model, "--threshold", "COVID=0.6")
    assert p.returncode == 0, p.stderr
    assert ("note: COVID>=0.6 is above 0.5: it gives COVID less often than the most probable class does (a film can be "
            "most probably COVID below it), so it finds fewer COVID films, not more") in p.stderr
    assert "above 0.5" not in edge_classify(film, "--model", model, "--threshold", "COVID=0.3").stderr
    help_text = " ".join(edge_classify("--help").stdout.split())
    assert "a P above 0.5 does the reverse, fewer" in help_text


def test_json_help_and_docs_name_every_field_of_an_error_line(capsys):
    """A film refused by its DICOM header under --refuse-atypical carries "atypical": true and "header_says" on its
    error line; --help's and docs/commands.md's error form named neither or only the first, and a script reading
    the documented {file, error} shape never learnt why the film was refused (hunt 59)."""
    from edge.batch import Result
    from edge.output import writer_for

    says = "the DICOM header says ViewPosition LL: a lateral view, not a frontal chest film"
    writer_for(["COVID", "Normal"], 1, "json", stamped=True, written=lambda f: {"bytes": 1})(
        Result("lat.dcm", error=f"refused: {says}", atypical=True, header_says=says))
    fields = set(json.loads(capsys.readouterr().out))
    assert {"atypical", "header_says"} <= fields
    help_text = " ".join(edge_classify("--help").stdout.split())
    error_form = help_text.split("} or {", 1)[1].split("}", 1)[0]  # --json's help: {answer fields} or {error fields}
    assert all(f in error_form for f in fields), (fields, error_form)
    docs = " ".join((ROOT / "docs" / "commands.md").read_text(encoding="utf-8").split())
    error_form = docs[docs.index('or `{"file", "error"}`'):].split("- A probability", 1)[0]
    assert all(f'"{f}"' in error_form for f in fields), (fields, error_form)


def test_the_above_one_half_note_prints_the_threshold_as_the_rule_column_does(model, film):
    """The note rounded the threshold to 4 digits (COVID>=0.5555 for a typed 0.55555, 0.9999 for 0.999999999)
    while the CSV's rule column and README print it as typed, or to 9 digits rounded down."""
    for typed in ("0.55555", "0.999999999"):
        p = edge_classify(film, "--model", model, "--threshold", f"COVID={typed}", "--csv")
        assert p.returncode == 0, p.stderr
        assert f"note: COVID>={typed} is above 0.5:" in p.stderr
        assert next(csv.DictReader(io.StringIO(p.stdout)))["rule"] == f"COVID>={typed}"


def test_no_usable_runtime_is_said_plainly_by_every_command_that_loads_a_tflite(model_dir, tmp_path, monkeypatch):
    """cxr-evaluate and cxr-compare said 'unexpected RuntimeMissing: ... (--debug shows the traceback)', and
    `edge-classify --version` said 'no TFLite runtime installed' where one was installed but not usable."""
    import numpy as np
    from PIL import Image
    from typer.testing import CliRunner

    from convert.compare_cli import compare_app
    from convert.evaluate_cli import evaluate_app
    from edge.cli import app as edge_app

    for c in ("COVID", "Normal"):
        (tmp_path / "set" / c).mkdir(parents=True)
        Image.fromarray(np.full((64, 64), 99, np.uint8)).save(tmp_path / "set" / c / "a.png")
    model = str(model_dir / "compact" / "model_int8.tflite")
    monkeypatch.setenv("CXR_EDGE_RUNTIME", "no_such_runtime")
    for app, args in ((evaluate_app, [model, str(tmp_path / "set"), "--out", str(tmp_path / "e")]),
                      (compare_app, [model, model, str(tmp_path / "set"), "--out", str(tmp_path / "c")])):
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 2 and "error: CXR_EDGE_RUNTIME='no_such_runtime' is not one of" in r.output, r.output
        assert "unexpected" not in r.output
    r = CliRunner().invoke(edge_app, ["--version"])
    assert r.exit_code == 0 and "runtime: none usable (CXR_EDGE_RUNTIME='no_such_runtime' is not one of" in r.output


def test_the_version_said_is_the_version_installed():
    """pyproject.toml said 0.30.0 while edge/__init__.py still said 0.29.0: --version and every report.json gave the
    old number, and a benchmark reused reports of the old code as current."""
    import re
    from pathlib import Path

    from edge import __version__

    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1) == __version__


def test_a_flagged_film_is_warned_with_the_files_own_flag_rate():
    """The warning said 'about 1 ordinary film in 100 is flagged too' whatever the file: a small training set's
    check flagged 4.2% of its own validation films, and more of a new site's."""
    from edge.model_notes import flagged_too

    assert flagged_too({"typicality": {"flagged_validation": 0.042}}) == (
        "it flagged 4.2% of its own validation films too, often more of another site's")
    # 'it flagged 0.0% of its own validation films too' (hunt 58, nits): none is said as none, on the card as well
    from edge.input_check_words import input_check_line

    none = "it flagged none of its own validation films, though it may flag ordinary films of another site"
    assert flagged_too({"typicality": {"flagged_validation": 0.0}}) == none
    assert input_check_line({"typicality": {"flagged_validation": 0.0}}).endswith(f"; {none}.")
    assert flagged_too({}) == flagged_too({"typicality": {"flagged_validation": float("nan")}}) == (
        "some ordinary films are flagged too")


def test_an_error_line_escapes_control_characters_of_a_path_as_typed(tmp_path, capsys):
    """`edge-classify x.png --model $'a\\e[2Jb.tflite'` quoted the path as given: its ESC sequence ran on the terminal
    (clearing the screen, the error line with it). Every command's one-line errors go through fail()."""
    from edge.cliutil import fail

    p = subprocess.run([sys.executable, "-m", "edge.cli", str(tmp_path / "x.png"), "--model", "a\x1b[2Jb.tflite"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.returncode == 2 and "\x1b" not in p.stderr and "a\\u001b[2Jb.tflite" in p.stderr, p.stderr
    fail("cxr-train", "no such folder: d\u202eir\nsecond line\tend")
    assert capsys.readouterr().err == "cxr-train: error: no such folder: d\\u202eir\nsecond line\\u0009end\n"
