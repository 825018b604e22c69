"""docs/*.md are read as much as README.md, so tests/test_readme_truth74.py's checks hold for them too (session 74):
every --option a doc shows after a command's name is in that command's --help; in json-fields.md, whose every section
is one command's output, an option quoted alone is that command's (cxr-convert's report.json said its `n_boot` and
`prevalence` came from `--n-boot` and `--prevalence`, which only cxr-evaluate and cxr-compare take); every --option a
doc quotes is some cxr-edge command's, or one it documents as refused; any benchmark command a doc gives parses; every
RESULTS.md section a doc or README cites exists; and every key json-fields.md documents for run.json, report.json or
compare.json is written somewhere in convert/, train/ or edge/.

What a doc says of an earlier release ("up to 0.57.0 `--by patient_id` was taken") is history, not a claim about
today's options: dated_history_blanked() takes such passages out before the checks, and nothing else."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.markdown_links import ROOT
from tests.test_readme_truth74 import (_OPTION, FILE_BY_LABEL, PARSE_SAYING_WHY, benchmark_commands, code_pieces,
                                       entry_points, help_options, options_under_commands)

DOCS = {p.name: p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md"))}
# "up to 0.57.0", "until 0.39.0", "before cxr-edge 0.41", "releases up to 0.56.0": a release named as the past
_DATED = re.compile(r"\b(?:[Uu]p to|[Uu]ntil|[Bb]efore) (?:cxr-edge )?0\.\d+")
# cxr-convert refuses these names of --quant, naming --quant (commands.md, "cxr-convert"); checked below
REFUSED_BY_CONVERT = ("--mode", "--quantization", "--precision", "--int8")


def dated_history_blanked(text: str) -> str:
    """text with the code spans of its dated history taken out (lines kept): each span that starts between a release
    marker and the end of its clause (a comma, a `;`, a sentence's end, the bracket it is in closing, a blank line).
    Spans are paired line by line, as code_pieces pairs them; a span before the marker is today's and is kept."""
    regions = []
    for m in _DATED.finditer(text):
        end, depth = m.end(), 0
        while end < len(text) and not text.startswith(("\n\n", ". ", "; ", ", "), end):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth < 0:
                break
            end += 1
        regions.append((m.start(), end))
    out, offset = [], 0
    for line in text.split("\n"):
        out.append(re.sub(r"`[^`]+`", lambda s: "" if any(a <= offset + s.start() < b for a, b in regions)
                          else s.group(0), line))
        offset += len(line) + 1
    return "\n".join(out)


def commands() -> list[str]:
    return sorted([*entry_points(), FILE_BY_LABEL], key=len, reverse=True)


def section_commands(text: str) -> dict[int, str | None]:
    """Line -> the command whose `## ` section it is in (a heading that starts with the name, or names it in
    brackets: `## run.json (cxr-train)`), None outside one."""
    at, command, in_block = {}, None, False
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            in_block = not in_block
        elif not in_block and (m := re.match(r"^## (.*)", line)):
            command = next((c for c in commands() if m.group(1).startswith(c) or f"({c})" in m.group(1)), None)
        at[n] = command
    return at


def options_quoted_alone(text: str) -> list[tuple[int, str, str]]:
    """(line, command, option) for each --option quoted without a command's name in a section of one command, on a
    line that names no other: the section's command's, as a reader takes it."""
    lines, at = text.splitlines(), section_commands(text)
    named = re.compile(r"(?<![\w/.-])(" + "|".join(map(re.escape, commands())) + r")")
    found = []
    for n, piece in code_pieces(text):
        command = at[n]
        if command is None or named.search(piece) or set(named.findall(lines[n - 1])) - {command}:
            continue
        found += [(n, command, option) for option in _OPTION.findall(piece)]
    return found


@pytest.mark.parametrize("name", sorted(DOCS))
def test_every_option_a_doc_shows_under_a_command_is_in_its_help(name):
    shown = options_under_commands(dated_history_blanked(DOCS[name]))
    assert shown or name != "commands.md"  # commands.md's synopses are found
    unknown = [f"docs/{name}:{n}: {command} {option}" for n, command, option in shown
               if option not in help_options(command)]
    assert not unknown, "\n".join(unknown)


def test_an_option_json_fields_quotes_in_a_commands_section_is_that_commands():
    """json-fields.md's sections are each one command's output: `--n-boot` in cxr-convert's report.json is read as
    cxr-convert's (commands.md and how-it-works.md quote other commands' options in every section, and are held to
    the named form above and to the any-command check below)."""
    shown = options_quoted_alone(dated_history_blanked(DOCS["json-fields.md"]))
    assert len({c for _, c, _ in shown}) >= 4 and len(shown) > 40, shown
    unknown = [f"docs/json-fields.md:{n}: {command} {option}" for n, command, option in shown
               if option not in help_options(command)]
    assert not unknown, "\n".join(unknown)


def test_the_section_rule_and_the_dated_history_are_read_as_meant():
    """The checks themselves: an option quoted alone in cxr-convert's section is cxr-convert's, one on a line naming
    another command is not judged there; a dated clause's options are history, the rest of its sentence is not."""
    doc = ("## report.json (cxr-convert)\n\n| `n_boot` | integer | (`--n-boot`). |\n"
           "| `x` | list | as `edge-classify --info` gives; cxr-evaluate's `--by` |\n\n## cxr-evaluate\n\n"
           "Up to 0.57.0 `--old` was taken; `--by` is. It said `--gone` (up to 0.56.0 `--older`, now `--n-boot`).\n"
           "`cxr-convert --now` (before cxr-edge 0.41 `cxr-convert --then`); `--new`\n")
    by_section = [(3, "cxr-convert", "--n-boot"), (8, "cxr-evaluate", "--by"), (8, "cxr-evaluate", "--gone"),
                  (8, "cxr-evaluate", "--n-boot")]
    assert options_quoted_alone(doc) == [by_section[0], (8, "cxr-evaluate", "--old"), *by_section[1:3],
                                         (8, "cxr-evaluate", "--older"), by_section[3]]
    blanked = dated_history_blanked(doc)
    assert options_quoted_alone(blanked) == by_section
    assert options_under_commands(doc)[-1] == (9, "cxr-convert", "--then")
    assert options_under_commands(blanked) == [(4, "edge-classify", "--info"), (9, "cxr-convert", "--now")]
    assert blanked.count("\n") == doc.count("\n")


def test_every_option_a_doc_quotes_is_a_cxr_edge_commands_or_documented_as_refused():
    """An option no command has (renamed, removed, misspelt) is caught whatever command the prose means; another
    program's (`rsync --preallocate`, `docker run --memory`) is quoted after its name."""
    known = set().union(*(help_options(c) for c in commands()))
    unknown = []
    for name, text in DOCS.items():
        for n, piece in code_pieces(dated_history_blanked(text)):
            if re.match(r"(?:rsync|docker|find|pip|systemctl|journalctl|sha256sum)\b", piece):
                continue
            unknown += [f"docs/{name}:{n}: {o}" for o in _OPTION.findall(piece)
                        if o not in known and not (name == "commands.md" and o in REFUSED_BY_CONVERT)]
    assert not unknown, "\n".join(unknown)


@pytest.mark.parametrize("option", REFUSED_BY_CONVERT)
def test_the_names_of_quant_commands_md_says_are_refused_are_refused_naming_quant(option):
    res = subprocess.run([sys.executable, "-c", "import sys; sys.argv[0] = 'cxr-convert'; "
                          "from convert.entry import cxr_convert; cxr_convert()", "run", option, "int8"],
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2 and "--quant" in res.stderr and f"No such option: {option}" in res.stderr, res.stderr


def test_any_benchmark_command_a_doc_gives_parses():
    commands_given = [c for text in DOCS.values() for c in sum(benchmark_commands(text), [])]
    if not commands_given:
        return  # the docs give none today; README's are checked by test_readme_truth74.py
    res = subprocess.run([sys.executable, "-c", PARSE_SAYING_WHY, *commands_given], cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
                         capture_output=True, text=True, timeout=300)
    wrong = [line for line in res.stdout.splitlines() if line.startswith(("refused:", "not parsed:"))]
    assert res.returncode == 0 and not wrong, "\n".join(wrong) + res.stderr[-2000:]


def results_sections_cited(text: str) -> list[str]:
    """The RESULTS.md sections a text cites by title: `RESULTS.md, "A" and "B"` (lines joined)."""
    joined = re.sub(r"\s*\n\s*", " ", text)
    cited = re.finditer(r'RESULTS\.md(?:, | \(| )?((?:"[^"]+"(?:,? and |, )?)+)', joined)
    return [title for m in cited for title in re.findall(r'"([^"]+)"', m.group(1))]


def test_every_results_section_a_doc_cites_exists():
    """docs' benchmark figures are cited by RESULTS.md's section title (none to three decimals: those in docs are
    rounding examples, such as 0.4451 not 0.445); a section renamed or dropped leaves the citation pointing nowhere."""
    results = (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")
    titles = [line.lstrip("#").strip() for line in results.splitlines() if line.startswith("#")]
    cited = {(name, t) for name, text in [*DOCS.items(), ("README.md", (ROOT / "README.md").read_text())]
             for t in results_sections_cited(text)}
    assert len(cited) > 15, cited
    missing = sorted(f"{name}: {t}" for name, t in cited if not any(h.startswith(t) for h in titles))
    assert not missing, "\n".join(missing)


JSON_OUTPUTS = re.compile(r"^## (?:run\.json|report\.json|compare\.json)")


def json_keys_documented(text: str) -> list[tuple[int, str]]:
    """(line, key) of each table row of json-fields.md's run.json, report.json and compare.json sections."""
    keys, inside = [], False
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            inside = bool(JSON_OUTPUTS.match(line))
        elif inside and (m := re.match(r"^\| `([^`<]+)` \|", line)):
            keys.append((n, m.group(1)))
    return keys


def written_somewhere(key: str, source: str) -> bool:
    """Whether the code writes key: a dict literal's `"key":`, a `key=` keyword, `d["key"] =`, a dataclass field
    (`key: bool = True`, written by asdict), or an f-string `f"{x}_no_value"` that ends as it does."""
    k = re.escape(key)
    built = [rf"""f["'][^"'\n]*\}}{re.escape(key[i:])}["']""" for i in range(1, len(key)) if key[i] == "_"]
    return any(re.search(p, source, re.M) for p in [rf"""["']{k}["']\s*:""", rf"\b{k}=", rf"""\[["']{k}["']\]\s*=""",
                                                     rf"^\s+{k}: [\w\[\]|. ]+ = ", *built])


def test_every_json_key_documented_for_a_file_is_written_somewhere():
    source = "\n".join(p.read_text(encoding="utf-8") for d in ("convert", "train", "edge")
                       for p in sorted((ROOT / d).rglob("*.py")))
    keys = json_keys_documented(DOCS["json-fields.md"])
    assert len(keys) > 300
    nowhere = [f"docs/json-fields.md:{n}: {k}" for n, k in keys if not written_somewhere(k, source)]
    assert not nowhere, "\n".join(nowhere)
    assert not written_somewhere("no_such_key", source) and written_somewhere("ppv_no_value", source)
