"""--class-map's folder names reach stderr quoted (edge.output.said_name), as the data folder's path already did:
a class folder on disk named with a newline and an ESC (matched to the model's class Normal, since classes are
matched ignoring punctuation) printed raw in cxr-evaluate's warning on leaving it out, and a typed --class-map name
with a newline printed raw in its 'no such folder' warning (cxr-evaluate's and cxr-train's --add-data) and
in its 'maps the folder twice' refusal; the newline broke the line in two (its second half read as a line of its own, 'FORGED: ...'). A plain name prints as before
(tests/test_left_out.py, tests/test_class_names_pinned.py)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from edge.output import said_name

FOLDER = "Nor\nFORGED: ok\x1bmal"  # same_class_key: "norforgedokmal", no class
NORMAL = "Nor\n\x1bmal"  # same_class_key: 'normal', the model's class Normal


def _clean(text: str) -> None:
    assert not any(ch in text for ch in "\x1b\r\t\x00"), text
    assert not any(line.startswith("FORGED") for line in text.split("\n")), text


def _site_items(root: Path, class_map: str) -> tuple[str, list[str]]:
    from convert.site_folders import site_items

    err, warnings = io.StringIO(), []
    with contextlib.redirect_stderr(err):
        try:
            site_items(root, ["COVID", "Normal"], class_map, "cxr-evaluate", quiet=True, warnings=warnings)
        except Exception:  # the films here are no images: only the warnings about the folders matter
            pass
    return err.getvalue(), warnings


def test_a_left_out_folder_of_the_models_class_is_named_on_one_line(tmp_path):
    for folder in ("COVID", NORMAL):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.png").write_bytes(b"x")
    err, warnings = _site_items(tmp_path, "normal=-")
    _clean(err)
    said = [w for w in warnings if "is the model's class Normal" in w]
    assert said == [f"--class-map {said_name(NORMAL)}=-: {said_name(NORMAL)} is the model's class Normal: its films "
                    "are in no figure, so that class's sensitivity goes unmeasured and the other classes' specificity "
                    f"is judged without them; leave {said_name(NORMAL)} out of --class-map to score it"]
    assert "\\n" in said[0] and "\n" not in said[0]


def test_a_typed_class_map_folder_that_is_not_there_is_named_on_one_line(tmp_path):
    for folder in ("COVID", "Normal"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.png").write_bytes(b"x")
    err, _ = _site_items(tmp_path, f"{FOLDER}=-")
    _clean(err)
    line = next(line for line in err.splitlines() if "no class folder of" in line)
    assert line.startswith(f"cxr-evaluate: warning: --class-map {said_name(FOLDER)}=-: ")
    assert f"is named {said_name(FOLDER)} (its folders: COVID, Normal); ignored" in line


def test_a_folder_mapped_twice_is_named_on_one_line():
    from train.class_names import parse_class_map

    with pytest.raises(ValueError) as e:
        parse_class_map(f"{FOLDER}=Normal,{FOLDER.upper()}=COVID")
    _clean(str(e.value))
    assert str(e.value) == (f"--class-map maps the folder {said_name(FOLDER.upper())} twice, to Normal and to COVID; "
                            "give it once")


def test_cxr_trains_add_data_names_a_typed_class_map_folder_that_is_not_there_on_one_line(tmp_path):
    """cxr-train's --add-data says the same warning (train.extra_data), raw before."""
    from train.extra_data import add_folders
    from train.synthetic_set import generate

    main, site = tmp_path / "main", tmp_path / "site"
    generate(main, n_per_class=4, size=(32, 32), seed=0)
    generate(site, n_per_class=4, size=(32, 32), seed=1)
    said: list[str] = []
    add_folders([], main, [str(site)], ["COVID", "Normal"], said.append, f"{FOLDER}=-")
    _clean("\n".join(said))
    assert f"warning: --class-map {said_name(FOLDER)}=-: no class folder of {site} is named {said_name(FOLDER)}; ignored" in said
