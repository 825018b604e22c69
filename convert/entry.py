"""cxr-convert's, cxr-evaluate's and cxr-compare's console scripts: see edge.entry (a stop while they
import is one line)."""

from edge.entry import start


def cxr_convert() -> None:
    start("cxr-convert", "convert.cli", "convert_main")


def cxr_evaluate() -> None:
    start("cxr-evaluate", "convert.evaluate_cli", "evaluate_main")


def cxr_compare() -> None:
    start("cxr-compare", "convert.compare_cli", "compare_main")
