"""Every console script's --help where users read it: a narrow terminal, a closed or full standard output, a pipe
closed early, an ASCII-only locale, a dumb terminal. Each runs the script as pyproject.toml names it, in a
subprocess, as a user's shell would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]


def help_of(prog: str, extra_env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """``prog --help`` run as its console script runs it (sys.argv[0] its name, its entry point called)."""
    module, function = SCRIPTS[prog].split(":")
    code = f"import sys; sys.argv[0] = {prog!r}; from {module} import {function}; {function}()"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", **(extra_env or {})}
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run([sys.executable, "-c", code, "--help"], cwd=ROOT, stderr=subprocess.PIPE, env=env,
                          timeout=120, **kwargs)


@pytest.mark.parametrize("prog", sorted(SCRIPTS))
def test_help_with_standard_output_closed_is_an_error_not_a_silent_success(prog):
    """`--help >&-` printed nothing and exited 0 (Click's echo drops what has no stream): a script checking the
    command's options saw success with no help read. --version already refused so."""
    p = help_of(prog, stdout=None, preexec_fn=lambda: os.close(1))
    assert p.returncode == 2, p.stderr
    assert p.stderr.decode() == (f"{prog}: error: standard output is closed: --help has nowhere to print; give it a "
                                 "file or a pipe\n")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("prog", sorted(SCRIPTS))
def test_help_to_a_full_disk_says_the_help_was_not_written(prog):
    """It said 'cannot write the answers', of a --help that has none."""
    with open("/dev/full", "w") as full:
        p = help_of(prog, stdout=full)
    assert p.returncode == 2
    assert p.stderr.decode() == f"{prog}: error: cannot write the help to standard output: no space left on device\n"


@pytest.mark.parametrize("prog", sorted(SCRIPTS))
def test_help_fits_a_40_column_terminal_with_every_word_kept(prog):
    """Click lays help out at least 50 columns wide whatever COLUMNS says: at 40 most lines ran past the edge and the
    terminal cut them mid-word, each option's text squeezed into 10 letters. Now no line is wider than the terminal
    and every option and word of the wide help is still there."""
    narrow = help_of(prog, {"COLUMNS": "40"})
    wide = help_of(prog, {"COLUMNS": "80"})
    assert narrow.returncode == 0 and narrow.stderr == b"", narrow.stderr
    lines = narrow.stdout.decode().splitlines()
    assert [line for line in lines if len(line) > 40] == []
    words = lambda text: re.findall(r"[A-Za-z0-9_]+", text)  # noqa: E731 (a wrap may split a word at its hyphen)
    assert words(narrow.stdout.decode()) == words(wide.stdout.decode())
    options = set(re.findall(r"^  (-[-\w]+)", wide.stdout.decode(), re.M))
    assert options and options <= set(re.findall(r"^  (-[-\w]+)", narrow.stdout.decode(), re.M))


@pytest.mark.parametrize("prog", sorted(SCRIPTS))
def test_help_at_80_columns_keeps_clicks_own_layout(prog):
    """The usual terminal's help is Click's two columns, an option's text beside its name."""
    out = help_of(prog, {"COLUMNS": "80"}).stdout.decode()
    assert re.search(r"^  --help {2,}Show this message and exit\.$", out, re.M), out[-400:]
    assert max(len(line) for line in out.splitlines()) <= 80


@pytest.mark.parametrize("env", [{"LANG": "C", "LC_ALL": "C"}, {"PYTHONIOENCODING": "ascii"}, {"TERM": "dumb"},
                                 {"NO_COLOR": "1"}], ids=["LANG=C", "ascii", "TERM=dumb", "NO_COLOR"])
def test_help_in_an_ascii_locale_or_a_dumb_terminal_is_plain_ascii(env):
    """A guard (these passed before): a non-ASCII sign in a help text would come out escaped under an ASCII-only
    output encoding, and colour codes show as garbage in a dumb terminal. Every script's help is plain ASCII, exit 0."""
    for prog in sorted(SCRIPTS):
        p = help_of(prog, {**env, "COLUMNS": "50"})
        assert p.returncode == 0 and p.stderr == b"", (prog, p.stderr)
        assert p.stdout.isascii() and b"\x1b" not in p.stdout, prog


@pytest.mark.parametrize("prog", sorted(SCRIPTS))
def test_help_into_a_pipe_whose_reader_is_gone_is_quiet(prog):
    """A guard (this passed before): `--help | head -1` where head has already gone gives no BrokenPipeError
    traceback, and exit 141 as shells give."""
    read, write = os.pipe()
    os.close(read)
    try:
        p = help_of(prog, stdout=write)
    finally:
        os.close(write)
    assert p.returncode == 141 and p.stderr == b"", p.stderr



def test_help_is_asked_for_only_before_a_double_dash():
    """`edge-classify -- --help` classifies a file named --help: its closed standard output is not --help's."""
    from edge.help_output import asks_for_help

    assert asks_for_help(["x.png", "--help"]) and not asks_for_help(["--", "--help"])
    assert not asks_for_help(["--helpful"]) and not asks_for_help([])
