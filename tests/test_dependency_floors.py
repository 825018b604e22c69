"""The oldest releases pyproject.toml lets a device install must work: pip keeps what a Pi has already (a venv made
with --system-site-packages, an earlier install), so a floor is what some device runs. Hunt 60 installed each floor
beside a Python 3.11 tflite-runtime 2.14 (Makefile's test-floors lane runs this file so) and found two that did not:

- typer 0.16 (and up to 0.17.4) with the click pip picks beside it (8.3 or later) passed a missing --model to the
  command as None: `edge-classify scans/` said "unexpected TypeError ... not NoneType" instead of click's usage
  error. Below 0.26 typer runs on whatever click is installed (0.18-0.25 warn that click 9 removes names they
  import); 0.26 carries its own.
- pydicom 3.0.0 fetched five example files from the internet at every `import pydicom` (pydicom issue 2131):
  offline, as a hospital's device is, each run that met a DICOM film waited 105 s and printed 15 retry lines to
  standard output, among the --json and --csv answers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _requirements() -> list[Requirement]:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 on: a device's 3.10 still runs the test that runs edge

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    return [Requirement(r) for r in names]


def _specifiers(name: str) -> list[SpecifierSet]:
    found = [r.specifier for r in _requirements() if r.name == name]
    assert found, name
    return found


def test_the_floors_leave_out_the_releases_that_broke_edge_classify():
    for spec in _specifiers("typer"):
        assert not spec.contains("0.25.1") and spec.contains("0.26.0"), spec
    for spec in _specifiers("pydicom"):  # the [dicom] extra and the [test] one
        assert not spec.contains("3.0.0") and spec.contains("3.0.1"), spec


def test_the_hand_installs_ask_for_what_pyproject_asks_for():
    """README's install for 32-bit Pi OS and the Makefile's device lanes name the releases by hand: a floor raised in
    pyproject.toml alone would leave them installing what it left out, and the floors lane must pin releases pip
    may install, typer's and pydicom's the lowest."""
    (typer,) = {str(s) for s in _specifiers("typer")}
    wanted = ",".join(sorted(typer.split(","), reverse=True))  # '>=0.26,<0.29', as the files write it
    for name in ("README.md", "Makefile"):
        given = re.findall(r"'typer([<>][^']*)'", (ROOT / name).read_text())
        assert given and set(given) == {wanted}, (name, given, wanted)
    floors = re.search(r"^FLOORS := (.*)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    pins = dict(re.findall(r"'([a-z-]+)==([^']+)'", floors))
    assert {"numpy", "pillow", "typer", "pydicom"} <= pins.keys(), pins
    for name in ("numpy", "pillow", "typer", "pydicom"):
        assert all(spec.contains(pins[name]) for spec in _specifiers(name)), (name, pins[name])
    for name in ("typer", "pydicom"):
        lowest = {Version(s.version) for spec in _specifiers(name) for s in spec if s.operator == ">="}
        assert {Version(pins[name])} == lowest, (name, pins[name], lowest)


def test_a_missing_model_is_a_usage_error_not_a_crash():
    """Under typer 0.16 and click 8.5 this gave 'edge-classify: error: unexpected TypeError: expected str, bytes or
    os.PathLike object, not NoneType' (exit code 2, but no word of --model)."""
    p = subprocess.run([sys.executable, "-m", "edge.cli", "scans"], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 2, p
    assert "Missing option '--model'" in p.stderr and "TypeError" not in p.stderr, p.stderr


def test_importing_pydicom_writes_nothing_to_standard_output():
    """pydicom 3.0.0 fetched example files at import, and its retries went to standard output among the --json and
    --csv answers (run in the floors lane, which installs the lowest pydicom allowed)."""
    pytest.importorskip("pydicom", reason="DICOM support is the optional [dicom] extra")
    p = subprocess.run([sys.executable, "-c", "import pydicom, pydicom.pixels"], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0 and p.stdout == "", p
