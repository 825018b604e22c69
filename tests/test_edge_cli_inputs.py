"""What edge-classify is given, and refuses in one line: paths on standard input (Windows line
ends, NUL-separated as from find -print0, a folder without images), --labels that would merge or
blank out classes, a foreign .tflite with a dynamic input shape, and --threads beyond any use.
Real tiny model (tests/conftest.py's tiny_run), a fresh edge-classify process per case."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from edge import metadata as md
from edge.inputs import stdin_paths
from edge.runtime import MAX_THREADS
from tests.test_edge_cli_messages import PREFIX, edge_classify, film, films, lines  # noqa: F401 (fixtures)


@pytest.fixture
def named(film, tmp_path) -> dict[str, Path]:
    """Copies of one film under awkward names: a space, a newline, a tab."""
    out = {}
    for key, name in {"space": "with space.png", "newline": "nl\nname.png", "tab": "tab\tname.png"}.items():
        out[key] = tmp_path / name
        shutil.copyfile(film, out[key])
    return out


# ---- 1. paths on standard input ----------------------------------------------------------


def test_stdin_paths_take_windows_line_ends_and_nul_separators():
    assert stdin_paths("a b.png\r\nc.png\r\n\r\n") == ["a b.png", "c.png"]
    assert stdin_paths("x\ny.png\0z.png\0") == ["x\ny.png", "z.png"]
    assert stdin_paths("a.png\nb.png") == ["a.png", "b.png"]


def test_windows_line_ends_on_stdin_are_no_part_of_the_name(model, named):
    p = edge_classify("-", "--model", model, stdin=f"{named['space']}\r\n")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split("\t")[0] == str(named["space"])


def test_nul_separated_paths_on_stdin_as_find_print0_gives_them(model, named):
    p = edge_classify("-", "--json", "--model", model, stdin="".join(f"{f}\0" for f in named.values()))
    assert p.returncode == 0, p.stderr
    import json

    assert [json.loads(ln)["file"] for ln in p.stdout.splitlines()] == [str(f) for f in named.values()]


@pytest.mark.parametrize("redirect, says", [("<&-", "standard input is closed: no image paths to read from '-'"),
                                              ("0>/dev/null", "standard input cannot be read: bad file descriptor")])
def test_a_list_from_a_closed_standard_input_is_refused_in_words(model, redirect, says):
    """Under cron or a service unit that closes standard input, '-' said "unexpected AttributeError:
    'NoneType' object has no attribute 'read'"."""
    import subprocess
    import sys

    p = subprocess.run(["bash", "-c", f'exec "$@" {redirect}', "_", sys.executable, "-m", "edge.cli", "-", "--json",
                        "--model", str(model)], cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2 and p.stdout == "", p.stderr
    errors = lines(p.stderr, "error")
    assert len(errors) == 1 and errors[0].startswith(f"{PREFIX}error: {says}"), p.stderr


@pytest.mark.parametrize("on_stdin", [False, True])
def test_a_folder_without_images_among_other_inputs_is_a_failed_input(model, named, tmp_path, on_stdin):
    empty = tmp_path / "empty"
    empty.mkdir()
    given = [str(empty), str(named["space"])]
    p = edge_classify("-", "--model", model, stdin="\n".join(given)) if on_stdin else edge_classify(*given, "--model", model)
    assert p.returncode == 1
    assert p.stdout.split("\t")[0] == str(named["space"])
    assert f"{PREFIX}{empty}: no images found in this folder" in p.stderr.splitlines()
    assert "2 files: " in lines(p.stderr, "summary")[0] and ", 1 failed" in p.stderr


# ---- 3. --labels that would merge or blank out classes -------------------------------------


@pytest.fixture(scope="module")
def foreign(model, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("foreign") / "foreign.tflite"
    path.write_bytes(md.read(model)[0])  # the bare flatbuffer: a valid .tflite without cxr-edge metadata
    return path


@pytest.mark.parametrize("given, says", [("A,A", "A given twice"), ("Covid,COVID", "Covid given twice"),
                                         (",", "has an empty item"), ("A,", "has an empty item"),
                                         (" ,B", "has an empty item")])
def test_labels_with_a_name_twice_or_empty_are_refused(foreign, film, given, says):
    p = edge_classify(film, "--labels", given, "--json", "--model", foreign)
    assert p.returncode == 2 and p.stdout == ""
    errors = lines(p.stderr, "error")
    assert len(errors) == 1 and says in errors[0] and "--labels" in errors[0], p.stderr


# ---- 4. a foreign model whose input takes any size ------------------------------------------


@pytest.fixture(scope="module")
def dynamic_models(tmp_path_factory) -> dict[str, Path]:
    """Keras Input((None, None, 1)) through TFLiteConverter: one that the runtime allocates (its
    "shape" then reads (1, 1, 1, 1)), one whose allocation fails (a valid 3x3 convolution)."""
    from train.quiet import load_tensorflow

    load_tensorflow()
    import keras

    from convert.export import convert

    keras.utils.set_random_seed(0)
    d = tmp_path_factory.mktemp("dynamic")
    out = {}
    for name, middle in {"pooled": [], "conv": [keras.layers.Conv2D(4, 3, activation="relu")]}.items():
        m = keras.Sequential([keras.Input((None, None, 1)), *middle, keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(2)])
        out[name] = d / f"{name}.tflite"
        out[name].write_bytes(convert(m, "fp32"))
    return out


@pytest.mark.parametrize("case", ["pooled", "conv"])
def test_a_dynamic_input_shape_is_said_to_be_one(dynamic_models, film, case):
    p = edge_classify(film, "--labels", "A,B", "--model", dynamic_models[case])
    assert p.returncode == 2 and p.stdout == ""
    assert lines(p.stderr, "error") == [f"{PREFIX}error: {dynamic_models[case]}: its input shape (-1, -1, -1, 1) is "
                                        "dynamic (-1: any size); edge-classify needs a fixed input of (1, size, size, "
                                        "1 or 3): convert the model with a fixed image size"]


# ---- 7. --threads beyond any use -------------------------------------------------------------


def test_threads_above_the_cap_are_a_usage_error(model, film):
    p = edge_classify(film, "--threads", 100000, "--model", model)
    assert p.returncode == 2 and p.stdout == ""
    errors = lines(p.stderr, "error")
    assert len(errors) == 1 and errors[0].startswith(f"{PREFIX}error: --threads 100000: at most {MAX_THREADS} ")


def test_threads_at_the_cap_still_run(model, film):
    p = edge_classify(film, "--threads", MAX_THREADS, "--model", model)
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 1, p.stderr


def test_jpegs_and_netpbm_files_under_their_other_names_are_films_in_a_folder():
    from edge.film_files import is_image_name

    assert all(is_image_name(n) for n in ("a.jfif", "b.JPE", "c.pgm", "d.ppm", "e.pnm", "f.jp2"))
    assert not is_image_name("notes.txt") and not is_image_name(".hidden.jfif")


def test_a_recursive_folder_gives_its_films_in_the_order_sort_gives_their_paths(tmp_path):
    """In the walk's own order a folder's films came before its sub-folders' ('b.png' before 'a/x.png'): the answers
    of a --recursive batch no longer matched `sort`, nor a CSV of the same study diffed run to run."""
    from edge.batch import expand_inputs
    from edge.film_files import image_files

    for name in ("a/x.png", "b.png", "a/c/y.png", "a/z.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    listed = image_files(tmp_path, recursive=True)
    assert [str(Path(p).relative_to(tmp_path)) for p in listed] == ["a/c/y.png", "a/x.png", "a/z.png", "b.png"]
    assert expand_inputs([str(tmp_path)], recursive=True) == (listed, [])


def test_a_film_whose_name_ends_in_a_space_is_classified_from_its_folder(model, film, tmp_path):
    """'y.png ' was classified when named, and skipped without a word when its folder was given."""
    from edge.film_files import is_image_name

    assert is_image_name("y.png ") and is_image_name("y.PNG\t") and not is_image_name("notes.txt ")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(film, folder / "y.png ")
    p = edge_classify(folder, "--model", model)
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 1 and "y.png " in p.stdout, p.stderr


# ---- 5. inputs that overlap ---------------------------------------------------------------


def test_a_film_named_twice_by_overlapping_inputs_is_answered_and_counted_once(model, film, tmp_path):
    """A folder and its sub-folder under --recursive, a folder given twice or a file and its folder answered the
    shared films again: 'summary: 5 files' for 3 films, and a second map NAME-2.png under --explain."""
    import csv
    import io
    import json

    top = tmp_path / "w3"
    (top / "sub").mkdir(parents=True)
    for dest in (top / "a.png", top / "sub" / "b.png", top / "sub" / "c.png"):
        shutil.copyfile(film, dest)
    p = edge_classify(top, top / "sub", f"{top}/../{top.name}/", "--recursive", "--json", "--model", model, "--explain",
                      tmp_path / "maps")
    assert p.returncode == 0, p.stderr
    answers = [json.loads(ln) for ln in p.stdout.splitlines()]
    assert [a["file"] for a in answers] == [str(top / "a.png"), str(top / "sub" / "b.png"), str(top / "sub" / "c.png")]
    assert all(not a["map"].endswith("-2.png") for a in answers) and len(list((tmp_path / "maps").iterdir())) == 3
    assert lines(p.stderr, "summary")[0].startswith(f"{PREFIX}summary: 3 files")
    assert (f"{PREFIX}note: 5 names given again by the inputs (a folder given twice, a folder and its sub-folder, a "
            "file and its folder) are left out: each is answered once, where first named") in p.stderr  # w3/../w3/ is w3
    p = edge_classify(top / "a.png", top / "sub" / ".." / "a.png", top, "--csv", "--model", model)
    assert p.returncode == 0, p.stderr
    assert [r["file"] for r in csv.DictReader(io.StringIO(p.stdout))] == [str(top / "a.png")]
    assert f"{PREFIX}note: 2 names given again" in p.stderr
    p = edge_classify(top / "a.png", top / "a.png", "--csv", "--model", model)  # '1 name(s) ... are left out: each'
    assert p.returncode == 0 and len(list(csv.DictReader(io.StringIO(p.stdout)))) == 1, p.stderr
    assert (f"{PREFIX}note: 1 name given again by the inputs (a folder given twice, a folder and its sub-folder, a "
            "file and its folder) is left out: it is answered once, where first named") in p.stderr


def test_a_link_to_a_film_in_its_folder_is_a_name_of_its_own(model, film, tmp_path):
    """Resolved, alias.png -> a.png hid a.png's own answer (alias sorted first) and blamed 'inputs given more than
    once' for one folder given once; a watch answers both names, and so did 0.33.0."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copyfile(film, folder / "b.png")
    (folder / "a.png").symlink_to("b.png")
    p = edge_classify(folder, "--model", model)
    assert p.returncode == 0, p.stderr
    assert [ln.split("\t")[0] for ln in p.stdout.splitlines()] == [str(folder / "a.png"), str(folder / "b.png")]
    assert "given again" not in p.stderr
