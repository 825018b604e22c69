"""README.md, docs/ and benchmarks/RESULTS.md: every relative link and #anchor resolves, and every
RESULTS.md section the prose names by its title exists (tests/markdown_links.py says how)."""

from __future__ import annotations

import pytest

from tests.markdown_links import DOCUMENTS, ROOT, anchor, anchors, broken_links, unknown_sections


@pytest.mark.parametrize("document", DOCUMENTS)
def test_links_and_anchors_resolve(document):
    assert broken_links(ROOT / document) == []


@pytest.mark.parametrize("document", ["README.md", "docs/commands.md", "docs/how-it-works.md"])
def test_results_sections_named_exist(document):
    assert unknown_sections(ROOT / document, ROOT / "benchmarks" / "RESULTS.md") == []


def test_anchors_spelt_as_github_spells_them():
    # headings of docs/commands.md as links spell them: code spans, commas, apostrophes and parentheses dropped
    assert anchor("Watching a folder (`--watch`)") == "watching-a-folder---watch"
    assert anchor("A site's own threshold (`--operating-point`, `--save-model`)") == \
        "a-sites-own-threshold---operating-point---save-model"
    assert anchor("Which kind of validation (`study_design`)") == "which-kind-of-validation-study_design"
    assert anchors("# Notes\n## Notes\n```\n# not a heading\n```\n") == {"notes", "notes-1"}


def test_a_broken_link_is_found(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "b.md").write_text("# Memory (`--threads`)\n", encoding="utf-8")
    page = tmp_path / "a.md"
    page.write_text("[ok](docs/b.md#memory---threads) [top](#title) [web](https://example.org/x#y)\n"
                    "# Title\n"
                    "[gone](docs/c.md) and [moved](docs/b.md#memory)\n"
                    "`[code](nowhere.md)`\n"
                    "```\n[example](nowhere.md)\n```\n", encoding="utf-8")
    assert broken_links(page, tmp_path) == ["a.md:3: docs/c.md (no such file)",
                                            "a.md:3: docs/b.md#memory (no heading with that anchor)"]


def test_an_unknown_results_section_is_found(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n## Film shape (2026-11-30, session 16)\n", encoding="utf-8")
    page = tmp_path / "README.md"
    page.write_text('as measured (RESULTS.md, "Film shape") and (RESULTS.md, "Film size")\n', encoding="utf-8")
    assert unknown_sections(page, results) == ['README.md:1: "Film size"']
