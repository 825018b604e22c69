"""README.md is what users trust, so what it shows must be true today (session 74): every --option it shows
under a command is one of that command's (its --help lists it), every `python benchmarks/...` command it gives
parses with that script's options, every figure it quotes to three decimals is one of benchmarks/RESULTS.md's, and
`--by PatientID`, which its "Patient data" section says is refused, is refused without advice to put the ids in a
MANIFEST.csv column (the refusal said "not found" and to write one, which --by would then write into report.md).

Nothing here checked README against the code: an option renamed or removed, or a benchmark re-run with other
figures, left README wrong without a failing test. tests/test_readme_layout.py checks the Layout block."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import lru_cache

import pytest

from tests.markdown_links import ROOT
from tests.test_benchmarks_run import PARSE_ONLY

README = (ROOT / "README.md").read_text(encoding="utf-8")
_OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
FILE_BY_LABEL = "python -m train.file_by_label"


def entry_points() -> dict[str, str]:
    """pyproject.toml's console scripts, name -> 'module:function' (a new one is checked without a change here)."""
    block = re.search(r"^\[project\.scripts\]\n(.*?)(?:^\[|\Z)", (ROOT / "pyproject.toml").read_text(), re.M | re.S)
    return dict(re.findall(r'^([\w-]+)\s*=\s*"([\w.:]+)"', block.group(1), re.M))


@lru_cache(maxsize=None)
def help_options(command: str) -> frozenset[str]:
    """The options a command's --help lists, as a user gets them (a console script's function, or file_by_label)."""
    if command == FILE_BY_LABEL:
        args = ["-m", "train.file_by_label", "--help"]
    else:
        module, function = entry_points()[command].split(":")
        args = ["-c", f"import sys; sys.argv[0] = {command!r}; from {module} import {function}; {function}()", "--help"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "COLUMNS": "1000"}
    res = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    return frozenset(_OPTION.findall(res.stdout))


def code_pieces(text: str) -> list[tuple[int, str]]:
    """(line, text) of every line of a code block (its `  # comment` cut off) and every `code span` outside them;
    a Command reference row's options cell joined to its command's cell, which it belongs to."""
    pieces, in_block = [], False
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            in_block = not in_block
        elif in_block:
            pieces.append((n, re.split(r"\s#\s", line)[0]))
        elif row := re.match(r"^\| `([^`]+)` \| `([^`]+)` \|", line):
            pieces.append((n, f"{row.group(1)} {row.group(2)}"))
        else:
            pieces += [(n, span) for span in re.findall(r"`([^`]+)`", line)]
    return pieces


def options_under_commands(text: str) -> list[tuple[int, str, str]]:
    """(line, command, option) for each --option README shows after a command's name, up to the next command."""
    names = sorted([*entry_points(), FILE_BY_LABEL], key=len, reverse=True)
    split = re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, names)) + r"|benchmarks/\w+\.py|\bmake\b|\bpip\b)")
    found = []
    for n, piece in code_pieces(text):
        parts = split.split(piece)
        for command, rest in zip(parts[1::2], parts[2::2]):
            if command in names:
                found += [(n, command, option) for option in _OPTION.findall(rest)]
    return found


def test_every_option_readme_shows_under_a_command_is_in_its_help():
    shown = options_under_commands(README)
    assert len({c for _, c, _ in shown}) >= 7 and len(shown) > 60  # the parse still finds README's commands
    unknown = [f"README.md:{n}: {command} {option}" for n, command, option in shown
               if option not in help_options(command)]
    assert not unknown, "\n".join(unknown)


def test_an_option_a_command_lacks_is_found():
    """The check itself: an option shown under the wrong command (cxr-convert has no --n-boot) is reported."""
    shown = options_under_commands("```sh\ncxr-convert runs/covid --n-boot 100  # a comment --not-an-option\n```\n"
                                   "`cxr-evaluate --n-boot 100`\n| `cxr-synth` | `OUT [--count 80]` | ... |\n")
    assert shown == [(2, "cxr-convert", "--n-boot"), (4, "cxr-evaluate", "--n-boot"), (5, "cxr-synth", "--count")]
    assert "--n-boot" not in help_options("cxr-convert") and "--n-boot" in help_options("cxr-evaluate")


