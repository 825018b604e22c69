"""The benchmarks as a user runs them: each script still parses its --help against today's code, every name it
imports from the package still exists, every option RESULTS.md's commands use is still one of its script's, and the
quick benchmarks' smallest modes print their table with its baseline and ratio column. Targets are judged in those
tables, never here (no timed assertions): these tests only keep the scripts runnable."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
PACKAGES = ("edge", "train", "convert", "benchmarks")
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if 'if __name__ == "__main__"' in p.read_text())
sys.path.insert(0, str(ROOT))
from benchmarks.data_path import CXR_DEV  # noqa: E402


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


@lru_cache(maxsize=None)
def _help(script: str) -> str:
    res = _run(str(BENCH / script), "--help")
    assert res.returncode == 0, f"{script} --help failed:\n{res.stderr[-2000:]}"
    return res.stdout


@pytest.mark.parametrize("script", [p.name for p in SCRIPTS])
def test_help_parses(script):
    assert "usage:" in _help(script)


def _defined(module: str) -> set[str] | None:
    """Names a module of the package defines or imports anywhere in it (None: no such module), read, not imported:
    importing train would load TensorFlow."""
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = ROOT / module.replace(".", "/") / "__init__.py"
    if not path.exists():
        return None
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def test_every_name_imported_from_the_package_exists():
    """A benchmark's imports sit inside its functions too (after a long training); a renamed function must fail here,
    not an hour into a run."""
    missing = []
    for script in BENCH.glob("*.py"):
        for node in ast.walk(ast.parse(script.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PACKAGES:
                names = _defined(node.module)
                for alias in node.names:
                    if names is None or (alias.name not in names and _defined(f"{node.module}.{alias.name}") is None):
                        missing.append(f"{script.name}:{node.lineno} from {node.module} import {alias.name}")
            elif isinstance(node, ast.Import):
                missing += [f"{script.name}:{node.lineno} import {a.name}" for a in node.names
                            if a.name.split(".")[0] in PACKAGES and _defined(a.name) is None]
    assert not missing, "\n".join(missing)


PARSE_ONLY = """
import argparse, runpy, shlex, sys
parse = argparse.ArgumentParser.parse_args
class Parsed(Exception):
    pass
def parsed(self, args=None, namespace=None):
    parse(self, args, namespace)
    raise Parsed
argparse.ArgumentParser.parse_args = parsed
for command in sys.argv[1:]:
    sys.argv = shlex.split(command)[1:]
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
        print("not parsed:", command)
    except Parsed:
        pass
    except SystemExit as e:
        print("refused:", command, "->", e.code)
"""


def test_results_md_commands_parse_with_todays_options():
    """Each `python benchmarks/...` command RESULTS.md gives, parsed by its script's own parser (options, types,
    choices) and stopped there: a removed or renamed option fails here. S and ... stand for a seed and run folders."""
    text = (BENCH / "RESULTS.md").read_text()
    commands = sorted({m.group(1).strip().replace(" S", " 0").replace(" ...", " /tmp/run")
                       for m in re.finditer(r"`(python benchmarks/\w+\.py[^`]*)`", text)})
    assert len(commands) > 20
    missing = [c for c in commands if not (ROOT / c.split()[1]).is_file()]
    assert not missing, missing
    res = _run("-c", PARSE_ONLY, *commands)
    assert res.returncode == 0 and not res.stdout.strip(), res.stdout + res.stderr[-2000:]


def _table_rows(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("|")]


QUICK = {  # the smallest mode of each quick benchmark, and a word of its ratio column's header or rows
    "interval_coverage.py": (["--sims", "10", "--boot", "20"], "as shipped"),
    "watch_poll.py": (["--files", "200", "--polls", "1"], "ratio, before / now"),
    "shift_speed.py": (["--films", "2", "--size", "300x200"], "speed against one thread"),
    "duplicate_memory.py": (["--n", "200"], "gathering / blocks"),
}


@pytest.mark.parametrize("script", sorted(QUICK))
def test_quick_mode_prints_its_table_side_by_side(script):
    args, ratio_words = QUICK[script]
    res = _run(str(BENCH / script), *args)
    assert res.returncode == 0, res.stderr[-2000:]
    rows = _table_rows(res.stdout)
    assert len(rows) >= 4 and ratio_words in res.stdout, res.stdout
    assert "nan" not in res.stdout


@pytest.mark.parametrize("script", ["read_path.py", "scan_path.py"])
def test_old_against_new_refuses_a_folder_without_films(script, tmp_path):
    """--films names a folder; given a count (--films 20) or an empty folder it printed a table of zero films, all
    nan, and exited 0 as if it had measured."""
    for folder in (tmp_path, tmp_path / "20"):
        res = _run(str(BENCH / script), "--films", str(folder), "--repeat", "1")
        assert res.returncode != 0 and "nan" not in res.stdout, res.stdout
        assert f"'{folder}'" in res.stderr and "--films names a folder of films" in res.stderr, res.stderr


@pytest.mark.skipif(not CXR_DEV.is_dir(), reason=f"cxr-dev's films are not at {CXR_DEV} (set CXR_DEV_DATA)")
@pytest.mark.parametrize("script", ["read_path.py", "scan_path.py"])
def test_old_against_new_on_a_few_real_films(script, tmp_path):
    """Old code (git show of an earlier revision) against today's on four cxr-dev films, linked, never copied."""
    for label in ("COVID", "Normal"):
        for film in sorted((CXR_DEV / label).iterdir())[:2]:
            (tmp_path / label).mkdir(exist_ok=True)
            (tmp_path / label / film.name).symlink_to(film)
    res = _run(str(BENCH / script), "--films", str(tmp_path), "--repeat", "1")
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.startswith("4 films") and "new / old" in res.stdout and "| all films | 4 |" in res.stdout


def test_adult_films_says_a_folder_is_no_run(tmp_path):
    """A folder without split.json (a typo, a run not finished) ended in a FileNotFoundError traceback."""
    res = _run(str(BENCH / "adult_films.py"), str(tmp_path / "no-run"), "--data", str(tmp_path))
    assert res.returncode != 0 and "Traceback" not in res.stderr, res.stderr[-2000:]
    assert f"no split.json and model_int8.tflite in '{tmp_path / 'no-run'}'" in res.stderr
