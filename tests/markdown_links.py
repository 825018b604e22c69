"""The repository's Markdown cross-references, checked without a network.

README.md, docs/*.md and benchmarks/RESULTS.md send readers to each other by section: a link's #anchor
(docs/commands.md#watching-a-folder---watch) and, in the prose, a RESULTS.md section by its name
(RESULTS.md, "Film shape"). A heading reworded leaves links that open the page at its top and names that
match nothing, and no renderer says so. Anchors are spelt as GitHub spells them: the heading's text
(formatting marks dropped) in lower case, every character but letters, digits, spaces, '-' and '_'
removed, spaces made '-', and a repeated heading given -1, -2, ...
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The Markdown that readers follow from one file to another (the others are data folders' READMEs).
DOCUMENTS = ("README.md", "docs/commands.md", "docs/how-it-works.md", "docs/json-fields.md", "benchmarks/RESULTS.md")

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_CODE_SPAN = re.compile(r"`[^`]*`")
_SECTION_CITED = re.compile(r'RESULTS\.md, "([^"]+)"')


def prose_lines(text: str) -> list[str]:
    """The lines of ``text`` with fenced code blocks blanked (a link's syntax there is an example, not a
    link), numbered as in the file."""
    lines, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            lines.append("")
        else:
            lines.append("" if fenced else line)
    return lines


def anchor(heading: str) -> str:
    """A heading's anchor as GitHub writes it (without the -N of a repeated heading)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def headings(text: str) -> list[str]:
    """The text of each heading, in order."""
    return [m.group(2) for line in prose_lines(text) if (m := _HEADING.match(line))]


def anchors(text: str) -> set[str]:
    """Every anchor a link into ``text`` may name."""
    seen: dict[str, int] = {}
    found = set()
    for heading in headings(text):
        a = anchor(heading)
        found.add(a if a not in seen else f"{a}-{seen[a]}")
        seen[a] = seen.get(a, 0) + 1
    return found


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """'FILE:LINE: TARGET (why)' for each relative link of ``path`` whose file is missing, or whose
    #anchor no heading of that Markdown file gives. Links with a scheme (https:, mailto:) are not followed."""
    broken = []
    for number, line in enumerate(prose_lines(path.read_text(encoding="utf-8")), 1):
        for target in _LINK.findall(_CODE_SPAN.sub("", line)):
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
                continue
            file, _, fragment = target.partition("#")
            dest = (path.parent / file) if file else path
            where = f"{path.relative_to(root)}:{number}: {target}"
            if not dest.exists():
                broken.append(f"{where} (no such file)")
            elif fragment and dest.suffix == ".md" and fragment not in anchors(dest.read_text(encoding="utf-8")):
                broken.append(f"{where} (no heading with that anchor)")
    return broken


def unknown_sections(path: Path, results: Path) -> list[str]:
    """'FILE:LINE: "NAME"' for each RESULTS.md section that ``path`` names in its prose (RESULTS.md, "NAME")
    and no heading of ``results`` starts with (headings carry their date after the name)."""
    names = headings(results.read_text(encoding="utf-8"))
    return [f"{path.name}:{number}: \"{name}\""
            for number, line in enumerate(prose_lines(path.read_text(encoding="utf-8")), 1)
            for name in _SECTION_CITED.findall(line)
            if not any(h.startswith(name) for h in names)]