def benchmark_commands(text: str) -> tuple[list[str], list[str]]:
    """README's `python benchmarks/X.py ...` commands of its code blocks (continued lines joined), whole; and its
    prose's `benchmarks/X.py --opt VALUE` spans, fragments of a command (`ablate.py --sam 0.05` without its --run)."""
    joined = text.replace("\\\n", " ")
    whole = {re.split(r"\s#\s", m.group(1))[0].strip()
             for m in re.finditer(r"^(python benchmarks/\w+\.py[^\n]*)", joined, re.M)}
    fragments = {f"python {m.group(1).strip()}" for m in re.finditer(r"`(benchmarks/\w+\.py --[^`]*)`", text)}
    return sorted(c for c in whole if "--help" not in c.split()), sorted(fragments - whole)


# Each command parsed by its script's own parser and stopped there; a refusal printed with argparse's reason.
PARSE_SAYING_WHY = PARSE_ONLY.replace("argparse.ArgumentParser.parse_args = parsed", """argparse.ArgumentParser.parse_args = parsed
def error(self, message):
    print("error:", message)
    raise SystemExit(2)
argparse.ArgumentParser.error = error""")


def test_readme_benchmark_commands_parse_with_todays_options():
    whole, fragments = benchmark_commands(README)
    assert len(whole) > 20 and fragments, (whole, fragments)
    missing = [c for c in whole + fragments if not (ROOT / c.split()[1]).is_file()]
    assert not missing, missing
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"}
    res = subprocess.run([sys.executable, "-c", PARSE_SAYING_WHY, *whole, *fragments], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    lines = res.stdout.splitlines()
    # argparse's reason comes on the line before "refused: COMMAND -> 2"; a fragment may lack the options its script
    # requires (ablate.py's --run), and only those
    wrong = [f"{line} ({why})" for why, line in zip([""] + lines, lines) if line.startswith(("refused:", "not parsed:"))
             and not (line.split(" -> ")[0].removeprefix("refused: ") in fragments
                      and why.startswith("error: the following arguments are required"))]
    assert res.returncode == 0 and not wrong, "\n".join(wrong) + res.stderr[-2000:]


def test_every_figure_readme_quotes_to_three_decimals_is_in_results_md():
    """README's figures come from benchmarks/RESULTS.md; a re-run that changes one there must change README too.
    A line of worked arithmetic (×) derives its result, which RESULTS.md need not hold."""
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    figures = [(n, f) for n, line in enumerate(README.splitlines(), 1) if "×" not in line
               for f in re.findall(r"(?<![\d.])\d\.\d{3}(?![\d])", line)]
    assert len(figures) > 60
    absent = [f"README.md:{n}: {f}" for n, f in figures if f not in results]
    assert not absent, "\n".join(absent)


def test_every_console_script_is_in_the_command_reference():
    table = README[README.index("## Command reference"):README.index("## Layout")]
    assert [c for c in [*entry_points(), FILE_BY_LABEL] if f"| `{c}` |" not in table] == []


@pytest.mark.parametrize("name", ["PatientID", "patientname", "AccessionNumber"])
def test_by_a_header_identifier_is_refused_saying_why_and_no_manifest_column_of_it_suggested(tmp_path, name):
    from convert.group_values import check_columns

    (tmp_path / "COVID").mkdir()
    with pytest.raises(ValueError) as e:
        check_columns(tmp_path, [name], ["COVID/IM000001.dcm"])
    said = str(e.value)
    assert "an identifier in the DICOM header" in said and "never writes" in said, said
    assert f"'{name}' column" not in said and "write " not in said, said
    with pytest.raises(ValueError) as e:  # any other name not found still gets the MANIFEST.csv to write
        check_columns(tmp_path, ["Ward"], ["COVID/IM000001.dcm"])
    assert "with a 'file' column" in str(e.value) and "'Ward' column" in str(e.value)
