"""Options a command was given in a way click would quietly mishandle: twice, or empty; and empty
arguments.

Click keeps the last of an option given twice, and takes an empty value as given, without a
word. Every cxr-edge command is declared with ``cls=OnceOnlyCommand`` so that both are refused
with click's own usage error, before any work starts."""

from __future__ import annotations

from typing import Any, Iterable

from typer.core import TyperCommand


EMPTY_ARGUMENT = ("an argument is empty (an unset variable?), and an empty path is the current folder: "
                  "give the path ('.' for the current folder)")


def misused_option(params: Iterable[Any], args: list[str]) -> str | None:
    """Why ``args`` give an option that takes one value twice, or with an empty value, or give an
    empty argument (``cxr-synth "$OUT"`` unset filled the current folder with films); else None.

    Click keeps the last of them without a word, so ``--by source --by sex`` would report by sex
    alone and ``--class-map A=- --class-map B=-`` forget A: a user who repeats an option means
    both. An empty value is an unset shell variable (``--out "$RUN"``): a path would become the
    current folder, --data the synthetic set. Flags may be repeated (``--quiet --no-quiet``: the
    last wins, as a shell alias relies on). Values are stepped over (a value may start with '-'),
    a short option's value may be attached (``-k2``), and nothing after ``--`` counts."""
    options = [p for p in params if getattr(p, "param_type_name", "") == "option"]  # click's Option, by duck
    by_name = {n: p for p in options for n in [*p.opts, *p.secondary_opts]}
    seen: dict[str, str] = {}
    i = 0
    while i < len(args):
        token = args[i]
        if token == "--":
            if any(not a.strip() for a in args[i + 1:]):
                return EMPTY_ARGUMENT
            break
        if not token.strip():
            return EMPTY_ARGUMENT
        attached = None
        if token.startswith("--"):
            name, _, attached = token.partition("=")
            attached = attached if "=" in token else None
        elif token.startswith("-") and len(token) > 2 and token[:2] in by_name:  # -k2, -o=run
            name, attached = token[:2], token[2:]
        else:
            name = token
        p = by_name.get(name)
        if p is not None and not (p.is_flag or p.count):
            value = attached if attached is not None else args[i + 1] if i + 1 < len(args) else None
            if value is not None and not value.strip():
                leave_out = "" if p.required else ", or leave the option out"
                return f"{name} is given an empty value (an unset variable?); give one{leave_out}"
            if not p.multiple:
                if p.name in seen:
                    shown = name if seen[p.name] == name else f"{seen[p.name]} (or {name})"
                    if ",..." in (p.metavar or ""):
                        return (f"{shown} is given more than once, and only one would count; give its values as one "
                                f"comma-separated list ({p.opts[0]} {p.metavar})")
                    return f"{shown} is given more than once, and only one would count; give it once"
                seen[p.name] = name
            if attached is None:
                i += 1
        i += 1
    return None


class OnceOnlyCommand(TyperCommand):
    """A typer command that refuses an option given twice or empty (see :func:`misused_option`)
    with click's usage error, instead of quietly using the last one or a default."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        problem = misused_option(self.get_params(ctx), args)
        if problem is not None:
            ctx.fail(problem)
        return super().parse_args(ctx, args)


def contradicting_options(threshold: bool, most_probable: bool, skip_answered: bool, watch: bool, json_out: bool,
                          interval: bool, tally_every: bool) -> str | None:
    """Why edge-classify's options (each: whether it was given) contradict each other, or None. Said before the model
    loads: a second or more on a Pi, and a model file that is not there was said first."""
    if threshold and most_probable:
        return "choose one of --threshold and --most-probable"
    if skip_answered and not (watch and json_out):
        return "--skip-answered reads the log of an earlier --watch --json: give it with --watch --json"
    if not watch and (unused := [o for o, v in (("--interval", interval), ("--tally-every", tally_every)) if v]):
        return (f"{' and '.join(unused)} set{'s' if len(unused) == 1 else ''} how --watch polls and tallies; "
                "without --watch they do nothing: give them with --watch, or leave them out")
    return None
