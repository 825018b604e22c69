"""Every benchmarks/*.py script still imports, and every name it imports from the package still exists.

The benchmarks are run by hand, some for an hour, and most import the package inside functions (so that
--help never loads TensorFlow): a renamed function surfaced only after the training it followed. This
reads each script's `from X import Y` lines wherever they stand, without running anything."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

SCRIPTS = sorted((Path(__file__).resolve().parents[1] / "benchmarks").glob("*.py"))


def missing_imports(script: Path) -> list[str]:
    """`module.name` for each absolute `from module import name` in script that does not resolve."""
    missing = []
    for node in ast.walk(ast.parse(script.read_text())):
        if not isinstance(node, ast.ImportFrom) or node.level:
            continue
        module = importlib.import_module(node.module)
        for alias in node.names:
            if not hasattr(module, alias.name):
                try:  # `from package import submodule` binds a module not yet loaded as an attribute
                    importlib.import_module(f"{node.module}.{alias.name}")
                except ModuleNotFoundError:
                    missing.append(f"{node.module}.{alias.name}")
    return missing


def test_there_are_benchmarks_to_check():
    assert len(SCRIPTS) >= 20 and any(s.name == "run.py" for s in SCRIPTS)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.name)
def test_a_benchmark_imports_and_every_name_it_imports_exists(script):
    importlib.import_module(f"benchmarks.{script.stem}")
    assert missing_imports(script) == []
