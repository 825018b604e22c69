"""Each --help's claims against what the command does: its exit codes, the ranges it refuses, whose file a map is of."""

from __future__ import annotations

from typer.testing import CliRunner


def _help(app) -> str:
    return " ".join(CliRunner().invoke(app, ["--help"]).output.split())


def test_cxr_convert_help_gives_exit_code_2_for_bad_data_too(tmp_path):
    """It said '2 for usage errors', while a run folder it cannot use (no run.json) is exit 2 as well (docs/commands.md:
    '2 error'); the gate's 0 and 1 are said with --auto's meaning."""
    from convert.cli import convert_app

    text = _help(convert_app)
    assert ("Exit codes: 0 done, every mode scored passed the gate (with --auto: one passed); 1 a mode scored failed it "
            "(with --auto: none passed); 2 bad data or usage; 130 interrupted;") in text
    (tmp_path / "run").mkdir()
    r = CliRunner().invoke(convert_app, [str(tmp_path / "run")])
    assert r.exit_code == 2 and "run.json" in r.output, r.output


def test_cxr_convert_help_says_whose_mistakes_explain_maps():
    """It said 'the int8 file's', but with --quant fp32 (no int8) the maps are of the first mode scored
    (convert.quantize: the device file, int8 where it is scored)."""
    from convert.cli import convert_app

    assert "the device file's most confident test-split mistakes (int8's, else the first mode scored)" in _help(convert_app)


def test_cxr_synth_help_gives_its_exit_codes_and_refuses_a_negative_seed_as_usage(tmp_path):
    """cxr-synth's --help said no exit codes (docs/commands.md: 0, 2), and --seed -1 came back from the generator as
    'seed must be a non-negative integer', not naming the option; now typer refuses it with the option's range."""
    from train.synth_cli import synth_app

    assert "Exit codes: 0 done; 2 bad usage, or a folder it will not write into" in _help(synth_app)
    r = CliRunner().invoke(synth_app, [str(tmp_path / "s"), "--seed", "-1", "--count", "1", "--size", "32"])
    assert r.exit_code == 2 and "--seed" in r.output and not (tmp_path / "s").exists(), r.output
