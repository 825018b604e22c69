"""Files another platform's tools left unusable as they stand are said, never lost in silence: films
without an image suffix in a class folder (counted once, in cxr-evaluate's report too), and a Windows
archive unpacked with its backslashes kept in the names (``COVID\\img.png``), which was told to give the
folder's parent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from convert.site_folders import site_items
from train.data import DataError
from train.discovery import discover

from tests.test_discovery_links_masks import films


def without_suffixes(data: Path) -> Path:
    """COVID/ with two films that lost their suffix beside the known leftovers that are no films;
    Other/ (left out by --classes) with one more."""
    films(data / "COVID")
    films(data / "Normal")
    films(data / "Other")
    covid = data / "COVID"
    shutil.copyfile(covid / "film-0.png", covid / "film9")  # a de-identification tool's bare name
    shutil.copyfile(covid / "film-1.png", covid / "film8.png.1")  # wget's second copy
    shutil.copyfile(covid / "film-0.png", data / "Other" / "film7")
    for leftover in ("Thumbs.db", "desktop.ini", "film-0.png~", "film-1.png:Zone.Identifier", ".film6", "notes.txt"):
        (covid / leftover).write_bytes(b"not a film")
    return data


def test_files_without_an_image_suffix_are_counted_once_with_an_example(tmp_path):
    data = without_suffixes(tmp_path / "data")
    said: list[str] = []
    items, _, _ = discover(data, ["COVID", "Normal"], log=said.append)
    assert len(items) == 4
    assert said == [f"warning: 2 files in the class folders of {data} were passed over (COVID 2): images with no image "
                    "suffix such as .png, .jpg, .dcm (e.g. a PNG named COVID/film8.png.1); no figure counts them: give "
                    "each its image suffix to use it"]
    said.clear()
    discover(data, ["Normal", "Other"], log=said.append)
    assert len(said) == 1 and said[0].startswith("warning: 1 file in the class folders") and "was passed over (Other 1)" \
        in said[0] and "an image with no image suffix such as .png, .jpg, .dcm (a PNG named Other/film7); no figure " \
        "counts it: give it its image suffix" in said[0]  # one film: not 'images ... e.g. ... give each'
    said.clear()
    discover(data, ["Normal"], min_classes=1, log=said.append)
    assert said == []  # nothing passed over among the classes used


def test_ordinary_files_without_a_suffix_are_not_counted_as_films_that_lost_it(tmp_path):
    """macOS's Icon\\r, a Windows shortcut, checksum lists and an .rtf beside the films were counted as films that lost
    their suffix: the user was told films were missing where none were. Only an image format's first bytes count."""
    from PIL import Image

    data = tmp_path / "data"
    films(data / "COVID")
    films(data / "Normal")
    covid = data / "COVID"
    (covid / "Icon\r").write_bytes(b"")                                    # its icon lives in the resource fork
    (covid / "film.lnk").write_bytes(b"L\0\0\0\x01\x14\x02\0" + b"\0" * 68)   # a Windows shortcut
    (covid / "SHA256SUMS").write_text("ab12" * 16 + "  film-0.png\n")
    (covid / "film-0.png.md5").write_text("cd34" * 8 + "  film-0.png\n")
    (covid / "notes.rtf").write_text("{\\rtf1\\ansi ward 3}")
    (covid / "BMW service.docx.1").write_text("BMW service due\n")          # starts "BM": no bitmap for that
    Image.open(covid / "film-0.png").convert("L").save(covid / "scan", format="JPEG")  # a film that lost its suffix
    said: list[str] = []
    discover(data, ["COVID", "Normal"], log=said.append)
    assert said == [f"warning: 1 file in the class folders of {data} was passed over (COVID 1): an image with no image "
                    "suffix such as .png, .jpg, .dcm (a JPEG named COVID/scan); no figure counts it: give it its "
                    "image suffix to use it"]


def test_a_name_the_passed_over_warning_gives_is_one_line_of_text(tmp_path):
    """The warning printed a film's name as it is: a \\r (macOS's Icon\\r) erased the line on a terminal, and an
    undecodable byte went into the report's warnings as a lone surrogate."""
    import os

    data = tmp_path / "data"
    films(data / "COVID")
    films(data / "Normal")
    shutil.copyfile(data / "COVID" / "film-0.png", data / "COVID" / "Icon\r")
    said: list[str] = []
    discover(data, ["COVID", "Normal"], log=said.append)
    assert len(said) == 1 and '(a PNG named "COVID/Icon\\r")' in said[0]
    (data / "COVID" / "Icon\r").unlink()
    shutil.copyfile(data / "COVID" / "film-0.png", os.path.join(os.fsencode(data / "COVID"), b"caf\xe9"))
    said.clear()
    discover(data, ["COVID", "Normal"], log=said.append)
    assert len(said) == 1 and "(a PNG named COVID/caf\\xe9)" in said[0]
    said[0].encode("utf-8")  # valid text


