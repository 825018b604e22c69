"""report.md's prose about the films names them: a name is text there, never Markdown of its own."""

from __future__ import annotations

import re

from convert.report_text import md_code
from convert.set_notes import copy_lines, skipped_line


def test_names_in_the_reports_prose_make_no_heading_code_span_or_emphasis():
    """A film named 'un*read|able\\n# Heading.png' made an <h1> of report.md, and backticks in two names made one code
    span across the sentence."""
    odd = "un*read|able\n# Heading.png"
    line = skipped_line([{"path": odd}, {"path": "a`b.png"}, {"path": "`edge`"}])
    assert "\n" not in line
    assert "`un*read|able # Heading.png`" in line and "``a`b.png``" in line and "`` `edge` ``" in line
    md = copy_lines([["COVID/a|b*c`d.png", "COVID/_dup_ *x* `y.png"]],
                    [[{"file": "COVID/x`1.png", "label": "COVID"}, {"file": "Normal/x`2.png", "label": "Normal"}]])
    text = "\n".join(md)
    assert "a\\|b\\*c\\`d.png" in text and "\\_dup\\_ \\*x\\* \\`y.png" in text and "x\\`1.png" in text
    assert not re.search(r"(?<!\\)[`|*]", text.replace("**Label conflict:**", "").replace("**Copies:**", ""))


def test_a_code_span_holds_any_name():
    assert md_code("plain.png") == "`plain.png`"
    assert md_code("a``b") == "```a``b```"
    assert md_code("`x") == "`` `x ``"
