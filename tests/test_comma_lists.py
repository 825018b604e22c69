"""One rule for a blank item in a comma-separated option: refused with the option and its value, never dropped.
`--by "source,$COL"` with $COL unset gave a report without the subgroup asked for, and exit 0; `--quant int8,,`
and `--class-map Healthy=Normal,` were taken too, while --prevalence and --classes refused the same blank."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAID = "has an empty item (a value left out, or an unset variable?); give "


def run(module: str, main: str, *args: object) -> subprocess.CompletedProcess:
    code = f"import sys; sys.argv[0] = 'x'; from {module} import {main}; {main}()"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.parametrize("text", ["sex,", "sex,,age", ",sex", "sex, ,age"])
def test_a_blank_column_in_by_is_refused(text):
    from convert.group_values import by_columns

    with pytest.raises(ValueError, match=rf"^--by '{re.escape(text)}' {re.escape(SAID)}MANIFEST\.csv columns or DICOM attributes"):
        by_columns(text)
    assert by_columns(" sex , age") == ["sex", "age"] and by_columns(None) == []


@pytest.mark.parametrize("text", ["Healthy=Normal,", "Healthy=Normal,,PNEUMONIA=-"])
def test_a_blank_pair_in_class_map_is_refused(text):
    from train.class_names import parse_class_map

    with pytest.raises(ValueError, match=rf"^--class-map '{re.escape(text)}' {re.escape(SAID)}FOLDER=LABEL pairs"):
        parse_class_map(text)
    assert parse_class_map("Healthy=Normal, PNEUMONIA=-") == {"Healthy": "Normal", "PNEUMONIA": "-"}


def test_the_shares_and_class_lists_say_it_the_same_way():
    from convert.prevalence import parse_prevalences
    from train.class_names import parse_class_list

    with pytest.raises(ValueError, match=rf"^--prevalence '0\.01,,0\.5' {re.escape(SAID)}shares"):
        parse_prevalences("0.01,,0.5")
    with pytest.raises(ValueError, match=rf"^--classes 'COVID,' {re.escape(SAID)}class folder names"):
        parse_class_list("COVID,")


def test_a_decimal_comma_is_refused_with_the_number_to_write():
    """A German or French user's '0,3' was refused as 'not a probability' (and '0,05' as shares outside 0 to 1)
    without saying that the comma was the trouble."""
    from convert.operating_point import parse_operating_point
    from convert.prevalence import parse_prevalences
    from edge.threshold_text import parse_threshold

    with pytest.raises(ValueError, match=r"^--threshold: '0,3' is not a probability between 0 and 1 \(write 0\.3\)$"):
        parse_threshold("COVID=0,3", ["COVID", "Normal"])
    with pytest.raises(ValueError, match=r"not a sensitivity between 0 and 1 \(write 0\.95\)$"):
        parse_operating_point("COVID=0,95", ["COVID", "Normal"])
    with pytest.raises(ValueError, match=r"^--prevalence: each share must lie between 0 and 1 \(exclusive\), not "
                                         r"'0,05' \(write 0\.05\)$"):
        parse_prevalences("0,05")
    with pytest.raises(ValueError, match=r"not 'x' \(|not a comma-separated list of numbers$"):  # no hint where no comma
        parse_prevalences("x")
    with pytest.raises(ValueError) as e:  # 1.5 would be refused too: no hint that leads to another refusal
        parse_threshold("COVID=1,5", ["COVID", "Normal"])
    assert "write" not in str(e.value), str(e.value)


def test_cxr_convert_refuses_a_blank_mode_before_converting(tmp_path):
    p = run("convert.cli", "convert_main", tmp_path, "--quant", "int8,,fp32")
    assert p.returncode == 2, p.stderr
    assert p.stderr.strip() == f"cxr-convert: error: --quant 'int8,,fp32' {SAID}modes separated by commas, e.g. int8,fp32"


def test_cxr_synth_refuses_a_blank_class(tmp_path):
    p = run("train.synth_cli", "synth_main", tmp_path / "syn", "--classes", "COVID,", "--count", "2")
    assert p.returncode == 2, p.stderr
    assert p.stderr.strip() == f"cxr-synth: error: --classes 'COVID,' {SAID}class names separated by commas, e.g. COVID,Normal"
    assert not (tmp_path / "syn").exists()


@pytest.mark.parametrize("command", ["evaluate", "compare"])
def test_cxr_evaluate_and_compare_refuse_a_blank_column_in_by_before_reading_a_film(tmp_path, command):
    from typer.testing import CliRunner

    from convert.compare_cli import compare_app
    from convert.evaluate_cli import evaluate_app

    model = tmp_path / "model.tflite"
    model.write_bytes(b"not read")
    (tmp_path / "films" / "COVID").mkdir(parents=True)
    models = [model] if command == "evaluate" else [model, model]
    app = evaluate_app if command == "evaluate" else compare_app
    r = CliRunner().invoke(app, [*map(str, models), str(tmp_path / "films"), "--by", "source,", "--out", str(tmp_path / "r")])
    assert r.exit_code in (1, 2) and f"--by 'source,' {SAID}MANIFEST.csv columns" in " ".join(r.output.split()), r.output
