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


def test_names_in_the_report_hold_no_raw_control_characters():
    """md_cell and md_code replaced only line breaks: 'cat report.md' (its tables are aligned to be read in a terminal)
    ran a film name's ESC c (a full terminal reset), its OSC (the terminal's title) and BEL, and a U+202E in a film or
    ward name reversed the rest of its table row. Every film, folder and manifest value in report.md and compare.md
    goes through these two."""
    from convert.report_text import md_cell
    from edge.controls import CONTROL

    name = "Normal/bad\x1bc\x1b]0;T\x07\u202eevil\tx\x9b2J.png"
    assert md_code(name) == "`Normal/bad\\u001bc\\u001b]0;T\\u0007\\u202eevil\\u0009x\\u009b2J.png`"
    assert md_cell(name) == "Normal/bad\\u001bc\\u001b\\]0;T\\u0007\\u202eevil\\u0009x\\u009b2J.png"
    assert md_cell("\x1b]0;T\x07ward\nnorth") == "\\u001b\\]0;T\\u0007ward north"
    line = skipped_line([{"path": name}])
    assert not CONTROL.search(line) and "bad\\u001bc" in line, line


def test_the_copies_warning_names_films_on_one_line_of_text_as_the_label_conflict_warning_does():
    """cxr-evaluate and cxr-compare print copies_warning on stderr: a film named with a newline split it over two
    lines, and an undecodable byte went out raw, where the label-conflict warning beside it (conflicts_text) quoted
    each name with said_name."""
    from convert.set_notes import copies_warning

    line = copies_warning([["Normal/a\nb.png", "Normal/c\udcff.png"]])
    assert '"Normal/a\\nb.png" = Normal/c\\xff.png' in line and "\n" not in line, line
    assert copies_warning([["Normal/a.png", "Normal/b.png"]]).startswith(
        "2 films are copies of one another (1 group, the same bytes or picture; e.g. Normal/a.png = Normal/b.png)")
