"""An option cxr-convert's users type for --quant, named as such in its usage error. Click suggests the closest
spelling among the options it has: `--mode int8` read "No such option: --mode (Possible options: --debug)", and
`--precision fp16` got no suggestion at all."""

from __future__ import annotations

from typing import Any

from convert.modes import MODES
from edge.cli_options import OnceOnlyCommand

# the names of one mode as options (--int8), then other words for the choice of modes
_MEANT_QUANT = (*(f"--{m}" for m in MODES), "--mode", "--modes", "--quant-mode", "--quantize", "--quantise",
                "--quantization", "--quantisation", "--precision", "--dtype")


def quant_hint(option: str) -> str | None:
    """The usage error's words for ``option`` where it is a name for --quant (a mode's name: that mode), else None."""
    if option not in _MEANT_QUANT:
        return None
    mode = option[2:] if option[2:] in MODES else "int8"
    return f"No such option: {option}; the modes to convert are chosen with --quant (e.g. --quant {mode})"


class ConvertCommand(OnceOnlyCommand):
    """cxr-convert's command: OnceOnlyCommand's refusals, and --quant named where another name for it was given."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except Exception as e:  # click's NoSuchOption, which typer's own copy of click does not export
            if type(e).__name__ == "NoSuchOption" and (said := quant_hint(getattr(e, "option_name", ""))):
                e.message, e.possibilities = said, None
            raise
