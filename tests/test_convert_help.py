"""What cxr-convert --help teaches a reader of its report (hunt 62 H19: a user who reads --help, not the docs)."""

from __future__ import annotations

from typer.testing import CliRunner

from convert.cli import convert_app


def _help() -> str:
    return " ".join(CliRunner().invoke(convert_app, ["--help"]).output.split())


def test_help_names_the_kaggle_sheets_as_a_source_of_the_per_source_figures():
    # The per-source table is written on the Kaggle layout's own *.metadata.xlsx too, without a MANIFEST.csv:
    # a help that named MANIFEST.csv alone sent such a user to write one.
    assert "*.metadata.xlsx" in _help()


def test_help_says_what_the_report_figures_are_and_are_not():
    text = _help()
    assert "95% interval" in text
    assert "internal validation" in text and "cxr-evaluate" in text
    assert "which says what quantization cost, not how good the model is" in text
