"""README.md's Layout names every module of the packages and benchmarks, and no module that is gone.

The Layout block is how a reader finds where a behaviour lives; six modules added since it was last
checked (edge/members.py, convert/site_flagged.py, ...) were missing from it, and nothing said so."""

from __future__ import annotations

import fnmatch
import re

import pytest

from tests.markdown_links import ROOT

FOLDERS = ("edge", "train", "convert", "benchmarks", "scripts")
# a module's name, with the folder it lies in where the text gives one ("train/entry.py"); "synthetic*.py" names a family
_NAME = re.compile(r"(?:\b(edge|train|convert|benchmarks|scripts|tests|docs)/)?([A-Za-z0-9_*-]+\.(?:py|sh))\b")


def layout_names(readme: str) -> dict[str, set[str]]:
    """Each folder's module names as README.md's Layout block gives them: bare names under the folder's own
    heading line, and names written with their folder ("convert/entry.py") wherever they stand."""
    block = readme[re.search(r"^## Layout$", readme, re.M).start():]
    block = block[block.index("```") + 3:]
    block = block[:block.index("```")]
    named: dict[str, set[str]] = {folder: set() for folder in FOLDERS}
    current = None
    for line in block.splitlines():
        if head := re.match(r"^([a-z]+)/\s", line):
            current = head.group(1)
        for folder, name in _NAME.findall(line):
            if (where := folder or current) in named:
                named[where].add(name)
    return named


def unnamed_and_gone(readme: str, root=ROOT) -> tuple[list[str], list[str]]:
    """(modules on disk that the Layout never names, names in the Layout that match no module)."""
    named = layout_names(readme)
    unnamed, gone = [], []
    for folder in FOLDERS:
        files = {p.name for p in (root / folder).iterdir() if p.suffix in (".py", ".sh")} - {"__init__.py"}
        covered = set()
        for name in named[folder]:
            matches = set(fnmatch.filter(files, name))
            covered |= matches
            if not matches:
                gone.append(f"{folder}/{name}")
        unnamed += [f"{folder}/{f}" for f in sorted(files - covered)]
    return unnamed, sorted(gone)


def test_layout_names_every_module_and_no_gone_one():
    assert unnamed_and_gone((ROOT / "README.md").read_text(encoding="utf-8")) == ([], [])


@pytest.mark.parametrize("line, folder, name", [
    ("  entry.py  where they start (train/entry.py, convert/entry.py too)", "convert", "entry.py"),
    ("  synthetic*.py  the synthetic set", "train", "synthetic*.py"),
])
def test_a_name_counts_for_its_own_folder(line, folder, name):
    readme = f"## Layout\n\n```\n{'edge' if folder == 'convert' else folder}/  x\n{line}\n```\n"
    assert name in layout_names(readme)[folder]


def test_a_missing_and_a_gone_module_are_found(tmp_path):
    for folder in FOLDERS:
        (tmp_path / folder).mkdir()
    (tmp_path / "edge" / "kept.py").write_text("")
    (tmp_path / "edge" / "new.py").write_text("")
    readme = "## Layout\n\n```\nedge/  device\n  kept.py  x   old.py  y\n```\n"
    assert unnamed_and_gone(readme, tmp_path) == (["edge/new.py"], ["edge/old.py"])