def test_cxr_evaluate_puts_the_count_in_its_reports_warnings(tiny_run, tmp_path):
    from convert.evaluate_cli import evaluate_app

    data = tmp_path / "site"
    shutil.copytree(Path(json.loads((tiny_run / "split.json").read_text())["data_dir"]), data,
                    ignore=shutil.ignore_patterns("MANIFEST.csv"))
    first = sorted((data / "COVID").glob("*.png"))[0]
    first.rename(first.with_suffix(""))
    out = tmp_path / "report"
    r = CliRunner().invoke(evaluate_app, [str(tiny_run / "model_int8.tflite"), str(data), "--keep-seen", "--out", str(out),
                                          "--n-boot", "100", "--explain", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    warnings = json.loads((out / "report.json").read_text())["data_warnings"]
    assert [w for w in warnings if "passed over" in w] == [
        f"1 file in the class folders of {data} was passed over (COVID 1): an image with no image suffix such as .png, "
        f".jpg, .dcm (a PNG named COVID/{first.stem}); no figure counts it: give it its image suffix to use it"]


def backslashed(folder: Path) -> Path:
    """What Python's zipfile makes of a zip written on Windows: COVID\\film-0.png as one name."""
    for label in ("COVID", "Normal"):
        for p in films(folder / "tmp" / label):
            p.rename(folder / f"{label}\\{p.name}")
    shutil.rmtree(folder / "tmp")
    return folder


@pytest.mark.parametrize("name", ["bs", "COVID"])  # COVID: named as a class folder, once said to be one class's
def test_names_holding_backslashes_say_how_the_archive_was_unpacked(tmp_path, name):
    data = backslashed(tmp_path / name)
    want = (f"{data} holds no class folders but 4 files whose names hold backslashes (e.g. COVID\\film-0.png): an "
            "archive made on Windows was unpacked with its backslashes kept in the names, so its folders (COVID, "
            "Normal) were never made; unpack it again with unzip or 7-Zip, or move each file into the folder its name "
            "begins with")
    with pytest.raises(DataError) as e:
        discover(data, log=lambda m: None)  # cxr-train
    assert str(e.value) == want
    with pytest.raises(DataError) as e:
        site_items(data, ["COVID", "Normal"], None, "cxr-evaluate", quiet=True)
    assert str(e.value) == want


def test_an_image_format_is_told_by_its_header_not_by_two_letters():
    """A text file that starts "BM" or "P2 " (a note: 'P2 notes for ward 3') was taken for a bitmap or a PGM, and
    counted as a film that lost its suffix."""
    from edge.image_magic import image_format

    assert image_format(b"P5\n64 64\n255\n\x00") == "PGM" and image_format(b"P6\n# gimp\n10 20\n255\n") == "PPM"
    assert image_format(b"P2 notes for ward 3") is None and image_format(b"BMW service due\n") is None
    assert image_format(b"P2 3 4 beds free on ward 3") is None  # two numbers, then words: no largest value


def test_folder_names_in_class_map_lines_are_said_as_text(tmp_path, capsys):
    """cxr-evaluate's lines on --class-map named folders as they were: a folder named with ESC c reset the terminal
    of whoever ran it ('folder ...: left out', and the list of folders a map name matched none of)."""
    data = tmp_path / "data"
    films(data / "COVID")
    films(data / "Normal")
    films(data / "Other\x1bc")
    site_items(data, ["COVID", "Normal"], "Other\x1bc=-,Nothing=COVID", "cxr-evaluate")
    err = capsys.readouterr().err
    assert "folder " in err and "its folders:" in err and "\x1b" not in err, err


def test_archives_left_unpacked_in_or_beside_the_class_folders_are_said(tmp_path, capsys):
    """COVID.zip beside the class folders and Normal/more films.zip were passed over without a word, and a data folder
    holding only archive.zip said 'found none' without naming it."""
    import zipfile

    (tmp_path / "zipped").mkdir()
    with zipfile.ZipFile(tmp_path / "zipped" / "archive.zip", "w") as z:
        z.writestr("COVID/a.png", b"")
    with pytest.raises(DataError, match=r"found none: .*; archive\.zip there is an archive, not read: unpack it$"):
        discover(tmp_path / "zipped")
    with pytest.raises(DataError, match=r"archive\.zip there is an archive, not read: unpack it$"):  # cxr-evaluate's
        site_items(tmp_path / "zipped", ["COVID", "Normal"], None, "cxr-evaluate", quiet=True)
    data = tmp_path / "data"
    films(data / "COVID")
    films(data / "Normal")
    shutil.copy(tmp_path / "zipped" / "archive.zip", data / "COVID.zip")
    said: list[str] = []
    discover(data, log=said.append)
    assert f"warning: COVID.zip in {data}: an archive, not read; unpack it" in said, said
    shutil.copy(tmp_path / "zipped" / "archive.zip", data / "Normal" / "more films.zip")
    said.clear()
    items, _ = site_items(data, ["COVID", "Normal"], None, "cxr-evaluate", quiet=True)
    assert not any(i.path.endswith(".zip") for i in items)
    assert f"cxr-evaluate: warning: 2 archives in {data} (e.g. COVID.zip) were not read; unpack them" in \
        capsys.readouterr().err.splitlines()
