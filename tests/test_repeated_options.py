"""An option that takes one value, given twice, is refused by every command: click would keep the
last without a word, so `--by source --by sex` reported by sex alone and `--class-map A=-
--class-map B=-` forgot A. Flags may still be repeated (the last wins, as shell aliases rely on).
The real typer apps are parsed; each case stops before any model or data is read."""

from __future__ import annotations

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from convert.cli import convert_app
from convert.compare_cli import compare_app
from convert.evaluate_cli import evaluate_app
from edge.cli import app as edge_app
from edge.cli_options import misused_option
from train.cli import train_app
from train.synth_cli import synth_app

RUNNER = CliRunner()


def params(app) -> list:
    return get_command(app).params


@pytest.mark.parametrize("app, args, shown", [
    (evaluate_app, ["m.tflite", "data", "--class-map", "A=-", "--class-map", "B=-"], "--class-map"),
    (evaluate_app, ["m.tflite", "data", "--by=source", "--by", "sex"], "--by"),
    (evaluate_app, ["m.tflite", "data", "--prevalence", "0.01", "--prevalence=0.1"], "--prevalence"),
    (compare_app, ["a.tflite", "b.tflite", "data", "--by", "x", "--by", "y"], "--by"),
    (train_app, ["--out", "r1", "-o", "r2"], "--out (or -o)"),
    (train_app, ["--out", "r", "--classes", "COVID", "--classes", "Normal"], "--classes"),
    (convert_app, ["run", "--operating-point", "COVID=0.9", "--operating-point", "COVID=0.95"], "--operating-point"),
    (edge_app, ["--model", "a.tflite", "--model", "b.tflite", "x.png"], "--model"),
    (edge_app, ["--model", "a.tflite", "--threshold", "COVID=0.3", "--threshold", "Normal=0.6", "x.png"], "--threshold"),
    (synth_app, ["out", "--count", "3", "--count", "4"], "--count"),
])
def test_an_option_given_twice_is_refused_by_name(app, args, shown):
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert f"{shown} is given more than once, and only one would count" in result.output
    assert isinstance(result.exception, SystemExit)  # a usage error, not a crash (CliRunner keeps tracebacks off output)


def test_a_list_option_says_to_give_one_comma_separated_list():
    result = RUNNER.invoke(evaluate_app, ["m", "d", "--by", "a", "--by", "b"])
    assert "give its values as one comma-separated list (--by COLUMN,...)" in result.output
    result = RUNNER.invoke(train_app, ["-o", "r", "--classes", "A", "--classes", "B"])
    assert "give its values as one comma-separated list (--classes CLASS,...)" in result.output
    result = RUNNER.invoke(edge_app, ["--model", "a", "--model", "b"])
    assert result.output.rstrip().endswith("give it once")


def test_repeated_flags_and_single_options_pass():
    p = params(evaluate_app)
    assert misused_option(p, ["m", "d", "--find-crops", "--no-find-crops", "--keep-seen", "--keep-seen"]) is None
    assert misused_option(p, ["m", "d", "--by", "a,b", "--class-map", "X=-,Y=COVID", "--out", "o"]) is None


def test_values_and_what_follows_double_dash_are_not_options():
    p = params(evaluate_app)
    # a value that looks like an option is the value of the option before it
    assert misused_option(p, ["m", "d", "--out", "--by", "--by", "x"]) is None
    assert misused_option(p, ["m", "d", "--by", "x", "--", "--by"]) is None
    assert "--by" in misused_option(p, ["m", "d", "--by", "x", "--out", "o", "--by", "y"])


def test_repeatable_options_stay_repeatable():
    # --add-data is meant to be given once per folder
    p = params(train_app)
    assert misused_option(p, ["--out", "r", "--add-data", "a", "--add-data", "b"]) is None


def test_short_options_with_attached_values_count():
    p = params(edge_app)
    assert "-k" in misused_option(p, ["-k2", "-k", "3", "x.png"])
    assert "-m" in misused_option(p, ["-m", "a.tflite", "-mb.tflite", "x.png"])
    assert misused_option(p, ["-k2", "-m", "a.tflite", "x.png"]) is None


@pytest.mark.parametrize("app, args, name, optional", [
    (train_app, ["--out", ""], "--out", False),
    (train_app, ["--out", "r", "--data="], "--data", True),
    (train_app, ["--out", "r", "--holdout-source", " "], "--holdout-source", True),
    (edge_app, ["--model", "", "x.png"], "--model", False),
])
def test_an_empty_value_is_refused(app, args, name, optional):
    """Leaving out a required option (--out, --model) is refused as missing: the refusal of its empty value
    told users to do just that."""
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 2
    said = f"{name} is given an empty value (an unset variable?); give one"
    assert said in result.output
    assert ("leave the option out" in result.output) == optional


@pytest.mark.parametrize("app, args", [
    (synth_app, ["", "--count", "1"]),  # filled the current folder with SYNTHETIC films and their README
    (edge_app, ["--model", "m.tflite", ""]),  # classified (or, with --watch, watched) the current folder
    (edge_app, ["--model", "m.tflite", "--", "a.png", " "]),
    (evaluate_app, ["m.tflite", ""]),
    (convert_app, [""]),
    (compare_app, ["a.tflite", "b.tflite", ""]),
])
def test_an_empty_argument_is_refused_not_taken_for_the_current_folder(app, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = RUNNER.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "an argument is empty (an unset variable?), and an empty path is the current folder" in result.output
    # 'or leave it out' was said of required arguments too (cxr-synth "", cxr-convert ""), which are then missing
    assert "leave it out" not in result.output and "give the path ('.' for the current folder)" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("app, args", [(evaluate_app, ["m.tflite", "data"]), (compare_app, ["a.tflite", "b.tflite", "data"])])
def test_a_by_of_no_column_is_refused(app, args, tmp_path):
    """'--by " , "' passed the empty-value check and gave a report without its --by section, unsaid."""
    model = tmp_path / "m.tflite"
    model.write_bytes(b"")
    result = RUNNER.invoke(app, [*args, "--by", " , "])
    assert result.exit_code == 2 and "names no column" in result.output, result.output
