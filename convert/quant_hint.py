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


def typed_value(option: str, args: list[str]) -> str | None:
    """What followed ``option`` in ``args`` (``--mode fp16`` or ``--mode=fp16``), or None."""
    for k, a in enumerate(args):
        if a == option:
            return args[k + 1] if k + 1 < len(args) else None
        if a.startswith(option + "="):
            return a.partition("=")[2]
    return None


def quant_hint(option: str, value: str | None = None) -> str | None:
    """The usage error's words for ``option`` where it is a name for --quant, else None. The example is the modes
    the user gave (a mode's name as the option, or ``value`` where it names modes): `--precision fp16` was shown
    `--quant int8`, a mode they had not asked for."""
    if option not in _MEANT_QUANT:
        return None
    given = [m.strip().lower() for m in (value or "").split(",")]
    mode = option[2:] if option[2:] in MODES else ",".join(given) if all(m in MODES for m in given) else "int8"
    return f"No such option: {option}; the modes to convert are chosen with --quant (e.g. --quant {mode})"


class ConvertCommand(OnceOnlyCommand):
    """cxr-convert's command: OnceOnlyCommand's refusals, and --quant named where another name for it was given."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        given = list(args)  # click consumes args as it parses
        try:
            return super().parse_args(ctx, args)
        except Exception as e:  # click's NoSuchOption, which typer's own copy of click does not export
            option = getattr(e, "option_name", "")
            if type(e).__name__ == "NoSuchOption" and (said := quant_hint(option, typed_value(option, given))):
                e.message, e.possibilities = said, None
            raise
