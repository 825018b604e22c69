"""cxr-convert's usage error names --quant where a user typed another name for it (session 62's lead: `--mode int8`
got click's "Possible options: --debug")."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from convert.cli import convert_app


@pytest.mark.parametrize("given, mode", [(["--mode", "int8"], "int8"), (["--mode=fp16"], "fp16"),
                                         (["--quantization", "int8"], "int8"), (["--fp16"], "fp16"),
                                         (["--precision", "fp16"], "fp16"), (["--modes", "INT8,fp32"], "int8,fp32"),
                                         (["--dtype", "float16"], "int8"), (["--mode"], "int8")])
def test_another_name_for_quant_is_answered_with_quant(tmp_path, given, mode):
    """The example is the modes typed where they are modes: `--precision fp16` was shown `--quant int8`."""
    res = CliRunner().invoke(convert_app, [str(tmp_path), *given])
    assert res.exit_code == 2
    name = given[0].partition("=")[0]
    assert f"No such option: {name}; the modes to convert are chosen with --quant (e.g. --quant {mode})" in res.output
    assert "--debug" not in res.output


def test_other_unknown_options_keep_clicks_suggestion(tmp_path):
    res = CliRunner().invoke(convert_app, [str(tmp_path), "--quite"])
    assert res.exit_code == 2 and "No such option: --quite" in res.output and "--quiet" in res.output
    assert "--quant (e.g." not in res.output
