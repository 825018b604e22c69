"""train.manifest_text pinned where a change would misread a MANIFEST.csv's text (found by hand mutation testing:
each test here failed with one small change to the byte-order mark handling, which tests/test_manifest*.py let
through)."""

from __future__ import annotations

from train.manifest_text import decode, separator


def test_a_utf8_byte_order_mark_is_dropped_before_a_code_page_1252_line_is_read():
    """A UTF-8 export's mark, then a Windows line (ô as the lone byte F4): read as code page 1252 whole, the mark
    became 'ï»¿' in front of the header's first name ("no 'file' column")."""
    text = decode(b"\xef\xbb\xbffile,source\r\na.png,H\xf4pital Nord\r\n")
    assert text == "file,source\r\na.png,H\u00f4pital Nord\r\n"
    assert separator(text) == (",", 0)


def test_a_utf8_byte_order_mark_on_plain_ascii_is_dropped():
    assert decode(b"\xef\xbb\xbffile;source\na.png;x\n") == "file;source\na.png;x\n"


def test_only_the_lines_not_utf8_are_read_as_code_page_1252():
    """A Windows line between UTF-8 ones: the UTF-8 line after it keeps its é (read on to the file's end in code page
    1252, it became Ã©)."""
    assert decode(b"file,source\na.png,H\xf4pital\nb.png,\xc3\xa9cole\n") == "file,source\na.png,H\u00f4pital\nb.png,\u00e9cole\n"


def test_a_header_of_no_separator_or_a_tie_is_read_with_commas():
    assert separator("file\na.png\n") == (",", 0)
    assert separator("file;source,site\tx\n") == (",", 0)


def test_excels_separator_line_is_read_in_any_case():
    assert separator('"SEP=;"\nfile;source\n') == (";", 1)


def test_a_row_of_values_past_the_header_names_the_first_of_them():
    """'Hôpital Nord, Paris' unquoted: ' Paris' is the first value past the columns, the one to put in quotes."""
    import csv
    import io
    from pathlib import Path

    from train.manifest_text import extra_values

    reader = csv.reader(io.StringIO(""), delimiter=",")
    said = extra_values(Path("MANIFEST.csv"), 2, 2, 4, [" Paris", "x"], reader)
    assert "(the first value past them: ' Paris'): a value holding a comma, the separator" in said
